import { randomUUID } from 'node:crypto'
import { type SQL, sql } from 'drizzle-orm'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rowsOf, type Tx } from '~/server/db/client.server'
import { TENANT_TABLES } from '~/server/db/schema'
import { withTenant } from '~/server/db/scope.server'
import { setContextSql } from '../support/context'
import { openTestDatabase, type TestDatabase } from '../support/db'
import { expectPgError, Rollback, rolledBack, SQLSTATE } from '../support/errors'
import { probingRls } from '../support/statement-capture'
import { createTenantWithData, type TenantData, unique } from '../support/tenant-data'

/**
 * Property: whatever a tenant aims at another tenant's rows — read, update, delete, re-home its own rows, insert
 * rows claiming the other tenant, insert rows that reference the other tenant's rows — it sees nothing and changes
 * nothing. The same operations aimed at its own rows succeed (and are rolled back), so the property cannot pass
 * by everything failing.
 */
const RUNS = 2500

type TenantTable = (typeof TENANT_TABLES)[number]
type DataTable = Exclude<TenantTable, 'audit_log' | 'audit_event_outbox' | 'tenant_figures'>
// The outbox keeps no rows (its trigger moves each event into audit_log), so there is nothing in it to read.
type ReadTable = Exclude<TenantTable, 'audit_event_outbox'> | 'tenants'

// audit_log and tenant_figures are read-only for the tenant role (audit.test.ts and console.test.ts cover their writes).
const DATA_TABLES = TENANT_TABLES.filter(
  (table): table is DataTable => table !== 'audit_log' && table !== 'audit_event_outbox' && table !== 'tenant_figures',
)
const READ_TABLES: ReadTable[] = [
  ...TENANT_TABLES.filter((table): table is Exclude<TenantTable, 'audit_event_outbox'> => table !== 'audit_event_outbox'),
  'tenants',
]

let t: TestDatabase
let tenants: TenantData[]
/** Row ids per tenant and table, as the owner sees them after the fixtures were written. */
const ids = new Map<string, Record<ReadTable, string[]>>()

beforeAll(async () => {
  t = await openTestDatabase()
  tenants = []
  for (let i = 0; i < 3; i++) tenants.push(await createTenantWithData())
  for (const tenant of tenants) {
    const byTable = {} as Record<ReadTable, string[]>
    for (const table of READ_TABLES) {
      byTable[table] = (await asOwner<{ id: string }>(sql`select id from ${sql.identifier(table)} where ${tenantColumn(table)} = ${tenant.tenantId} order by id`)).map(
        (r) => r.id,
      )
      expect(byTable[table].length, `${table} of ${tenant.slug}`).toBeGreaterThan(0)
    }
    ids.set(tenant.tenantId, byTable)
  }
}, 120_000)
afterAll(() => t.close())

function tenantColumn(table: ReadTable): SQL {
  return sql`${sql.identifier(table === 'tenants' ? 'id' : 'tenant_id')}`
}

async function asOwner<T>(query: SQL): Promise<T[]> {
  return rowsOf<T>(await t.owner.db.execute(query))
}

function rowIds(tenant: TenantData, table: ReadTable): string[] {
  const rows = ids.get(tenant.tenantId)?.[table]
  if (!rows?.length) throw new Error(`no ${table} rows for ${tenant.slug}`)
  return rows
}

function pick<T>(items: readonly T[], n: number): T {
  const item = items[n % items.length]
  if (item === undefined) throw new Error('pick from an empty list')
  return item
}

/** The whole row as the owner sees it, to prove that nothing about it changed. */
async function snapshot(table: DataTable, tenantId: string, id: string): Promise<string> {
  const rows = await asOwner<{ row: string }>(
    sql`select to_jsonb(x)::text as row from ${sql.identifier(table)} x where tenant_id = ${tenantId} and id = ${id}`,
  )
  expect(rows).toHaveLength(1)
  return rows[0]?.row ?? ''
}

/** Runs `statement` as `acting` and returns the number of rows it returned; own-tenant work is rolled back. */
async function rowCount(acting: TenantData, statement: SQL, keep: boolean): Promise<number> {
  const count = async (tx: Tx) => rowsOf(await tx.execute(statement)).length
  if (keep) return withTenant({ tenantId: acting.tenantId }, count)
  return rolledBack<number>(
    withTenant({ tenantId: acting.tenantId }, async (tx) => {
      throw new Rollback(await count(tx))
    }),
  )
}

