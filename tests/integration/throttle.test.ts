import { and, eq, like } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { issueResetLink, mayRequestReset, RESET_LIMITS, SIGN_IN_LIMITS, signInWithPassword } from '~/features/auth/auth.server'
import { HttpError } from '~/lib/errors'
import { auditLog, verifications } from '~/server/db/schema'
import { withTenant } from '~/server/db/scope.server'
import { openTestDatabase, type TestDatabase } from '../support/db'
import { createTestTenant, TEST_PASSWORD } from '../support/fixtures'

let t: TestDatabase
beforeAll(async () => {
  t = await openTestDatabase()
})
afterAll(() => t.close())

const attempt = (tenantId: string, email: string, password: string, ip: string) =>
  signInWithPassword({ tenantId, ip }, { email, password, rememberMe: false, headers: new Headers(), requireSuperuser: false }).then(
    () => 200,
    (e: unknown) => (e instanceof HttpError ? e.status : Promise.reject(e)),
  )

describe('sign-in throttling', () => {
  it('lets no more than the account limit through a burst of parallel wrong passwords', async () => {
    const { tenant, owner } = await createTestTenant()
    const statuses = await Promise.all(Array.from({ length: 12 }, () => attempt(tenant.id, owner.email, 'wrong-password', '192.0.2.10')))
    expect(statuses.filter((s) => s === 401)).toHaveLength(SIGN_IN_LIMITS.perAccount)
    expect(statuses.filter((s) => s === 429)).toHaveLength(12 - SIGN_IN_LIMITS.perAccount)
    expect(await attempt(tenant.id, owner.email, TEST_PASSWORD, '192.0.2.11')).toBe(429)
  })

  it('gives a successful sign-in its IP attempt back, so an office of people signing in is not blocked', async () => {
    const { tenant, owner } = await createTestTenant()
    for (let i = 0; i < SIGN_IN_LIMITS.perIp + 5; i++) expect(await attempt(tenant.id, owner.email, TEST_PASSWORD, '192.0.2.20')).toBe(200)
  }, 120_000) // 35 real password checks (scrypt is slow on purpose)
})

describe('password reset requests', () => {
  it('sends at most the per-account number of links in a window', async () => {
    const { tenant, owner } = await createTestTenant()
    const answers: boolean[] = []
    for (let i = 0; i < RESET_LIMITS.perAccount + 2; i++) {
      answers.push(await withTenant({ tenantId: tenant.id, ip: '192.0.2.30' }, (tx) => mayRequestReset(tx, owner.email)))
    }
    expect(answers).toEqual([...Array(RESET_LIMITS.perAccount).fill(true), false, false])
  })

  it('keeps the reset token out of the audit log', async () => {
    const { tenant, owner } = await createTestTenant()
    const log = console.log
    console.log = () => {}
    try {
      await issueResetLink({ tenantId: tenant.id, requestId: 'reset-redaction' }, { email: owner.email, host: `${tenant.slug}.localhost` })
    } finally {
      console.log = log
    }
    const [stored] = await t.owner.db
      .select({ identifier: verifications.identifier })
      .from(verifications)
      .where(and(eq(verifications.tenantId, tenant.id), like(verifications.identifier, 'reset-password:%')))
    expect(stored?.identifier).toMatch(/^reset-password:.{10,}/)
    const token = stored?.identifier.split(':')[1] ?? 'missing'
    const rows = await t.owner.db.select().from(auditLog).where(and(eq(auditLog.tenantId, tenant.id), eq(auditLog.tableName, 'verifications')))
    expect(rows.length).toBeGreaterThan(0)
    expect(JSON.stringify(rows)).not.toContain(token)
    expect(rows[0]?.newValues).toMatchObject({ identifier: '[redacted]', value: '[redacted]' })
  })
})
