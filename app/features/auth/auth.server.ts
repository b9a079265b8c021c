import { createHash, randomBytes } from 'node:crypto'
import { and, eq, gt, sql } from 'drizzle-orm'
import { APIError } from 'better-auth/api'
import { HttpError } from '../../lib/errors'
import { auth } from '../../server/auth.server'
import { rowsOf, type Tx } from '../../server/db/client.server'
import { accounts, invitations, roles, users } from '../../server/db/schema'
import { type TenantContext, withTenant } from '../../server/db/scope.server'
import { assertEmailFree, createUser } from '../users/users.server'

/**
 * Sign-in attempts allowed per window: per account (tenant + email) and per client IP. Every attempt is counted
 * before the password is checked; a successful one clears its account's count and gives its IP's attempt back, so
 * in effect failures are what is limited. No global lock-out.
 */
export const SIGN_IN_LIMITS = { windowSeconds: 15 * 60, perAccount: 5, perIp: 30 }
/** Reset requests: a few per account, more per IP (a shared office). */
export const RESET_LIMITS = { windowSeconds: 15 * 60, perAccount: 3, perIp: 20 }

type Bucket = { key: string; limit: number }

function signInBuckets(ctx: TenantContext, email: string) {
  return {
    account: { key: `signin:account:${ctx.tenantId}:${email}`, limit: SIGN_IN_LIMITS.perAccount },
    ip: { key: `signin:ip:${ctx.ip ?? 'unknown'}`, limit: SIGN_IN_LIMITS.perIp },
  }
}

/** Counts one attempt in every bucket, atomically; the seconds to wait when any is over its limit, else 0. */
export async function takeAttempt(tx: Tx, buckets: Bucket[], windowSeconds: number): Promise<number> {
  const keys = buckets.map((b) => b.key)
  const limits = buckets.map((b) => b.limit)
  const [row] = rowsOf<{ retry: number }>(
    await tx.execute(sql`select haven_rate_limit_take(${sql`array[${sql.join(keys.map((k) => sql`${k}`), sql`, `)}]::text[]`}, ${sql`array[${sql.join(limits.map((l) => sql`${l}`), sql`, `)}]::int[]`}, ${windowSeconds}) as retry`),
  )
  return Number(row?.retry ?? 0)
}