const expires = sql`now() + interval '1 day'`
const email = () => `${unique('x')}@example.test`

/** A valid row for `f`'s tenant, built only from `f`'s own rows. */
const INSERTS: Record<DataTable, (f: TenantData) => SQL> = {
  users: (f) => sql`insert into users (tenant_id, email, full_name) values (${f.tenantId}, ${email()}, 'Inserted') returning id`,
  sessions: (f) =>
    sql`insert into sessions (tenant_id, user_id, token, expires_at) values (${f.tenantId}, ${f.ownerId}, ${unique('t')}, ${expires}) returning id`,
  accounts: (f) =>
    sql`insert into accounts (tenant_id, user_id, account_id, provider_id) values (${f.tenantId}, ${f.ownerId}, ${unique('a')}, 'github') returning id`,
  verifications: (f) =>
    sql`insert into verifications (tenant_id, identifier, value, expires_at) values (${f.tenantId}, ${unique('i')}, 'v', ${expires}) returning id`,
  organizations: (f) => sql`insert into organizations (tenant_id, name) values (${f.tenantId}, ${unique('org')}) returning id`,
  teams: (f) => sql`insert into teams (tenant_id, organization_id, name) values (${f.tenantId}, ${f.orgId}, ${unique('team')}) returning id`,
  user_team_links: (f) =>
    sql`insert into user_team_links (tenant_id, user_id, team_id) values (${f.tenantId}, ${f.freeUserId}, ${f.emptyTeamId}) returning id`,
  roles: (f) => sql`insert into roles (tenant_id, name) values (${f.tenantId}, ${unique('role')}) returning id`,
  role_permissions: (f) =>
    sql`insert into role_permissions (tenant_id, role_id, permission_key) values (${f.tenantId}, ${f.freeRoleId}, 'users:read') returning id`,
  user_roles: (f) => sql`insert into user_roles (tenant_id, user_id, role_id) values (${f.tenantId}, ${f.freeUserId}, ${f.freeRoleId}) returning id`,
  categories: (f) => sql`insert into categories (tenant_id, name) values (${f.tenantId}, ${unique('cat')}) returning id`,
  invitations: (f) =>
    sql`insert into invitations (tenant_id, email, token_hash, expires_at) values (${f.tenantId}, ${email()}, ${unique('h')}, ${expires}) returning id`,
  // One factor per user: each insert brings its own user.
  user_mfa: (f) =>
    sql`with u as (insert into users (tenant_id, email, full_name) values (${f.tenantId}, ${email()}, 'With MFA') returning tenant_id, id)
        insert into user_mfa (tenant_id, user_id, secret) select tenant_id, id, 'v1:x' from u returning id`,
  category_name_suffixes: (f) =>
    sql`insert into category_name_suffixes (tenant_id, category_id, suffix) values (${f.tenantId}, ${f.rootCategoryId}, ${unique('s')}) returning id`,
  user_search_suffixes: (f) =>
    sql`insert into user_search_suffixes (tenant_id, user_id, suffix) values (${f.tenantId}, ${f.freeUserId}, ${unique('s')}) returning id`,
}

const UPDATES: Record<DataTable, SQL> = {
  users: sql`full_name = 'changed'`,
  sessions: sql`user_agent = 'changed'`,
  accounts: sql`scope = 'changed'`,
  verifications: sql`identifier = 'changed'`,
  organizations: sql`description = 'changed'`,
  teams: sql`description = 'changed'`,
  user_team_links: sql`role = 'guest'`,
  roles: sql`description = 'changed'`,
  role_permissions: sql`created_at = now() - interval '1 day'`,
  user_roles: sql`created_at = now() - interval '1 day'`,
  categories: sql`name = 'changed'`,
  invitations: sql`full_name = 'changed'`,
  user_mfa: sql`last_totp_step = 1`,
  category_name_suffixes: sql`suffix = 'changed'`,
  user_search_suffixes: sql`suffix = 'changed'`,
}

