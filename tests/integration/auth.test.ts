import { createHash } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { config } from '../../app.config'
import {
  acceptInvitation,
  createInvitation,
  findPendingInvitation,
  SIGN_IN_LIMITS,
  signInWithPassword,
} from '~/features/auth/auth.server'
import { createUser } from '~/features/users/users.server'
import { HttpError } from '~/lib/errors'
import { rowsOf, type Tx } from '~/server/db/client.server'
import { auditLog, invitations, sessions, userRoles, users } from '~/server/db/schema'
import { type TenantContext, withTenant } from '~/server/db/scope.server'
import { ofTenant } from '~/server/db/tenant.server'
import { openTestDatabase, type TestDatabase } from '../support/db'
import { english } from '../support/errors'
import { createTestTenant, TEST_PASSWORD, testPasswordHash } from '../support/fixtures'
import { unique } from '../support/tenant-data'

type Tenant = { tenantId: string; slug: string; ownerId: string; roleIds: Record<'owner' | 'admin' | 'member', string> }

let t: TestDatabase
let a: Tenant
let b: Tenant

async function tenant(): Promise<Tenant> {
  const { tenant, owner, roleIds } = await createTestTenant()
  return { tenantId: tenant.id, slug: tenant.slug, ownerId: owner.id, roleIds }
}

beforeAll(async () => {
  t = await openTestDatabase()
  a = await tenant()
  b = await tenant()
}, 60_000)
afterAll(() => t.close())

let ipCounter = 0
/** A client address no other test uses, so per-IP counts never leak between tests. */
function freshIp(): string {
  ipCounter += 1
  return `198.51.100.${ipCounter}`
}

function context(f: Tenant, ip: string): TenantContext {
  return { tenantId: f.tenantId, ip, userAgent: 'vitest', requestId: unique('req') }
}

function signIn(f: Tenant, email: string, password: string, options: { ip: string; requireSuperuser?: boolean }) {
  return signInWithPassword(context(f, options.ip), {
    email,
    password,
    rememberMe: false,
    // better-auth's base URL is resolved from the request's Host (allowed hosts), as in a real request.
    headers: new Headers({ host: `${f.slug}.${config().rootDomain}` }),
    requireSuperuser: options.requireSuperuser ?? false,
  })
}

function as<T>(f: Tenant, work: (tx: Tx) => Promise<T>): Promise<T> {
  return withTenant({ tenantId: f.tenantId, userId: f.ownerId, requestId: 'auth-test' }, work)
}

async function httpError(work: Promise<unknown>): Promise<HttpError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(HttpError)
  return error as HttpError
}

/** A user of `f` who signs in with TEST_PASSWORD (or `password`). */
async function addUser(f: Tenant, extra: { email?: string; password?: string; isActive?: boolean; isSuperuser?: boolean } = {}) {
  const email = extra.email ?? `${unique('person')}@example.test`
  const password = extra.password ? { plain: extra.password } : { hash: await testPasswordHash() }
  const user = await as(f, (tx) =>
    createUser(tx, { tenantId: f.tenantId, email, fullName: 'Signing Person', password, isActive: extra.isActive, isSuperuser: extra.isSuperuser }),
  )
  return { id: user.id, email }
}

async function sessionCount(userId: string): Promise<number> {
  return (await t.owner.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, userId))).length
}

