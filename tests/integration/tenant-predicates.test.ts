import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rowsOf } from '~/server/db/client.server'
import { users } from '~/server/db/schema'
import { withConsole, withTenant } from '~/server/db/scope.server'
import { requireUserRow } from '~/features/users/users.server'
import { openTestDatabase, type TestDatabase } from '../support/db'
import { createTestTenant } from '../support/fixtures'
import {
  assertEveryQueryNamesItsTenant,
  type Captured,
  capturedStatements,
  forgetCapturedFrom,
  probingRls,
  TENANT_TABLES_SQL,
  tenantPredicateFailures,
} from '../support/statement-capture'
import { analyzeStatement, loadParser } from '../support/tenant-predicates'

/** The checker behind ARCHITECTURE.md rule 10 (statement-capture.ts), tested on statements with and without the rule. */
let t: TestDatabase
let tables: Set<string>
const TENANT = '00000000-0000-4000-8000-000000000001'

beforeAll(async () => {
  t = await openTestDatabase()
  await loadParser()
  tables = new Set(rowsOf<{ name: string }>(await t.owner.db.execute(sql.raw(TENANT_TABLES_SQL))).map((r) => r.name))
}, 60_000)
afterAll(() => t.close())

const violations = (text: string) => analyzeStatement(text, tables).violations