/** A row of the acting tenant whose one reference points at `parentId`; the rest of it is the acting tenant's. */
type Reference = { parent: DataTable; insert: (acting: TenantData, parentId: string) => SQL; parents?: (f: TenantData) => string[] }

const REFERENCES: Record<string, Reference> = {
  'sessions.user_id': {
    parent: 'users',
    insert: (f, id) =>
      sql`insert into sessions (tenant_id, user_id, token, expires_at) values (${f.tenantId}, ${id}, ${unique('t')}, ${expires}) returning id`,
  },
  'accounts.user_id': {
    parent: 'users',
    insert: (f, id) =>
      sql`insert into accounts (tenant_id, user_id, account_id, provider_id) values (${f.tenantId}, ${id}, ${unique('a')}, 'github') returning id`,
  },
  'teams.organization_id': {
    parent: 'organizations',
    insert: (f, id) => sql`insert into teams (tenant_id, organization_id, name) values (${f.tenantId}, ${id}, ${unique('team')}) returning id`,
  },
  'user_team_links.user_id': {
    parent: 'users',
    insert: (f, id) => sql`insert into user_team_links (tenant_id, user_id, team_id) values (${f.tenantId}, ${id}, ${f.emptyTeamId}) returning id`,
  },
  'user_team_links.team_id': {
    parent: 'teams',
    insert: (f, id) => sql`insert into user_team_links (tenant_id, user_id, team_id) values (${f.tenantId}, ${f.freeUserId}, ${id}) returning id`,
  },
  'role_permissions.role_id': {
    parent: 'roles',
    // The owner role already holds every permission.
    parents: (f) => rowIds(f, 'roles').filter((id) => id !== f.roleIds.owner),
    insert: (f, id) =>
      sql`insert into role_permissions (tenant_id, role_id, permission_key) values (${f.tenantId}, ${id}, 'trash:purge') returning id`,
  },
  'user_roles.user_id': {
    parent: 'users',
    insert: (f, id) => sql`insert into user_roles (tenant_id, user_id, role_id) values (${f.tenantId}, ${id}, ${f.freeRoleId}) returning id`,
  },
  'user_roles.role_id': {
    parent: 'roles',
    insert: (f, id) => sql`insert into user_roles (tenant_id, user_id, role_id) values (${f.tenantId}, ${f.freeUserId}, ${id}) returning id`,
  },
  'categories.parent_id': {
    parent: 'categories',
    insert: (f, id) => sql`insert into categories (tenant_id, parent_id, name) values (${f.tenantId}, ${id}, ${unique('cat')}) returning id`,
  },
  'category_name_suffixes.category_id': {
    parent: 'categories',
    insert: (f, id) => sql`insert into category_name_suffixes (tenant_id, category_id, suffix) values (${f.tenantId}, ${id}, ${unique('s')}) returning id`,
  },
  'user_search_suffixes.user_id': {
    parent: 'users',
    insert: (f, id) => sql`insert into user_search_suffixes (tenant_id, user_id, suffix) values (${f.tenantId}, ${id}, ${unique('s')}) returning id`,
  },
  'invitations.role_id': {
    parent: 'roles',
    insert: (f, id) =>
      sql`insert into invitations (tenant_id, email, token_hash, expires_at, role_id) values (${f.tenantId}, ${email()}, ${unique('h')}, ${expires}, ${id}) returning id`,
  },
  'invitations.accepted_user_id': {
    parent: 'users',
    insert: (f, id) =>
      sql`insert into invitations (tenant_id, email, token_hash, expires_at, status, accepted_user_id) values (${f.tenantId}, ${email()}, ${unique('h')}, ${expires}, 'accepted', ${id}) returning id`,
  },
}

const tenantIndex = fc.nat({ max: 2 })
const operation = fc.oneof(
  fc.record({ kind: fc.constant('read' as const), acting: tenantIndex, target: tenantIndex, table: fc.constantFrom(...READ_TABLES), n: fc.nat() }),
  fc.record({
    kind: fc.constantFrom('update' as const, 'delete' as const, 'rehome' as const),
    acting: tenantIndex,
    target: tenantIndex,
    table: fc.constantFrom(...DATA_TABLES),
    n: fc.nat(),
  }),
  fc.record({ kind: fc.constant('insert' as const), acting: tenantIndex, target: tenantIndex, table: fc.constantFrom(...DATA_TABLES), n: fc.nat() }),
  fc.record({
    kind: fc.constant('reference' as const),
    acting: tenantIndex,
    target: tenantIndex,
    table: fc.constantFrom(...Object.keys(REFERENCES)),
    n: fc.nat(),
  }),
)
type Operation = typeof operation extends fc.Arbitrary<infer O> ? O : never