async function lastSignInAt(userId: string): Promise<Date | null> {
  const [row] = await t.owner.db.select({ at: users.lastSignInAt }).from(users).where(eq(users.id, userId))
  return row?.at ?? null
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')
const accountKey = (f: Tenant, email: string) => sha256(`${f.tenantId}:signin:account:${email}`)
const ipKey = (ip: string) => sha256(`ip:signin:${ip}`)

async function rateLimitCount(key: string): Promise<number | undefined> {
  const [row] = rowsOf<{ count: number }>(await t.owner.db.execute(sql`select count from auth_rate_limits where key = ${key}`))
  return row === undefined ? undefined : Number(row.count)
}

describe('signInWithPassword', () => {
  it('signs in with the right password: a session, last_sign_in_at and a SIGN_IN audit row', async () => {
    const user = await addUser(a)
    const ip = freshIp()
    expect(await lastSignInAt(user.id)).toBeNull()
    const result = await signIn(a, user.email, TEST_PASSWORD, { ip })
    expect(result).toEqual({ userId: user.id })
    expect(await lastSignInAt(user.id)).toBeInstanceOf(Date)
    const [session] = await t.owner.db.select().from(sessions).where(eq(sessions.userId, user.id))
    expect(session).toMatchObject({ tenantId: a.tenantId, userId: user.id })
    const events = await t.owner.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.tenantId, a.tenantId), eq(auditLog.action, 'SIGN_IN'), eq(auditLog.recordId, user.id)))
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ tableName: 'users', userId: user.id, ipAddress: ip, newValues: { method: 'password' } })
  })

  it('refuses a wrong password with 401 invalid_credentials and a SIGN_IN_FAILED audit row', async () => {
    const user = await addUser(a)
    const ip = freshIp()
    const error = await httpError(signIn(a, user.email, 'not-the-password', { ip }))
    expect(error).toMatchObject({ status: 401, code: 'invalid_credentials' })
    const unknown = await httpError(signIn(a, `${unique('nobody')}@example.test`, TEST_PASSWORD, { ip }))
    expect(unknown).toMatchObject({ status: 401, code: 'invalid_credentials', message: error.message })

    const failures = await t.owner.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.tenantId, a.tenantId), eq(auditLog.action, 'SIGN_IN_FAILED'), eq(auditLog.ipAddress, ip)))
    expect(failures.map((f) => f.newValues)).toEqual(expect.arrayContaining([{ email: user.email }]))
    expect(failures).toHaveLength(2)
    expect(await lastSignInAt(user.id)).toBeNull()
    expect(await sessionCount(user.id)).toBe(0)
  })

  it("accepts each tenant's password only in its own tenant for the same email", async () => {
    const email = `${unique('twin')}@example.test`
    const inA = await addUser(a, { email, password: 'password-of-tenant-a' })
    const inB = await addUser(b, { email, password: 'password-of-tenant-b' })
    const ip = freshIp()
    expect(await signIn(a, email, 'password-of-tenant-a', { ip })).toEqual({ userId: inA.id })
    expect(await signIn(b, email, 'password-of-tenant-b', { ip })).toEqual({ userId: inB.id })
    expect(await httpError(signIn(b, email, 'password-of-tenant-a', { ip }))).toMatchObject({ status: 401, code: 'invalid_credentials' })
    expect(await httpError(signIn(a, email, 'password-of-tenant-b', { ip }))).toMatchObject({ status: 401, code: 'invalid_credentials' })
    const [sessionOfB] = await t.owner.db.select().from(sessions).where(eq(sessions.userId, inB.id))
    expect(sessionOfB?.tenantId).toBe(b.tenantId)
  })

  it('locks one account after 5 failures, even for the right password, but not others from the same IP', async () => {
    const victim = await addUser(a)
    const other = await addUser(a)
    const ip = freshIp()
    for (let i = 0; i < SIGN_IN_LIMITS.perAccount; i++) {
      expect(await httpError(signIn(a, victim.email, `wrong-${i}`, { ip }))).toMatchObject({ status: 401 })
    }
    const locked = await httpError(signIn(a, victim.email, TEST_PASSWORD, { ip }))
    expect(locked).toMatchObject({ status: 429, code: 'rate_limited' })
    expect(locked.retryAfterSeconds).toBeGreaterThan(0)
    expect(locked.retryAfterSeconds).toBeLessThanOrEqual(SIGN_IN_LIMITS.windowSeconds)
    expect(await httpError(signIn(a, victim.email, TEST_PASSWORD, { ip: freshIp() }))).toMatchObject({ status: 429 })
    expect(await sessionCount(victim.id)).toBe(0)

    expect(await signIn(a, other.email, TEST_PASSWORD, { ip })).toEqual({ userId: other.id })
    // The same address in another tenant is another account.
    const twin = await addUser(b, { email: victim.email })
    expect(await signIn(b, victim.email, TEST_PASSWORD, { ip: freshIp() })).toEqual({ userId: twin.id })
  })

  it('keeps the limits in the database, under hashed keys', async () => {
    const user = await addUser(a)
    const ip = freshIp()
    await httpError(signIn(a, user.email, 'wrong', { ip }))
    await httpError(signIn(a, user.email, 'wrong again', { ip }))
    expect(await rateLimitCount(accountKey(a, user.email))).toBe(2)
    expect(await rateLimitCount(ipKey(ip))).toBe(2)
    const keys = rowsOf<{ key: string }>(await t.owner.db.execute(sql`select key from auth_rate_limits`)).map((r) => r.key)
    expect(keys.length).toBeGreaterThanOrEqual(2)
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{64}$/)
    const leaked = rowsOf<{ n: number }>(
      await t.owner.db.execute(sql`select count(*)::int as n from auth_rate_limits r where strpos(to_jsonb(r)::text, ${user.email}) > 0 or strpos(to_jsonb(r)::text, ${ip}) > 0`),
    )
    expect(Number(leaked[0]?.n)).toBe(0)
  })

  // SIGN_IN_LIMITS.perIp deliberately slow password checks (scrypt): a generous timeout for a busy machine.
  it('locks an IP after its failures across many accounts, but not the same account from elsewhere', async () => {
    const ip = freshIp()
    const target = await addUser(a)
    // Spread over many addresses, so no single account reaches its own limit.
    for (let i = 0; i < SIGN_IN_LIMITS.perIp; i++) {
      const email = i % 3 === 0 ? (await addUser(a)).email : `${unique('spray')}@example.test`
      expect(await httpError(signIn(a, email, 'guess', { ip }))).toMatchObject({ status: 401 })
    }
    expect(await rateLimitCount(ipKey(ip))).toBe(SIGN_IN_LIMITS.perIp)
    const blocked = await httpError(signIn(a, target.email, TEST_PASSWORD, { ip }))
    expect(blocked).toMatchObject({ status: 429, code: 'rate_limited' })
    expect(blocked.retryAfterSeconds).toBeGreaterThan(0)
    // The limit follows the address across tenants too.
    expect(await httpError(signIn(b, (await addUser(b)).email, TEST_PASSWORD, { ip }))).toMatchObject({ status: 429 })
    expect(await signIn(a, target.email, TEST_PASSWORD, { ip: freshIp() })).toEqual({ userId: target.id })
  }, 120_000)

  it("clears an account's failures when it signs in", async () => {
    const user = await addUser(a)
    const ip = freshIp()
    const failTimes = async (n: number) => {
      for (let i = 0; i < n; i++) await httpError(signIn(a, user.email, `nope-${i}`, { ip }))
    }
    await failTimes(SIGN_IN_LIMITS.perAccount - 1)
    expect(await rateLimitCount(accountKey(a, user.email))).toBe(SIGN_IN_LIMITS.perAccount - 1)
    await signIn(a, user.email, TEST_PASSWORD, { ip })
    expect(await rateLimitCount(accountKey(a, user.email))).toBeUndefined()
    expect(await rateLimitCount(ipKey(ip))).toBe(SIGN_IN_LIMITS.perAccount - 1)
    await failTimes(SIGN_IN_LIMITS.perAccount - 1)
    expect(await signIn(a, user.email, TEST_PASSWORD, { ip })).toEqual({ userId: user.id })
  })

  it('refuses a deactivated user with 403 account_disabled and creates no session', async () => {
    const user = await addUser(a, { isActive: false })
    const error = await httpError(signIn(a, user.email, TEST_PASSWORD, { ip: freshIp() }))
    expect(error).toMatchObject({ status: 403, code: 'account_disabled' })
    expect(await sessionCount(user.id)).toBe(0)
    expect(await lastSignInAt(user.id)).toBeNull()
    const wrong = await httpError(signIn(a, user.email, 'wrong-password', { ip: freshIp() }))
    expect(wrong).toMatchObject({ status: 401, code: 'invalid_credentials' })
  })

  it('refuses a soft-deleted user with 401', async () => {
    const user = await addUser(a)
    await as(a, (tx) => tx.update(users).set({ isDeleted: true, deletedAt: sql`now()`, deletedById: a.ownerId }).where(and(ofTenant(users), eq(users.id, user.id))))
    expect(await httpError(signIn(a, user.email, TEST_PASSWORD, { ip: freshIp() }))).toMatchObject({ status: 401, code: 'invalid_credentials' })
    expect(await sessionCount(user.id)).toBe(0)
  })

  it('with requireSuperuser refuses anyone who is not a superuser (401), and lets a superuser in', async () => {
    const ip = freshIp()
    const plain = await addUser(a)
    expect(await httpError(signIn(a, plain.email, TEST_PASSWORD, { ip, requireSuperuser: true }))).toMatchObject({
      status: 401,
      code: 'invalid_credentials',
    })
    expect(await sessionCount(plain.id)).toBe(0)
    expect(await lastSignInAt(plain.id)).toBeNull()
    const root = await addUser(a, { isSuperuser: true })
    // The password alone opens a code challenge (ADR 015), not a session.
    expect(await signIn(a, root.email, TEST_PASSWORD, { ip, requireSuperuser: true })).toEqual({
      userId: root.id,
      challenge: { token: expect.any(String), enrolled: false },
    })
    expect(await sessionCount(root.id)).toBe(0)
    // A deactivated superuser: 403 account_disabled, like anyone else, in the reader's language, and no challenge.
    const retired = await addUser(a, { isSuperuser: true, isActive: false })
    const refused = await httpError(signIn(a, retired.email, TEST_PASSWORD, { ip, requireSuperuser: true }))
    expect(refused).toMatchObject({ status: 403, code: 'account_disabled' })
    expect(english(refused.message)).toBe('This account is deactivated.')
  })
})

