import { randomUUID } from 'node:crypto'
import { and, asc, eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { updateTenant } from '~/features/tenants/tenant-changes.server'
import { provisionTenant } from '~/features/tenants/tenants.server'
import { rowsOf, type Tx } from '~/server/db/client.server'
import {
  accounts,
  auditLog,
  categories,
  invitations,
  userMfa,
  organizations,
  rolePermissions,
  roles,
  sessions,
  TENANT_TABLES,
  teams,
  userRoles,
  users,
  userTeamLinks,
  verifications,
} from '~/server/db/schema'
import { type TenantContext, withConsole, withResolver, withTenant } from '~/server/db/scope.server'
import { ofTenant, scopeTenantId } from '~/server/db/tenant.server'
import { setContextSql } from '../support/context'
import { openTestDatabase, type TestDatabase } from '../support/db'
import { expectPgError, SQLSTATE } from '../support/errors'
import { testPasswordHash, uniqueSlug } from '../support/fixtures'
import { probingRls } from '../support/statement-capture'
import { createTenantWithData, type TenantData, unique } from '../support/tenant-data'

let t: TestDatabase
let a: TenantData
let b: TenantData
beforeAll(async () => {
  t = await openTestDatabase()
  a = await createTenantWithData()
  b = await createTenantWithData()
}, 60_000)
afterAll(() => t.close())

// category_name_suffixes and user_search_suffixes are derived from audited columns, tenant_figures from audited rows: no audit trigger.
type AuditedTable = Exclude<(typeof TENANT_TABLES)[number], 'audit_log' | 'audit_event_outbox' | 'category_name_suffixes' | 'user_search_suffixes' | 'tenant_figures'>
type AuditRow = typeof auditLog.$inferSelect

/** A full request context, different for every call, so each statement's audit rows can be told apart. */
function context(f: TenantData): TenantContext & { requestId: string } {
  return {
    tenantId: f.tenantId,
    userId: f.ownerId,
    impersonatorId: randomUUID(),
    ip: '203.0.113.7',
    userAgent: `vitest ${unique('ua')}`,
    requestId: unique('req'),
  }
}

async function auditRowsOf(requestId: string): Promise<AuditRow[]> {
  return t.owner.db.select().from(auditLog).where(eq(auditLog.requestId, requestId)).orderBy(asc(auditLog.createdAt))
}

/** The audit rows written under `ctx`; there must be exactly one, attributed to `ctx`. */
async function theAuditRow(ctx: ReturnType<typeof context>): Promise<AuditRow> {
  const rows = await auditRowsOf(ctx.requestId)
  expect(rows).toHaveLength(1)
  const [row] = rows
  if (!row) throw new Error('no audit row')
  expect(row).toMatchObject({
    tenantId: ctx.tenantId,
    userId: ctx.userId,
    impersonatorId: ctx.impersonatorId,
    ipAddress: ctx.ip,
    userAgent: ctx.userAgent,
    requestId: ctx.requestId,
  })
  return row
}

const inADay = () => new Date(Date.now() + 86_400_000)

/**
 * How to create and change one row of each tenant table. `secrets` are columns whose values must never reach the
 * audit log, with every value the lifecycle writes to them.
 */
type Lifecycle = {
  create: (tx: Tx, f: TenantData) => Promise<{ id: string }[]>
  update: (tx: Tx, id: string) => Promise<unknown>
  changed: { column: string; from: unknown; to: unknown }
  secrets?: Record<string, string[]>
}

const TOTP_STEP = 59_000_000

const secret = {
  sessionToken: unique('session-token'),
  rotatedToken: unique('rotated-token'),
  password: unique('scrypt-hash'),
  newPassword: unique('new-scrypt-hash'),
  accessToken: unique('access-token'),
  verification: unique('verification-value'),
  invitation: unique('invitation-hash'),
  mfaSecret: unique('mfa-secret'),
  recoveryHash: unique('recovery-hash'),
}

const LIFECYCLES: Record<AuditedTable, Lifecycle> = {
  users: {
    create: (tx, f) =>
      tx.insert(users).values({ tenantId: f.tenantId, email: `${unique('audited')}@example.test`, fullName: 'Audited Person' }).returning(),
    update: (tx, id) => tx.update(users).set({ fullName: 'Renamed Person' }).where(and(ofTenant(users), eq(users.id, id))),
    changed: { column: 'full_name', from: 'Audited Person', to: 'Renamed Person' },
  },
  sessions: {
    create: (tx, f) =>
      tx
        .insert(sessions)
        .values({ tenantId: f.tenantId, userId: f.ownerId, token: secret.sessionToken, expiresAt: inADay(), userAgent: 'browser 1' })
        .returning(),
    update: (tx, id) => tx.update(sessions).set({ token: secret.rotatedToken, userAgent: 'browser 2' }).where(and(ofTenant(sessions), eq(sessions.id, id))),
    changed: { column: 'user_agent', from: 'browser 1', to: 'browser 2' },
    secrets: { token: [secret.sessionToken, secret.rotatedToken] },
  },
  accounts: {
    create: (tx, f) =>
      tx
        .insert(accounts)
        .values({
          tenantId: f.tenantId,
          userId: f.freeUserId,
          accountId: unique('acct'),
          providerId: 'oidc',
          password: secret.password,
          accessToken: secret.accessToken,
        })
        .returning(),
    update: (tx, id) => tx.update(accounts).set({ password: secret.newPassword, scope: 'openid' }).where(and(ofTenant(accounts), eq(accounts.id, id))),
    changed: { column: 'scope', from: null, to: 'openid' },
    secrets: { password: [secret.password, secret.newPassword], access_token: [secret.accessToken] },
  },
  verifications: {
    create: (tx, f) =>
      tx
        .insert(verifications)
        .values({ tenantId: f.tenantId, identifier: 'reset-password:token-one', value: secret.verification, expiresAt: inADay() })
        .returning(),
    update: (tx, id) =>
      tx.update(verifications).set({ identifier: 'reset-password:token-two', expiresAt: new Date('2031-01-01T00:00:00Z') }).where(and(ofTenant(verifications), eq(verifications.id, id))),
    // better-auth keeps reset tokens in `identifier`, so it is a secret too.
    changed: { column: 'expires_at', from: expect.any(String), to: expect.stringMatching(/^2031-01-01/) },
    secrets: { value: [secret.verification], identifier: ['reset-password:token-one', 'reset-password:token-two'] },
  },
  organizations: {
    create: (tx, f) => tx.insert(organizations).values({ tenantId: f.tenantId, name: unique('Audited org') }).returning(),
    update: (tx, id) => tx.update(organizations).set({ description: 'Now described' }).where(and(ofTenant(organizations), eq(organizations.id, id))),
    changed: { column: 'description', from: '', to: 'Now described' },
  },
  teams: {
    create: (tx, f) => tx.insert(teams).values({ tenantId: f.tenantId, organizationId: f.orgId, name: unique('Audited team') }).returning(),
    update: (tx, id) => tx.update(teams).set({ description: 'Now described' }).where(and(ofTenant(teams), eq(teams.id, id))),
    changed: { column: 'description', from: '', to: 'Now described' },
  },
  user_team_links: {
    create: (tx, f) =>
      tx.insert(userTeamLinks).values({ tenantId: f.tenantId, userId: f.freeUserId, teamId: f.emptyTeamId, role: 'member' }).returning(),
    update: (tx, id) => tx.update(userTeamLinks).set({ role: 'admin' }).where(and(ofTenant(userTeamLinks), eq(userTeamLinks.id, id))),
    changed: { column: 'role', from: 'member', to: 'admin' },
  },
  roles: {
    create: (tx, f) => tx.insert(roles).values({ tenantId: f.tenantId, name: unique('Audited role') }).returning(),
    update: (tx, id) => tx.update(roles).set({ description: 'Now described' }).where(and(ofTenant(roles), eq(roles.id, id))),
    changed: { column: 'description', from: '', to: 'Now described' },
  },
  role_permissions: {
    create: (tx, f) => tx.insert(rolePermissions).values({ tenantId: f.tenantId, roleId: f.freeRoleId, permissionKey: 'users:read' }).returning(),
    update: (tx, id) => tx.update(rolePermissions).set({ permissionKey: 'users:write' }).where(and(ofTenant(rolePermissions), eq(rolePermissions.id, id))),
    changed: { column: 'permission_key', from: 'users:read', to: 'users:write' },
  },
  user_roles: {
    create: (tx, f) => tx.insert(userRoles).values({ tenantId: f.tenantId, userId: f.freeUserId, roleId: f.freeRoleId }).returning(),
    update: (tx, id) => tx.update(userRoles).set({ roleId: a.roleIds.member }).where(and(ofTenant(userRoles), eq(userRoles.id, id))),
    changed: {
      column: 'role_id',
      get from() {
        return a.freeRoleId
      },
      get to() {
        return a.roleIds.member
      },
    },
  },
  categories: {
    create: (tx, f) => tx.insert(categories).values({ tenantId: f.tenantId, name: 'Audited category' }).returning(),
    update: (tx, id) => tx.update(categories).set({ name: 'Renamed category' }).where(and(ofTenant(categories), eq(categories.id, id))),
    changed: { column: 'name', from: 'Audited category', to: 'Renamed category' },
  },
  invitations: {
    create: (tx, f) =>
      tx
        .insert(invitations)
        .values({
          tenantId: f.tenantId,
          email: `${unique('invited')}@example.test`,
          roleId: f.roleIds.member,
          tokenHash: secret.invitation,
          expiresAt: inADay(),
        })
        .returning(),
    update: (tx, id) => tx.update(invitations).set({ status: 'revoked' }).where(and(ofTenant(invitations), eq(invitations.id, id))),
    changed: { column: 'status', from: 'pending', to: 'revoked' },
    secrets: { token_hash: [secret.invitation] },
  },
  user_mfa: {
    create: (tx, f) => tx.insert(userMfa).values({ tenantId: f.tenantId, userId: f.freeUserId, secret: secret.mfaSecret, recoveryCodes: [secret.recoveryHash] }).returning(),
    update: (tx, id) => tx.update(userMfa).set({ recoveryCodes: [], lastTotpStep: TOTP_STEP }).where(and(ofTenant(userMfa), eq(userMfa.id, id))),
    changed: { column: 'last_totp_step', from: null, to: TOTP_STEP },
    secrets: { secret: [secret.mfaSecret], recovery_codes: [secret.recoveryHash] },
  },
}

/** Secret columns read "[redacted]" wherever the row image holds them, and no secret value appears anywhere. */
function expectRedacted(row: AuditRow, lifecycle: Lifecycle) {
  const text = JSON.stringify(row)
  for (const [column, values] of Object.entries(lifecycle.secrets ?? {})) {
    for (const image of [row.oldValues, row.newValues]) {
      if (image) expect(image[column], column).toBe('[redacted]')
    }
    for (const value of values) expect(text).not.toContain(value)
  }
}

describe('row audit', () => {
  it('has a lifecycle for every tenant table', () => {
    expect(Object.keys(LIFECYCLES).sort()).toEqual(TENANT_TABLES.filter((table) => !['audit_log', 'audit_event_outbox', 'category_name_suffixes', 'user_search_suffixes', 'tenant_figures'].includes(table)).sort())
  })

  it.each(Object.entries(LIFECYCLES) as [AuditedTable, Lifecycle][])(
    '%s: INSERT, UPDATE and DELETE each write one audit row with the scope context',
    async (table, lifecycle) => {
      const created = context(a)
      const [inserted] = await withTenant(created, (tx) => lifecycle.create(tx, a))
      if (!inserted) throw new Error('insert returned no row')
      const id = inserted.id
      const createRow = await theAuditRow(created)
      expect(createRow).toMatchObject({ tableName: table, recordId: id, action: 'CREATE', oldValues: null })
      expect(createRow.newValues).toMatchObject({ id, tenant_id: a.tenantId })
      expectRedacted(createRow, lifecycle)

      const updated = context(a)
      await withTenant(updated, (tx) => lifecycle.update(tx, id))
      const updateRow = await theAuditRow(updated)
      expect(updateRow).toMatchObject({ tableName: table, recordId: id, action: 'UPDATE' })
      const { column, from, to } = lifecycle.changed
      const before = updateRow.oldValues?.[column]
      const after = updateRow.newValues?.[column]
      expect({ before, after }).toEqual({ before: from, after: to })
      expect(updateRow.oldValues).toMatchObject({ id, tenant_id: a.tenantId })
      expect(updateRow.newValues).toMatchObject({ id, tenant_id: a.tenantId })
      expectRedacted(updateRow, lifecycle)

      const deleted = context(a)
      const gone = await withTenant(deleted, async (tx) =>
        rowsOf(await tx.execute(sql`delete from ${sql.identifier(table)} where tenant_id = ${scopeTenantId()} and id = ${id} returning id`)),
      )
      expect(gone).toHaveLength(1)
      const deleteRow = await theAuditRow(deleted)
      expect(deleteRow).toMatchObject({ tableName: table, recordId: id, action: 'DELETE', newValues: null })
      expect(deleteRow.oldValues).toMatchObject({ id, tenant_id: a.tenantId, [column]: updateRow.newValues?.[column] })
      expectRedacted(deleteRow, lifecycle)
    },
  )

  it('records a tenant being created and changed under that tenant', async () => {
    const operator = randomUUID()
    const slug = uniqueSlug('audited')
    const provisioned = { userId: operator, requestId: unique('req'), ip: '198.51.100.1', userAgent: 'console' }
    const hash = await testPasswordHash()
    const { tenant, owner } = await withConsole(provisioned, (tx) =>
      provisionTenant(tx, { name: 'Audited Tenant', slug, owner: { email: `owner@${slug}.test`, fullName: 'Owner', password: { hash } } }),
    )
    const created = (await auditRowsOf(provisioned.requestId)).filter((r) => r.tableName === 'tenants')
    expect(created).toHaveLength(1)
    expect(created[0]).toMatchObject({
      tenantId: tenant.id,
      recordId: tenant.id,
      action: 'CREATE',
      oldValues: null,
      userId: operator,
      ipAddress: provisioned.ip,
      userAgent: provisioned.userAgent,
    })
    expect(created[0]?.newValues).toMatchObject({ id: tenant.id, slug, name: 'Audited Tenant' })
    // Provisioning wrote the tenant's roles, owner and account too, all attributed to the same tenant.
    expect(new Set((await auditRowsOf(provisioned.requestId)).map((r) => r.tenantId))).toEqual(new Set([tenant.id]))

    const renamed = { tenantId: tenant.id, userId: owner.id, requestId: unique('req') }
    await withTenant(renamed, (tx) => updateTenant(tx, tenant.id, { name: 'Renamed Tenant' }))
    const [rename, ...others] = await auditRowsOf(renamed.requestId)
    expect(others).toEqual([])
    expect(rename).toMatchObject({ tenantId: tenant.id, tableName: 'tenants', recordId: tenant.id, action: 'UPDATE', userId: owner.id })
    expect(rename?.oldValues).toMatchObject({ name: 'Audited Tenant' })
    expect(rename?.newValues).toMatchObject({ name: 'Renamed Tenant' })

    const suspended = { userId: operator, requestId: unique('req') }
    await withConsole(suspended, (tx) => updateTenant(tx, tenant.id, { isActive: false }))
    const [suspension, ...more] = await auditRowsOf(suspended.requestId)
    expect(more).toEqual([])
    expect(suspension).toMatchObject({ tenantId: tenant.id, tableName: 'tenants', action: 'UPDATE', userId: operator })
    expect(suspension?.oldValues).toMatchObject({ is_active: true })
    expect(suspension?.newValues).toMatchObject({ is_active: false })
  })
})

describe('the purge marker', () => {
  it('does not silence the audit of a tenant that still exists, whoever sets it', async () => {
    const f = await createTenantWithData()
    const ctx = context(f)
    const [org] = await withTenant(ctx, async (tx) => {
      await tx.execute(sql`select set_config('app.purging_tenant', ${f.tenantId}, true)`)
      return tx.delete(organizations).where(eq(organizations.tenantId, f.tenantId)).returning({ id: organizations.id })
    })
    expect(org).toBeDefined()
    const rows = (await auditRowsOf(ctx.requestId)).filter((r) => r.tableName === 'organizations' && r.action === 'DELETE')
    expect(rows.map((r) => r.recordId)).toContain(org?.id)
  })
})

describe('the audit log itself', () => {
  /** Every row of the log, as one value: any change to any row changes it. */
  async function fingerprint() {
    const [row] = rowsOf<{ n: number; digest: string }>(
      await t.owner.db.execute(
        sql`select count(*)::int as n, md5(string_agg(to_jsonb(a)::text, '|' order by a.tenant_id, a.id)) as digest from audit_log a`,
      ),
    )
    return row
  }

  const scopes: [string, <T>(work: (tx: Tx) => Promise<T>) => Promise<T>][] = [
    ['a tenant scope', (work) => withTenant({ tenantId: a.tenantId, userId: a.ownerId }, work)],
    ['the console scope', (work) => withConsole({ tenantId: a.tenantId }, work)],
    ['the resolver scope', (work) => withResolver(work)],
  ]

  it.each(scopes)('cannot be inserted into, updated, deleted from or truncated in %s', async (_, scope) => {
    const before = await fingerprint()
    expect(before?.n).toBeGreaterThan(0)
    const attempts: [string, (tx: Tx) => Promise<unknown>][] = [
      ['insert', (tx) => tx.insert(auditLog).values({ tenantId: a.tenantId, tableName: 'users', action: 'CREATE', requestId: 'forged' })],
      ['update', (tx) => tx.update(auditLog).set({ action: 'SIGN_IN', userId: null })],
      ['update one', (tx) => tx.update(auditLog).set({ newValues: {} }).where(eq(auditLog.tenantId, a.tenantId))],
      ['delete', (tx) => tx.delete(auditLog)],
      ['delete one', (tx) => tx.delete(auditLog).where(and(eq(auditLog.tenantId, a.tenantId), eq(auditLog.tableName, 'users')))],
      ['truncate', (tx) => tx.execute(sql`truncate audit_log`)],
    ]
    for (const [name, attempt] of attempts) {
      const err = await expectPgError(
        probingRls('audit_log is read-only to every request role, whatever the statement names', () => scope(attempt)),
        SQLSTATE.insufficientPrivilege,
        /permission denied/,
      )
      expect(err.message, name).toMatch(/audit_log/)
    }
    expect(await fingerprint()).toEqual(before)
  })

  it('accepts domain events through haven_audit_event, attributed to the context, but not row changes', async () => {
    for (const action of ['CREATE', 'UPDATE', 'DELETE']) {
      await expectPgError(
        withTenant(context(a), (tx) => tx.execute(sql`select haven_audit_event(${action}::audit_action, 'users', ${a.ownerId}::uuid, '{}'::jsonb)`)),
        SQLSTATE.invalidParameterValue,
        /recorded by triggers/,
      )
    }
    const signIn = context(a)
    await withTenant(signIn, (tx) =>
      tx.execute(sql`select haven_audit_event('SIGN_IN', 'users', ${a.ownerId}::uuid, ${JSON.stringify({ method: 'password' })}::jsonb)`),
    )
    const row = await theAuditRow(signIn)
    expect(row).toMatchObject({ action: 'SIGN_IN', tableName: 'users', recordId: a.ownerId, oldValues: null, newValues: { method: 'password' } })
  })

  it('refuses haven_audit_event with no tenant in context', async () => {
    const event = sql`select haven_audit_event('SIGN_IN', 'users', null, '{}'::jsonb)`
    const before = await fingerprint()
    await expectPgError(withConsole({ userId: a.ownerId }, (tx) => tx.execute(event)), SQLSTATE.insufficientPrivilege, /no tenant in context/)
    await expectPgError(
      t.app.db.transaction(async (tx) => {
        await tx.execute(setContextSql('haven_tenant', null, a.ownerId))
        await tx.execute(event)
      }),
      SQLSTATE.insufficientPrivilege,
      /no tenant in context/,
    )
    expect(await fingerprint()).toEqual(before)

    // The console names the tenant an event concerns; then it is recorded there.
    const consoleEvent = { ...context(b), tenantId: b.tenantId }
    await withConsole(consoleEvent, (tx) => tx.execute(sql`select haven_audit_event('CONSOLE_ACCESS', 'tenants', ${b.tenantId}::uuid, '{}'::jsonb)`))
    expect(await theAuditRow(consoleEvent)).toMatchObject({ action: 'CONSOLE_ACCESS', tenantId: b.tenantId })
  })

  it('shows each tenant only its own audit rows', async () => {
    for (const f of [a, b]) {
      const seen = await probingRls('RLS alone shows a tenant only its own audit rows', () =>
        withTenant({ tenantId: f.tenantId }, (tx) => tx.select({ tenantId: auditLog.tenantId, id: auditLog.id }).from(auditLog)),
      )
      const owned = await t.owner.db.select({ id: auditLog.id }).from(auditLog).where(eq(auditLog.tenantId, f.tenantId))
      expect(seen.length).toBeGreaterThan(0)
      expect(seen.filter((r) => r.tenantId !== f.tenantId)).toEqual([])
      expect(seen.map((r) => r.id).sort()).toEqual(owned.map((r) => r.id).sort())
    }
    const all = await probingRls('the console’s policy shows it every tenant’s audit rows', () =>
      withConsole({}, (tx) => tx.select({ id: auditLog.id }).from(auditLog)),
    )
    const total = await t.owner.db.select({ id: auditLog.id }).from(auditLog)
    expect(all).toHaveLength(total.length)
  })
})