const tenantAt = (i: number) => pick(tenants, i)

async function check(op: Operation) {
  const acting = tenantAt(op.acting)
  const target = tenantAt(op.target)
  const cross = op.acting !== op.target
  switch (op.kind) {
    case 'read': {
      const table = op.table as ReadTable
      const targetId = pick(rowIds(target, table), op.n)
      const { all, aimed } = await withTenant({ tenantId: acting.tenantId }, async (tx) => ({
        all: rowsOf<{ tenant_id: string }>(await tx.execute(sql`select ${tenantColumn(table)} as tenant_id from ${sql.identifier(table)}`)),
        aimed: rowsOf(await tx.execute(sql`select 1 from ${sql.identifier(table)} where id = ${targetId}`)),
      }))
      expect(all.filter((r) => r.tenant_id !== acting.tenantId)).toEqual([])
      expect(all).toHaveLength(rowIds(acting, table).length)
      expect(aimed).toHaveLength(cross ? 0 : 1)
      return
    }
    case 'update':
    case 'delete': {
      const table = op.table as DataTable
      const id = pick(rowIds(target, table), op.n)
      const before = await snapshot(table, target.tenantId, id)
      const statement =
        op.kind === 'update'
          ? sql`update ${sql.identifier(table)} set ${UPDATES[table]} where id = ${id} returning id`
          : sql`delete from ${sql.identifier(table)} where id = ${id} returning id`
      // Cross-tenant attempts commit: had they touched the row, the change would show below.
      expect(await rowCount(acting, statement, cross)).toBe(cross ? 0 : 1)
      expect(await snapshot(table, target.tenantId, id)).toBe(before)
      return
    }
    case 'rehome': {
      const table = op.table as DataTable
      const id = pick(rowIds(acting, table), op.n)
      const before = await snapshot(table, acting.tenantId, id)
      const statement = sql`update ${sql.identifier(table)} set tenant_id = ${target.tenantId} where id = ${id} returning id`
      if (cross) {
        await expectPgError(rowCount(acting, statement, true), SQLSTATE.insufficientPrivilege, /row-level security/)
      } else {
        expect(await rowCount(acting, statement, false)).toBe(1)
      }
      expect(await snapshot(table, acting.tenantId, id)).toBe(before)
      return
    }
    case 'insert': {
      const table = op.table as DataTable
      const statement = INSERTS[table](target)
      if (cross) {
        await expectPgError(rowCount(acting, statement, true), SQLSTATE.insufficientPrivilege, /row-level security/)
      } else {
        expect(await rowCount(acting, statement, false)).toBe(1)
      }
      return
    }
    case 'reference': {
      const ref = REFERENCES[op.table]
      if (!ref) throw new Error(`unknown reference ${op.table}`)
      const parentId = pick(ref.parents?.(target) ?? rowIds(target, ref.parent), op.n)
      const statement = ref.insert(acting, parentId)
      if (cross) {
        await expectPgError(rowCount(acting, statement, true), SQLSTATE.foreignKeyViolation)
      } else {
        expect(await rowCount(acting, statement, false)).toBe(1)
      }
      return
    }
  }
}

async function totals(): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const table of READ_TABLES) {
    const [row] = await asOwner<{ n: number }>(sql`select count(*)::int as n from ${sql.identifier(table)}`)
    out[table] = row?.n ?? -1
  }
  return out
}