function tooManyAttempts(seconds: number, what = 'failed sign-in attempts') {
  const minutes = Math.max(1, Math.ceil(seconds / 60))
  return new HttpError(429, 'rate_limited', `Too many ${what}. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, {
    retryAfterSeconds: seconds,
  })
}

const invalidCredentials = () => new HttpError(401, 'invalid_credentials', 'The email or password is incorrect.')

/**
 * Signs in with email and password at the Host's tenant. The attempt is counted in its own committed transaction
 * first (so it survives the sign-in's rollback and a parallel burst cannot slip past the limit); then the password
 * is checked and the session created in the request's tenant transaction.
 */
export async function signInWithPassword(
  ctx: TenantContext,
  input: { email: string; password: string; rememberMe: boolean; headers: Headers; requireSuperuser: boolean },
) {
  const buckets = signInBuckets(ctx, input.email)
  const retry = await withTenant(ctx, (tx) => takeAttempt(tx, [buckets.account, buckets.ip], SIGN_IN_LIMITS.windowSeconds))
  if (retry > 0) {
    await withTenant(ctx, (tx) =>
      tx.execute(sql`select haven_audit_event('SIGN_IN_FAILED', 'users', null, jsonb_build_object('email', ${input.email}::text, 'reason', 'rate_limited'))`),
    )
    throw tooManyAttempts(retry)
  }
  try {
    return await withTenant(ctx, async (tx) => {
      if (input.requireSuperuser) {
        // The console: the password only opens a code challenge; the session is created once the code is right.
        const userId = await checkConsolePassword(tx, ctx.tenantId, input.email, input.password)
        const { createChallenge, getFactor } = await import('../console/mfa.server')
        const token = await createChallenge(tx, ctx.tenantId, userId)
        const challenge = { token, enrolled: Boolean((await getFactor(tx, ctx.tenantId, userId))?.confirmedAt) }
        await tx.execute(sql`select haven_rate_limit_clear(${buckets.account.key})`)
        await tx.execute(sql`select haven_rate_limit_release(${buckets.ip.key})`)
        return { userId, challenge }
      }
      const result = await auth().api.signInEmail({
        body: { email: input.email, password: input.password, rememberMe: input.rememberMe },
        headers: input.headers,
      })
      const userId = result.user.id
      await tx.execute(sql`select haven_set_actor(${userId}, null)`)
      await tx.update(users).set({ lastSignInAt: sql`now()` }).where(eq(users.id, userId))
      await tx.execute(sql`select haven_audit_event('SIGN_IN', 'users', ${userId}::uuid, '{"method":"password"}'::jsonb)`)
      await tx.execute(sql`select haven_rate_limit_clear(${buckets.account.key})`)
      await tx.execute(sql`select haven_rate_limit_release(${buckets.ip.key})`)
      return { userId }
    })
  } catch (error) {
    const rejected =
      (error instanceof APIError && (error.statusCode === 401 || error.statusCode === 403)) ||
      (error instanceof HttpError && error.code === 'invalid_credentials')
    if (!rejected) throw error
    await withTenant(ctx, (tx) =>
      tx.execute(sql`select haven_audit_event('SIGN_IN_FAILED', 'users', null, jsonb_build_object('email', ${input.email}::text))`),
    )
    if (error instanceof APIError && error.statusCode === 403) {
      throw new HttpError(403, 'account_disabled', error.message || 'This account cannot sign in.')
    }
    throw invalidCredentials()
  }
}

/** A superuser's password check without a session (better-auth's own hasher); the user's id, or 401. */
async function checkConsolePassword(tx: Tx, tenantId: string, email: string, password: string): Promise<string> {
  const [row] = await tx
    .select({ id: users.id, isSuperuser: users.isSuperuser, isActive: users.isActive, hash: accounts.password })
    .from(users)
    .innerJoin(accounts, and(eq(accounts.tenantId, users.tenantId), eq(accounts.userId, users.id), eq(accounts.providerId, 'credential')))
    .where(and(eq(users.tenantId, tenantId), eq(users.email, email), eq(users.isDeleted, false)))
  if (!row?.isSuperuser || !row.hash) throw invalidCredentials()
  const context = await auth().$context
  if (!(await context.password.verify({ hash: row.hash, password }))) throw invalidCredentials()
  if (!row.isActive) throw new APIError('FORBIDDEN', { message: 'This account is deactivated.' })
  return row.id
}

/** Throttles reset requests per account and IP; answers whether this one may send a link. */
export async function mayRequestReset(tx: Tx, ctx: TenantContext, email: string): Promise<boolean> {
  const retry = await takeAttempt(
    tx,
    [
      { key: `reset:account:${ctx.tenantId}:${email}`, limit: RESET_LIMITS.perAccount },
      { key: `reset:ip:${ctx.ip ?? 'unknown'}`, limit: RESET_LIMITS.perIp },
    ],
    RESET_LIMITS.windowSeconds,
  )
  return retry === 0
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

export const INVITATION_TTL_DAYS = 7

export async function createInvitation(
  tx: Tx,
  input: { tenantId: string; email: string; fullName: string; roleId: string | null; invitedById: string },
) {
  await assertEmailFree(tx, input.email)
  // A new invitation replaces a pending one for the same address.
  await tx
    .update(invitations)
    .set({ status: 'revoked' })
    .where(and(eq(invitations.email, input.email), eq(invitations.status, 'pending')))
  const token = randomBytes(32).toString('base64url')
  const [invitation] = await tx
    .insert(invitations)
    .values({
      tenantId: input.tenantId,
      email: input.email,
      fullName: input.fullName,
      roleId: input.roleId,
      tokenHash: hashToken(token),
      invitedById: input.invitedById,
      expiresAt: sql`now() + make_interval(days => ${INVITATION_TTL_DAYS})`,
    })
    .returning()
  if (!invitation) throw new Error('createInvitation: insert returned no row')
  return { invitation, token }
}

export async function findPendingInvitation(tx: Tx, token: string) {
  const [invitation] = await tx
    .select()
    .from(invitations)
    .where(and(eq(invitations.tokenHash, hashToken(token)), eq(invitations.status, 'pending'), gt(invitations.expiresAt, sql`now()`)))
  return invitation ?? null
}

/** Creates the invited person's account, marks the invitation used and returns the new user's id. */
export async function acceptInvitation(tx: Tx, input: { token: string; fullName: string; password: string }) {
  const invitation = await findPendingInvitation(tx, input.token)
  if (!invitation) throw new HttpError(410, 'invitation_invalid', 'This invitation link is invalid, expired or already used.')
  const [live] = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.email, invitation.email), eq(users.isDeleted, false)))
  if (live) throw new HttpError(409, 'email_taken', 'An account with this email already exists here. Sign in instead.')
  // A role deleted since the invitation was sent is not handed out (restoring it later must not grant it either).
  const [role] = invitation.roleId
    ? await tx.select({ id: roles.id }).from(roles).where(and(eq(roles.id, invitation.roleId), eq(roles.isDeleted, false)))
    : []
  const user = await createUser(tx, {
    tenantId: invitation.tenantId,
    email: invitation.email,
    fullName: input.fullName,
    roleIds: role ? [role.id] : [],
    password: { plain: input.password },
  })
  await tx
    .update(invitations)
    .set({ status: 'accepted', acceptedAt: sql`now()`, acceptedUserId: user.id })
    .where(eq(invitations.id, invitation.id))
  await tx.execute(sql`select haven_set_actor(${user.id}, null)`)
  await tx.execute(sql`select haven_audit_event('INVITATION_ACCEPTED', 'invitations', ${invitation.id}::uuid, '{}'::jsonb)`)
  return { user, email: invitation.email }
}
