import { and, eq, type SQL, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Database, rowsOf } from '~/server/db/client.server'
import { categories, organizations } from '~/server/db/schema'
import { setScopeDatabase, withTenant } from '~/server/db/scope.server'
import { ofTenant } from '~/server/db/tenant.server'
import { openAppPool, openTestDatabase, type TestDatabase } from '../support/db'
import { setContextSql } from '../support/context'
import { expectPgError, SQLSTATE } from '../support/errors'
import { probingRls } from '../support/statement-capture'
import { createTenantWithData, type TenantData, unique } from '../support/tenant-data'

/** The request context lives exactly as long as its transaction, and nothing can be slipped into it. */
let t: TestDatabase
let tenants: TenantData[]
beforeAll(async () => {
  t = await openTestDatabase()
  tenants = []
  for (let i = 0; i < 3; i++) tenants.push(await createTenantWithData())
}, 60_000)
afterAll(() => t.close())

function tenant(i: number): TenantData {
  const found = tenants[i]
  if (!found) throw new Error(`no tenant ${i}`)
  return found
}

async function one<T>(db: Database['db'] | Parameters<Parameters<Database['db']['transaction']>[0]>[0], query: SQL): Promise<T> {
  const [row] = rowsOf<T>(await db.execute(query))
  if (!row) throw new Error('query returned no row')
  return row
}

type Connection = { pid: number; tenant: string | null; user: string | null; role: string; login: string }
const CONNECTION = sql`select pg_backend_pid() as pid, (public.haven_context())[2] as tenant,
  (public.haven_context())[3] as "user", current_user as role, session_user as login`

/** Runs `test` with the scopes on a pool of one connection, so every use is certainly the same connection. */
async function onOneConnection(test: (pool: Database) => Promise<void>) {
  const pool = await openAppPool(t, 1)
  setScopeDatabase(pool.db)
  try {
    await test(pool)
  } finally {
    setScopeDatabase(t.app.db)
    await pool.close()
  }
}

/** The next, plain use of the connection carries no role, tenant or actor of an earlier scope. */
async function expectCleanConnection(pool: Database, pid: number) {
  const after = await one<Connection>(pool.db, CONNECTION)
  expect(after.pid).toBe(pid)
  expect(after.tenant ?? '').toBe('')
  expect(after.user ?? '').toBe('')
  expect(after.role).toBe(after.login)
  if (t.driver === 'postgres') {
    expect(after.role).toBe('haven_app')
    // The login role itself owns nothing and has no grant on tenant tables.
    await expectPgError(pool.db.execute(sql`select count(*) from users`), SQLSTATE.insufficientPrivilege)
  }
  // Entering the tenant role without a context shows that no tenant stayed behind.
  const visible = await pool.db.transaction(async (tx) => {
    await tx.execute(sql`set local role haven_tenant`)
    return one<{ users: number; categories: number; tenants: number }>(
      tx,
      sql`select (select count(*)::int from users) as users, (select count(*)::int from categories) as categories,
        (select count(*)::int from tenants) as tenants`,
    )
  })
  expect(visible).toEqual({ users: 0, categories: 0, tenants: 0 })
}