describe('invitations', () => {
  const invite = (f: Tenant, email: string, roleId: string | null = f.roleIds.member) =>
    as(f, (tx) => createInvitation(tx, { tenantId: f.tenantId, email, fullName: 'Invited Person', roleId, invitedById: f.ownerId }))
  const accept = (f: Tenant, token: string, password = 'invited-password-1') =>
    withTenant({ tenantId: f.tenantId, requestId: 'accept' }, (tx) => acceptInvitation(tx, { tenantId: f.tenantId, token, fullName: 'Accepted Person', password }))
  const find = (f: Tenant, token: string) => withTenant({ tenantId: f.tenantId }, (tx) => findPendingInvitation(tx, f.tenantId, token))

  it('finds a pending invitation by token; accepting creates the user with the role, once', async () => {
    const email = `${unique('invitee')}@example.test`
    const { invitation, token } = await invite(a, email, a.roleIds.admin)
    expect(invitation.tokenHash).not.toContain(token)
    expect(await find(a, token)).toMatchObject({ id: invitation.id, email, status: 'pending', roleId: a.roleIds.admin })
    expect(await find(a, `${token}x`)).toBeNull()

    const { user } = await accept(a, token)
    expect(user).toMatchObject({ email, fullName: 'Accepted Person', tenantId: a.tenantId, isActive: true })
    const held = await t.owner.db.select({ roleId: userRoles.roleId }).from(userRoles).where(eq(userRoles.userId, user.id))
    expect(held).toEqual([{ roleId: a.roleIds.admin }])
    const [row] = await t.owner.db.select().from(invitations).where(eq(invitations.id, invitation.id))
    expect(row).toMatchObject({ status: 'accepted', acceptedUserId: user.id })
    expect(row?.acceptedAt).toBeInstanceOf(Date)
    expect(await find(a, token)).toBeNull()
    // Accepting signs them in: they count as active (the console's "active in 30 days") from now on.
    const [accepted] = await t.owner.db.select({ at: users.lastSignInAt }).from(users).where(eq(users.id, user.id))
    expect(accepted?.at).toBeInstanceOf(Date)

    expect(await httpError(accept(a, token))).toMatchObject({ status: 410, code: 'invitation_invalid' })
    expect(await t.owner.db.select().from(users).where(and(eq(users.tenantId, a.tenantId), eq(users.email, email)))).toHaveLength(1)
    expect(await signIn(a, email, 'invited-password-1', { ip: freshIp() })).toEqual({ userId: user.id })
  })

  it('does not find an expired invitation, nor accept it', async () => {
    const { invitation, token } = await invite(a, `${unique('late')}@example.test`)
    await t.owner.db.update(invitations).set({ expiresAt: sql`now() - interval '1 hour'` }).where(eq(invitations.id, invitation.id))
    expect(await find(a, token)).toBeNull()
    expect(await httpError(accept(a, token))).toMatchObject({ status: 410 })
  })

  it("refuses to invite a live user's email (409), but not a deleted user's", async () => {
    const taken = await addUser(a)
    const error = await httpError(invite(a, taken.email))
    expect(error).toMatchObject({ status: 409, code: 'email_taken' })
    expect(error.fieldErrors?.email).toEqual(expect.any(String))
    await as(a, (tx) => tx.update(users).set({ isDeleted: true, deletedAt: sql`now()` }).where(and(ofTenant(users), eq(users.id, taken.id))))
    const { token } = await invite(a, taken.email)
    expect(await find(a, token)).toMatchObject({ email: taken.email })
  })

  it('replaces a pending invitation for the same address', async () => {
    const email = `${unique('twice')}@example.test`
    const first = await invite(a, email)
    expect(first.replacedPending).toBe(false)
    const second = await invite(a, email)
    expect(second.replacedPending).toBe(true)
    expect(await find(a, first.token)).toBeNull()
    expect(await find(a, second.token)).toMatchObject({ id: second.invitation.id })
    const [old] = await t.owner.db.select({ status: invitations.status }).from(invitations).where(eq(invitations.id, first.invitation.id))
    expect(old?.status).toBe('revoked')
  })

  it("is invisible to another tenant: B cannot find or accept A's invitation", async () => {
    const email = `${unique('foreign')}@example.test`
    const { invitation, token } = await invite(a, email)
    expect(await find(b, token)).toBeNull()
    expect(await httpError(accept(b, token))).toMatchObject({ status: 410 })
    expect(await t.owner.db.select().from(users).where(eq(users.email, email))).toEqual([])
    const [row] = await t.owner.db.select({ status: invitations.status }).from(invitations).where(eq(invitations.id, invitation.id))
    expect(row?.status).toBe('pending')
  })
})
