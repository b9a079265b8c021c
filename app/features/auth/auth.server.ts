import { createHash, randomBytes } from 'node:crypto'
import { and, eq, gt, sql } from 'drizzle-orm'
import { APIError } from 'better-auth/api'
import { HttpError } from '../../lib/errors'
import { auth } from '../../server/auth.server'
import { rowsOf, type Tx } from '../../server/db/client.server'
import { invitations, roles, users } from '../../server/db/schema'
import { type TenantContext, withTenant } from '../../server/db/scope.server'
import { createUser } from '../users/users.server'

/** Failed sign-ins allowed per window: per account (tenant + email) and per client IP. No global lock-out. */
export const SIGN_IN_LIMITS = { windowSeconds: 15 * 60, perAccount: 5, perIp: 30 }

function signInKeys(ctx: TenantContext, email: string) {
  return { ip: `signin:ip:${ctx.ip ?? 'unknown'}`, account: `signin:account:${ctx.tenantId}:${email}` }
}

export async function signInRetryAfter(tx: Tx, ctx: TenantContext, email: string): Promise<number> {
  const keys = signInKeys(ctx, email)
  const [row] = rowsOf<{ retry: number }>(
    await tx.execute(
      sql`select haven_rate_limit_retry_after(array[${keys.account}, ${keys.ip}]::text[], array[${SIGN_IN_LIMITS.perAccount}, ${SIGN_IN_LIMITS.perIp}]::int[], ${SIGN_IN_LIMITS.windowSeconds}) as retry`,
    ),
  )
  return Number(row?.retry ?? 0)
}

function tooManyAttempts(seconds: number) {
  const minutes = Math.max(1, Math.ceil(seconds / 60))
  return new HttpError(
    429,
    'rate_limited',
    `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
    { retryAfterSeconds: seconds },
  )
}

const invalidCredentials = () => new HttpError(401, 'invalid_credentials', 'The email or password is incorrect.')

/**
 * Signs in with email and password at the Host's tenant. Throttled per account and per IP before the password is
 * checked; a failure is recorded in its own transaction (the sign-in's own rolls back) so it survives.
 */
export async function signInWithPassword(
  ctx: TenantContext,
  input: { email: string; password: string; rememberMe: boolean; headers: Headers; requireSuperuser: boolean },
) {
  const retry = await withTenant(ctx, (tx) => signInRetryAfter(tx, ctx, input.email))
  if (retry > 0) throw tooManyAttempts(retry)
  try {
    return await withTenant(ctx, async (tx) => {
      const result = await auth().api.signInEmail({
        body: { email: input.email, password: input.password, rememberMe: input.rememberMe },
        headers: input.headers,
      })
      const [user] = await tx
        .select({ id: users.id, isSuperuser: users.isSuperuser })
        .from(users)
        .where(eq(users.id, result.user.id))
      if (!user || (input.requireSuperuser && !user.isSuperuser)) throw invalidCredentials()
      await tx.execute(sql`select haven_set_actor(${user.id}, null)`)
      await tx.update(users).set({ lastSignInAt: sql`now()` }).where(eq(users.id, user.id))
      await tx.execute(sql`select haven_audit_event('SIGN_IN', 'users', ${user.id}::uuid, '{"method":"password"}'::jsonb)`)
      await tx.execute(sql`select haven_rate_limit_clear(${signInKeys(ctx, input.email).account})`)
      return { userId: user.id }
    })
  } catch (error) {
    const rejected =
      (error instanceof APIError && (error.statusCode === 401 || error.statusCode === 403)) ||
      (error instanceof HttpError && error.code === 'invalid_credentials')
    if (!rejected) throw error
    await recordSignInFailure(ctx, input.email)
    if (error instanceof APIError && error.statusCode === 403) {
      throw new HttpError(403, 'account_disabled', error.message || 'This account cannot sign in.')
    }
    throw invalidCredentials()
  }
}

async function recordSignInFailure(ctx: TenantContext, email: string) {
  const keys = signInKeys(ctx, email)
  await withTenant(ctx, async (tx) => {
    await tx.execute(sql`select haven_rate_limit_hit(array[${keys.account}, ${keys.ip}]::text[], ${SIGN_IN_LIMITS.windowSeconds})`)
    await tx.execute(
      sql`select haven_audit_event('SIGN_IN_FAILED', 'users', null, jsonb_build_object('email', ${email}::text))`,
    )
  })
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

export const INVITATION_TTL_DAYS = 7

export async function createInvitation(
  tx: Tx,
  input: { tenantId: string; email: string; fullName: string; roleId: string | null; invitedById: string },
) {
  const [live] = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.email, input.email), eq(users.isDeleted, false)))
  if (live) throw new HttpError(409, 'email_taken', 'Someone in this workspace already uses that email.', { fieldErrors: { email: 'Already in use in this workspace' } })
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