describe('the request context', () => {
  it('is gone from the pooled connection after the scope commits', async () => {
    await onOneConnection(async (pool) => {
      const a = tenant(0)
      const inside = await withTenant({ tenantId: a.tenantId, userId: a.ownerId }, async (tx) => {
        const row = await one<Connection>(tx, CONNECTION)
        const users = await one<{ n: number }>(tx, sql`select count(*)::int as n from users where tenant_id = ${a.tenantId}`)
        return { ...row, users: users.n }
      })
      expect(inside).toMatchObject({ tenant: a.tenantId, user: a.ownerId, role: 'haven_tenant' })
      expect(inside.users).toBeGreaterThan(0)
      await expectCleanConnection(pool, inside.pid)
    })
  })

  it('is gone from the pooled connection after the scope throws, and its writes are rolled back', async () => {
    await onOneConnection(async (pool) => {
      const a = tenant(0)
      const name = unique('rolled back')
      let pid = -1
      await expect(
        withTenant({ tenantId: a.tenantId, userId: a.ownerId }, async (tx) => {
          pid = (await one<Connection>(tx, CONNECTION)).pid
          await tx.insert(categories).values({ tenantId: a.tenantId, name })
          throw new Error('boom')
        }),
      ).rejects.toThrow('boom')
      await expectCleanConnection(pool, pid)

      // A database error inside the scope ends it the same way.
      await expectPgError(
        withTenant({ tenantId: a.tenantId, userId: a.ownerId }, async (tx) => {
          pid = (await one<Connection>(tx, CONNECTION)).pid
          await tx.insert(categories).values({ tenantId: a.tenantId, name })
          await probingRls('RLS refuses a row for another tenant', () => tx.insert(categories).values({ tenantId: tenant(1).tenantId, name }))
        }),
        SQLSTATE.insufficientPrivilege,
        /row-level security/,
      )
      await expectCleanConnection(pool, pid)

      const left = await t.owner.db.execute(sql`select id from categories where name = ${name}`)
      expect(rowsOf(left)).toEqual([])
    })
  })

  it('runs a prefetch after the context, under the request role, on a fresh connection and a reused one', async () => {
    await onOneConnection(async (pool) => {
      const a = tenant(0)
      type Seen = Connection & { users: number }
      // Written as the session prefetch is (the query's `then` called at once) and as an async function would be.
      const direct = (tx: Parameters<Parameters<typeof withTenant>[1]>[0]) =>
        tx
          .execute(sql`select pg_backend_pid() as pid, (public.haven_context())[2] as tenant, (public.haven_context())[3] as "user",
            current_user as role, session_user as login,
            (select count(*)::int from users where tenant_id = ${a.tenantId}::uuid) as users`)
          .then((r) => rowsOf<Seen>(r)[0])
      const later = async (tx: Parameters<Parameters<typeof withTenant>[1]>[0]) => direct(tx)
      for (const prefetch of [direct, direct, later]) {
        const seen = await withTenant({ tenantId: a.tenantId, userId: a.ownerId }, async (_tx, prefetched) => prefetched, { prefetch })
        expect(seen).toMatchObject({ tenant: a.tenantId, user: a.ownerId, role: 'haven_tenant' })
        expect(seen?.users).toBeGreaterThan(0)
        if (seen) await expectCleanConnection(pool, seen.pid)
      }
    })
  })

  it('keeps concurrent scopes for different tenants apart', async () => {
    const results = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const own = tenant(i % 3)
        return withTenant({ tenantId: own.tenantId, userId: own.ownerId, requestId: `req-${i}` }, async (tx) => {
          const first = await one<Connection & { request: string }>(
            tx,
            sql`select pg_backend_pid() as pid, (public.haven_context())[2] as tenant,
              (public.haven_context())[3] as "user", (public.haven_context())[7] as request,
              current_user as role, session_user as login`,
          )
          const { userTenants, categoryTenants } = await probingRls('RLS alone keeps each scope to its own tenant', async () => ({
            userTenants: rowsOf<{ tenant_id: string }>(await tx.execute(sql`select distinct tenant_id from users`)),
            categoryTenants: rowsOf<{ tenant_id: string }>(await tx.execute(sql`select distinct tenant_id from categories`)),
          }))
          const tenantRows = rowsOf<{ id: string }>(await tx.execute(sql`select id from tenants`))
          const last = await one<{ tenant: string; request: string }>(
            tx,
            sql`select (public.haven_context())[2] as tenant, (public.haven_context())[7] as request`,
          )
          return { i, own: own.tenantId, first, userTenants, categoryTenants, tenantRows, last }
        })
      }),
    )
    for (const r of results) {
      expect(r.first).toMatchObject({ tenant: r.own, request: `req-${r.i}`, role: 'haven_tenant' })
      expect(r.last).toEqual({ tenant: r.own, request: `req-${r.i}` })
      expect(r.userTenants).toEqual([{ tenant_id: r.own }])
      expect(r.categoryTenants).toEqual([{ tenant_id: r.own }])
      expect(r.tenantRows).toEqual([{ id: r.own }])
    }
    // On a server the scopes really did run side by side, on several connections.
    if (t.driver === 'postgres') expect(new Set(results.map((r) => r.first.pid)).size).toBeGreaterThan(1)
  })
})