describe('the tenant predicate checker', () => {
  it('finds the tenant tables in the catalog, not in a hand list', () => {
    expect(tables).toContain('users')
    expect(tables).toContain('audit_log')
    expect(tables).not.toContain('tenants')
    expect(tables).not.toContain('permissions')
  })

  it('passes a query that names its tenant and flags one that does not', () => {
    expect(violations('select * from users where tenant_id = $1 and id = $2')).toEqual([])
    expect(violations('select * from "users" where "users"."tenant_id" = $1::uuid')).toEqual([])
    expect(violations('select * from users where id = $1')).toEqual(['select on users without users.tenant_id = <the scope\'s tenant>'])
    // An OR does not bound the rows to the tenant.
    expect(violations('select * from users where tenant_id = $1 or id = $2')).toHaveLength(1)
    // Neither does a comparison with another column or an inequality.
    expect(violations('select * from users where tenant_id = created_by_id')).toHaveLength(1)
    expect(violations('select * from users where tenant_id <> $1')).toHaveLength(1)
    // Tables without tenant_id need nothing.
    expect(violations('select * from tenants where slug = $1')).toEqual([])
  })

  it('requires the predicate on both sides of a join, by alias', () => {
    const join = 'select * from user_roles ur join roles r on r.tenant_id = ur.tenant_id and r.id = ur.role_id'
    expect(violations(`${join} where ur.tenant_id = $1`)).toEqual(["select on roles (as r) without r.tenant_id = <the scope's tenant>"])
    expect(violations(`${join} and r.tenant_id = $1 where ur.tenant_id = $1`)).toEqual([])
    expect(violations('select * from users u left join sessions s on s.user_id = u.id and s.tenant_id = $1 where u.tenant_id = $1')).toEqual([])
    // The predicate on the wrong alias does not count.
    expect(violations('select * from users a, users b where a.tenant_id = $1 and b.id = a.id')).toEqual([
      "select on users (as b) without b.tenant_id = <the scope's tenant>",
    ])
  })

  it('looks into sub-selects, CTEs, lateral joins, updates, deletes and inserts', () => {
    expect(violations('select * from users u where u.tenant_id = $1 and exists (select 1 from user_roles r where r.user_id = u.id)')).toHaveLength(1)
    expect(violations('select * from users u where u.tenant_id = $1 and exists (select 1 from user_roles r where r.tenant_id = $1 and r.user_id = u.id)')).toEqual([])
    expect(violations('with x as (select id from roles) select * from x')).toHaveLength(1)
    expect(violations('select * from users u cross join lateral (select count(*) from sessions s where s.user_id = u.id) c where u.tenant_id = $1')).toHaveLength(1)
    expect(violations('update users set full_name = $1 where id = $2')).toHaveLength(1)
    expect(violations('update users set full_name = $1 where id = $2 and tenant_id = $3')).toEqual([])
    expect(violations('delete from sessions where user_id = $1')).toHaveLength(1)
    expect(violations('delete from sessions where tenant_id = $2 and user_id = $1')).toEqual([])
    expect(violations('insert into teams (organization_id, name) values ($1, $2)')).toEqual(['insert into teams without a tenant_id column'])
    expect(analyzeStatement('insert into teams (tenant_id, organization_id, name) values ($1, $2, $3), ($4, $5, $6)', tables)).toMatchObject({
      violations: [],
      tenantParams: [1, 4],
    })
    expect(violations('insert into teams (tenant_id, organization_id, name) select tenant_id, organization_id, $1 from teams')).toHaveLength(1)
  })

  it('fails a tenant-scope statement whose predicate holds another tenant, and honours only listed console markers', async () => {
    const base = { role: 'haven_tenant', tenantId: TENANT } as const
    const ok: Captured = { ...base, sql: 'select * from users where tenant_id = $1', params: [TENANT] }
    const other: Captured = { ...base, sql: ok.sql, params: ['00000000-0000-4000-8000-000000000002'] }
    expect(await tenantPredicateFailures([ok])).toEqual([])
    expect((await tenantPredicateFailures([other]))[0]).toMatch(/not the scope's tenant/)

    const listed = 'select count(*) from users /* cross-tenant: console.people-search */'
    const unlisted = 'select count(*) from users /* cross-tenant: anything */'
    expect(await tenantPredicateFailures([{ role: 'haven_console', tenantId: null, sql: listed, params: [] }])).toEqual([])
    expect((await tenantPredicateFailures([{ role: 'haven_console', tenantId: null, sql: unlisted, params: [] }]))[0]).toMatch(/not in the allow-list/)
    expect((await tenantPredicateFailures([{ ...base, sql: listed, params: [] }]))[0]).toMatch(/outside a console scope/)
    expect((await tenantPredicateFailures([{ ...base, sql: 'select * from users', params: [] }]))[0]).toMatch(/select on users/)
  })

  it('captures what the app sends in a scope, with its role and tenant', async () => {
    const { tenant, owner } = await createTestTenant()
    const before = capturedStatements().length
    await withTenant({ tenantId: tenant.id }, (tx) => requireUserRow(tx, owner.id))
    const mine = capturedStatements().slice(before)
    expect(mine).toEqual([expect.objectContaining({ role: 'haven_tenant', tenantId: tenant.id, params: [tenant.id, owner.id, false] })])
    expect(mine[0]?.sql).toMatch(/"users"."tenant_id" = \$1/)
    expect(await tenantPredicateFailures(mine)).toEqual([])

    // A statement without the predicate is captured and flagged (and kept out of this file's final check).
    const start = capturedStatements().length
    await withConsole({}, (tx) => tx.execute(sql`select count(*) from users`))
    const bad = capturedStatements().slice(start)
    expect(bad).toHaveLength(1)
    expect(await tenantPredicateFailures(bad)).toEqual([expect.stringMatching(/select on users without users.tenant_id/)])
    forgetCapturedFrom(start)
  })

  it('does not check a statement a test marks as probing RLS, and still checks the ones around it', async () => {
    const { tenant, owner } = await createTestTenant()
    const start = capturedStatements().length
    const seen = await probingRls('RLS alone keeps the read to the tenant', () =>
      withTenant({ tenantId: tenant.id }, (tx) => tx.select({ id: users.id }).from(users).where(eq(users.id, owner.id))),
    )
    expect(seen).toEqual([{ id: owner.id }])
    await withTenant({ tenantId: tenant.id }, (tx) => tx.select({ id: users.id }).from(users).where(eq(users.id, owner.id)))
    const [probe, unmarked, ...rest] = capturedStatements().slice(start)
    expect(rest).toEqual([])
    // The mark travels with the statement through Drizzle's builder and the driver (AsyncLocalStorage), not by position.
    expect(probe).toMatchObject({ probe: 'RLS alone keeps the read to the tenant', role: 'haven_tenant', tenantId: tenant.id })
    expect(unmarked?.probe).toBeUndefined()
    expect(await tenantPredicateFailures([probe as Captured])).toEqual([])
    expect(await tenantPredicateFailures([unmarked as Captured])).toEqual([expect.stringMatching(/select on users without users.tenant_id/)])
    await expect(probingRls(' ', async () => 1)).rejects.toThrow(/reason/)
    forgetCapturedFrom(start)
  })

  it('fails the file at its end for a statement without the predicate, naming it (setup.ts runs this after every file)', async () => {
    const { tenant } = await createTestTenant()
    // What the file sent so far passes; checking it here also empties the capture.
    await assertEveryQueryNamesItsTenant()
    await withTenant({ tenantId: tenant.id }, (tx) => tx.execute(sql`select count(*) from users where tenant_id = ${tenant.id}`))
    await withTenant({ tenantId: tenant.id }, (tx) => tx.execute(sql`select count(*) from roles`))
    await expect(assertEveryQueryNamesItsTenant()).rejects.toThrow(
      /^1 statement\(s\) touch a tenant table without tenant_id = <the scope's tenant>[\s\S]*select on roles[\s\S]*select count\(\*\) from roles$/,
    )
    expect(capturedStatements()).toEqual([])
  })
})

