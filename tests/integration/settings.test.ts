import { and, eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { updateSettingsSchema } from '~/features/settings/settings.schemas'
import { getSettings, updateSettings } from '~/features/settings/settings.server'
import { HttpError } from '~/lib/errors'
import { input } from '~/lib/validate'
import type { Tx } from '~/server/db/client.server'
import { auditLog, tenants } from '~/server/db/schema'
import { withTenant } from '~/server/db/scope.server'
import { ofTenant } from '~/server/db/tenant.server'
import { openTestDatabase, type TestDatabase } from '../support/db'
import { english, expectPgError, SQLSTATE } from '../support/errors'
import { createTestTenant } from '../support/fixtures'

type Tenant = { tenantId: string; ownerId: string; name: string }

let t: TestDatabase
let a: Tenant
let b: Tenant

async function tenant(): Promise<Tenant> {
  const { tenant, owner } = await createTestTenant()
  return { tenantId: tenant.id, ownerId: owner.id, name: tenant.name }
}

beforeAll(async () => {
  t = await openTestDatabase()
  a = await tenant()
  b = await tenant()
}, 60_000)
afterAll(() => t.close())

function as<T>(who: Tenant, work: (tx: Tx) => Promise<T>, requestId = 'settings-test'): Promise<T> {
  return withTenant({ tenantId: who.tenantId, userId: who.ownerId, requestId }, work)
}

async function storedRow(who: Tenant) {
  const [row] = await t.owner.db.select().from(tenants).where(eq(tenants.id, who.tenantId))
  if (!row) throw new Error('no tenant row')
  return row
}

describe('settings', () => {
  it('starts with impersonation off and the default theme and language', async () => {
    expect(await as(a, (tx) => getSettings(tx, a.tenantId))).toMatchObject({
      name: a.name,
      settings: { defaultTheme: 'system', defaultLanguage: '', allowImpersonation: false, auditRetentionDays: null, auditLegalHold: false },
    })
  })

  it('renames the workspace and merges preferences into the JSONB, keeping keys it does not know', async () => {
    await t.owner.db
      .update(tenants)
      .set({ settings: sql`${tenants.settings} || '{"billingEmail": "ap@example.test", "defaultTheme": "light"}'::jsonb` })
      .where(eq(tenants.id, a.tenantId))

    const renamed = await as(a, (tx) => updateSettings(tx, a.tenantId, updateSettingsSchema.parse({ name: '  Acme Industries  ' })))
    expect(renamed).toMatchObject({ name: 'Acme Industries', settings: { defaultTheme: 'light' } })

    const switched = await as(a, (tx) => updateSettings(tx, a.tenantId, updateSettingsSchema.parse({ settings: { allowImpersonation: true } })))
    expect(switched.settings).toEqual({ defaultTheme: 'light', defaultLanguage: '', allowImpersonation: true, auditRetentionDays: null, auditLegalHold: false })

    await as(a, (tx) => updateSettings(tx, a.tenantId, updateSettingsSchema.parse({ settings: { defaultTheme: 'dark', defaultLanguage: 'de' } })))
    const row = await storedRow(a)
    expect(row.name).toBe('Acme Industries')
    expect(row.settings).toEqual({ billingEmail: 'ap@example.test', defaultTheme: 'dark', defaultLanguage: 'de', allowImpersonation: true })

    await as(a, (tx) => updateSettings(tx, a.tenantId, updateSettingsSchema.parse({ settings: { allowImpersonation: false } })))
    expect((await storedRow(a)).settings).toMatchObject({ allowImpersonation: false, billingEmail: 'ap@example.test', defaultTheme: 'dark' })
  })

  it('records the switch in the audit log with the actor', async () => {
    await as(a, (tx) => updateSettings(tx, a.tenantId, { settings: { allowImpersonation: true } }), 'settings-audit')
    const rows = await as(a, (tx) =>
      tx
        .select()
        .from(auditLog)
        .where(and(ofTenant(auditLog), eq(auditLog.tableName, 'tenants'), eq(auditLog.requestId, 'settings-audit'))),
    )
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      action: 'UPDATE',
      recordId: a.tenantId,
      userId: a.ownerId,
      newValues: expect.objectContaining({ settings: expect.objectContaining({ allowImpersonation: true }) }),
    })
  })

  it('rejects bad input with field errors', () => {
    const validate = input(updateSettingsSchema)
    const failure = (data: unknown) => {
      try {
        validate(data as never)
      } catch (e) {
        return e as HttpError
      }
      throw new Error('expected a validation error')
    }
    expect(failure({ name: '   ' })).toMatchObject({ status: 400, fieldErrors: { name: 'validation.enterWorkspaceName' } })
    expect(english(failure({ name: '   ' }).fieldErrors?.name)).toBe('Enter a workspace name')
    expect(failure({ settings: { defaultTheme: 'neon' } })).toMatchObject({ status: 400, fieldErrors: { 'settings.defaultTheme': expect.any(String) } })
    expect(failure({ settings: { allowImpersonation: 'yes' } })).toBeInstanceOf(HttpError)
    expect(failure({})).toMatchObject({ status: 400 })
  })

  it('lets the tenant role change only name and settings, never its slug, plan or suspension', async () => {
    for (const column of ['slug', 'is_active', 'plan']) {
      const value = column === 'is_active' ? sql`false` : column === 'plan' ? sql`'enterprise'` : sql`'taken-over'`
      await expectPgError(
        as(a, (tx) => tx.execute(sql`update tenants set ${sql.identifier(column)} = ${value} where id = ${a.tenantId}`)),
        SQLSTATE.insufficientPrivilege,
      )
    }
  })

  it("gives tenant B a 404 for tenant A's settings and changes nothing in A", async () => {
    const before = await storedRow(a)
    const attempts: [string, (tx: Tx) => Promise<unknown>][] = [
      ['getSettings', (tx) => getSettings(tx, a.tenantId)],
      ['updateSettings', (tx) => updateSettings(tx, a.tenantId, { name: 'Owned by B', settings: { allowImpersonation: true } })],
    ]
    for (const [label, attempt] of attempts) {
      const error = await as(b, attempt).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect({ label, status: (error as HttpError | undefined)?.status }).toEqual({ label, status: 404 })
    }
    const updated = await as(b, (tx) => tx.update(tenants).set({ name: 'Owned by B' }).where(eq(tenants.id, a.tenantId)).returning())
    expect(updated).toEqual([])
    expect(await storedRow(a)).toEqual(before)
    expect((await as(b, (tx) => getSettings(tx, b.tenantId))).name).toBe(b.name)
  })
})