describe('haven_set_context', () => {
  it.each(['postgres', 'haven_owner', 'pg_write_all_data', 'haven_tenant; reset role'])('refuses %j, which is not a request role', async (role) => {
    const before = await one<Connection>(t.app.db, CONNECTION)
    await expectPgError(
      t.app.db.transaction((tx) => tx.execute(setContextSql(role, tenant(0).tenantId))),
      SQLSTATE.invalidParameterValue,
      /not a request role/,
    )
    const after = await one<Connection>(t.app.db, CONNECTION)
    expect({ role: after.role, tenant: after.tenant ?? '' }).toEqual({ role: before.login, tenant: '' })
  })

  it('refuses a context whose signature does not verify: forged, altered, or signed with another key', async () => {
    const { signContext, contextKey } = await import('~/server/db/context-key.server')
    const a = tenant(0)
    const good = signContext(['haven_tenant', a.tenantId, '', '', '', '', ''])
    const altered = good.context.replace(a.tenantId, tenant(1).tenantId)
    const otherKey = signContext(['haven_tenant', a.tenantId, '', '', '', '', ''], contextKey('another secret of at least 32 chars!'))
    for (const [context, sig] of [
      [good.context, '00'.repeat(32)],
      [altered, good.sig],
      [otherKey.context, otherKey.sig],
      [good.context, ''],
    ] as const) {
      await expectPgError(
        t.app.db.transaction((tx) => tx.execute(sql`select public.haven_set_context(${context}, ${sig})`)),
        SQLSTATE.insufficientPrivilege,
        /does not verify/,
      )
    }
  })

  it('cannot be called again from inside a tenant scope to switch to the console without the key', async () => {
    const a = tenant(0)
    await expectPgError(
      withTenant({ tenantId: a.tenantId }, async (tx) => {
        const [row] = rowsOf<{ c: string; s: string }>(
          await tx.execute(sql`select current_setting('app.context') as c, current_setting('app.context_sig') as s`),
        )
        const consoleContext = (row?.c ?? '').replace('haven_tenant', 'haven_console')
        await tx.execute(sql`select public.haven_set_context(${consoleContext}, ${row?.s ?? ''})`)
      }),
      SQLSTATE.insufficientPrivilege,
      /does not verify/,
    )
  })

  it('takes its values as bound parameters: a tenant id carrying SQL is just an invalid uuid', async () => {
    const evil = "x'; drop table users; --"
    const countUsers = () => one<{ n: number }>(t.owner.db, sql`select count(*)::int as n from users`)
    const before = await countUsers()

    // The setting holds the text verbatim; nothing was executed.
    const setting = await withTenant({ tenantId: evil }, (tx) => one<{ tenant: string }>(tx, sql`select (public.haven_context())[2] as tenant`))
    expect(setting.tenant).toBe(evil)
    await expectPgError(
      probingRls('the policy itself reads the tenant setting', () => withTenant({ tenantId: evil }, (tx) => tx.execute(sql`select count(*) from users`))),
      SQLSTATE.invalidTextRepresentation,
      /uuid/,
    )
    await expectPgError(
      probingRls('the policy itself reads the tenant setting', () =>
        withTenant({ tenantId: evil }, (tx) => tx.insert(organizations).values({ tenantId: tenant(0).tenantId, name: unique('evil') })),
      ),
      SQLSTATE.invalidTextRepresentation,
      /uuid/,
    )

    // The same text in the audit context lands verbatim in the audit row.
    const a = tenant(0)
    const requestId = `${evil} ${unique('req')}`
    await withTenant({ tenantId: a.tenantId, userId: a.ownerId, requestId, userAgent: evil, ip: evil }, (tx) =>
      tx.update(organizations).set({ description: 'touched' }).where(and(ofTenant(organizations), eq(organizations.id, a.orgId))),
    )
    const audit = rowsOf<{ user_agent: string; ip_address: string }>(
      await t.owner.db.execute(sql`select user_agent, ip_address from audit_log where request_id = ${requestId}`),
    )
    expect(audit).toEqual([{ user_agent: evil, ip_address: evil }])

    const table = await one<{ users: string | null }>(t.owner.db, sql`select to_regclass('public.users')::text as users`)
    expect(table.users).toBe('users')
    expect(await countUsers()).toEqual(before)
  })
})