describe('tenant isolation', () => {
  it(`holds for ${RUNS} random operations across three tenants`, async () => {
    const before = await totals()
    const seen = new Map<string, number>()
    // Every kind of attack against every table runs once first (acting 0 on tenant 1), then random ones: with ~20
    // tables a purely random run missed one combination now and then (about 3 % of runs at 2,500 operations).
    const examples: [Operation][] = [
      ...READ_TABLES.map((table) => ({ kind: 'read' as const, table })),
      ...DATA_TABLES.flatMap((table) => (['update', 'delete', 'rehome'] as const).map((kind) => ({ kind, table }))),
      ...DATA_TABLES.map((table) => ({ kind: 'insert' as const, table })),
      ...Object.keys(REFERENCES).map((table) => ({ kind: 'reference' as const, table })),
    ].map((op) => [{ ...op, acting: 0, target: 1, n: 0 } as Operation])
    await fc.assert(
      fc.asyncProperty(operation, async (op) => {
        // The attacks name no tenant, or the other one: RLS alone must contain them.
        await probingRls('RLS alone contains whatever a tenant aims at another tenant', () => check(op))
        const key = `${op.kind} ${op.table} ${op.acting === op.target ? 'own' : 'cross'}`
        seen.set(key, (seen.get(key) ?? 0) + 1)
      }),
      { numRuns: RUNS, examples },
    )
    // Every kind of attack ran against every table at least once, and nothing was left behind.
    const expected = [
      ...READ_TABLES.map((table) => `read ${table} cross`),
      ...DATA_TABLES.flatMap((table) => ['update', 'delete', 'rehome', 'insert'].map((kind) => `${kind} ${table} cross`)),
      ...Object.keys(REFERENCES).map((ref) => `reference ${ref} cross`),
    ]
    expect(expected.filter((key) => !seen.has(key))).toEqual([])
    expect(await totals()).toEqual(before)
  }, 120_000)
})

describe('with no tenant in context', () => {
  /** Every read sees nothing, every update and delete touches nothing, every insert fails; nothing changes. */
  async function expectSealed(scope: <T>(work: (tx: Tx) => Promise<T>) => Promise<T>, ghostTenantId: string | null) {
    const before = await totals()
    for (const table of READ_TABLES) {
      const rows = await scope(async (tx) => rowsOf(await tx.execute(sql`select * from ${sql.identifier(table)}`)))
      expect(rows, `${table} read`).toEqual([])
    }
    for (const table of DATA_TABLES) {
      const updated = await scope(async (tx) => rowsOf(await tx.execute(sql`update ${sql.identifier(table)} set ${UPDATES[table]} returning id`)))
      expect(updated, `${table} update`).toEqual([])
      const deleted = await scope(async (tx) => rowsOf(await tx.execute(sql`delete from ${sql.identifier(table)} returning id`)))
      expect(deleted, `${table} delete`).toEqual([])
      for (const tenant of tenants) {
        await expectPgError(
          scope((tx) => tx.execute(INSERTS[table](tenant))),
          SQLSTATE.insufficientPrivilege,
          /row-level security/,
        )
      }
      if (ghostTenantId) {
        // The policy lets a row for the context's own (non-existent) tenant through; the foreign key to tenants does not.
        const ghost = { ...pick(tenants, 0), tenantId: ghostTenantId }
        await expectPgError(
          scope((tx) => tx.execute(INSERTS[table](ghost))),
          SQLSTATE.foreignKeyViolation,
        )
      }
    }
    const renamed = await scope(async (tx) => rowsOf(await tx.execute(sql`update tenants set name = 'changed' returning id`)))
    expect(renamed).toEqual([])
    expect(await totals()).toEqual(before)
  }

  it('a tenant id that names no tenant sees nothing and can write nothing', async () => {
    const ghost = randomUUID()
    await probingRls('RLS alone seals a scope whose tenant does not exist', () => expectSealed((work) => withTenant({ tenantId: ghost }, work), ghost))
  })

  it('a transaction whose context names no tenant sees nothing and can write nothing', async () => {
    await probingRls('RLS alone seals a scope without a tenant', () =>
      expectSealed(
        (work) =>
          t.app.db.transaction(async (tx) => {
            await tx.execute(setContextSql('haven_tenant', null))
            const [context] = rowsOf<{ tenant: string | null; role: string }>(
              await tx.execute(sql`select (public.haven_context())[2] as tenant, current_user as role`),
            )
            expect(context).toEqual({ tenant: '', role: 'haven_tenant' })
            return work(tx)
          }),
        null,
      ),
    )
  })
})
