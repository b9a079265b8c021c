import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto'
import { and, eq, gt, sql } from 'drizzle-orm'
import { APIError } from 'better-auth/api'
import { HttpError } from '~/lib/errors'
import { msg } from '~/lib/i18n'
import { auth } from '~/server/auth.server'
import { rowsOf, type Tx } from '~/server/db/client.server'
import { config } from '../../../app.config'
import { runInBackground } from '~/server/background.server'
import { accounts, invitations, roles, users, verifications } from '~/server/db/schema'
import { sqlState, violatedConstraint } from '~/server/db/errors.server'
import { setActor, type TenantContext, withTenant } from '~/server/db/scope.server'
import { ofTenant } from '~/server/db/tenant.server'
import { assertEmailFree, createUser, emailTaken } from '../users/users.server'
import { createChallenge, getFactor } from '../console/mfa.server'

/**
 * Sign-in attempts allowed per window: per account (tenant + email) and per client IP. Every attempt is counted
 * before the password is checked; a successful one clears its account's count and gives its IP's attempt back, so
 * in effect failures are what is limited. No global lock-out.
 */
export const SIGN_IN_LIMITS = { windowSeconds: 15 * 60, perAccount: 5, perIp: 30 }
/** Reset requests: a few per account, more per IP (a shared office). */
export const RESET_LIMITS = { windowSeconds: 15 * 60, perAccount: 3, perIp: 20 }

type Bucket = { key: string; limit: number }

/**
 * The database completes every key from the verified request context (docs/decisions/009): account keys get the
 * context's tenant in front, `@ip:` keys the context's client address, so a request can only touch its own buckets.
 */
function signInBuckets(email: string) {
  return {
    account: { key: `signin:account:${email}`, limit: SIGN_IN_LIMITS.perAccount },
    ip: { key: '@ip:signin', limit: SIGN_IN_LIMITS.perIp },
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

function tooManyAttempts(seconds: number) {
  const minutes = Math.max(1, Math.ceil(seconds / 60))
  return new HttpError(429, 'rate_limited', msg('errors.tooManySignIns', { count: minutes }), {
    retryAfterSeconds: seconds,
  })
}

const invalidCredentials = () => new HttpError(401, 'invalid_credentials', msg('errors.invalidCredentials'))

/**
 * Signs in with email and password at the Host's tenant. The attempt is counted in its own committed transaction
 * first (so it survives the sign-in's rollback and a parallel burst cannot slip past the limit); then the password
 * is checked and the session created in the request's tenant transaction.
 */
export async function signInWithPassword(
  ctx: TenantContext,
  input: { email: string; password: string; rememberMe: boolean; headers: Headers; requireSuperuser: boolean },
) {
  const buckets = signInBuckets(input.email)
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
      await setActor(tx, userId, null)
      await tx.update(users).set({ lastSignInAt: sql`now()` }).where(and(ofTenant(users), eq(users.id, userId)))
      await tx.execute(sql`select haven_audit_event('SIGN_IN', 'users', ${userId}::uuid, '{"method":"password"}'::jsonb)`)
      await tx.execute(sql`select haven_rate_limit_clear(${buckets.account.key})`)
      await tx.execute(sql`select haven_rate_limit_release(${buckets.ip.key})`)
      return { userId }
    })
  } catch (error) {
    const rejected =
      (error instanceof APIError && (error.statusCode === 401 || error.statusCode === 403)) ||
      (error instanceof HttpError && (error.code === 'invalid_credentials' || error.code === 'account_disabled'))
    if (!rejected) throw error
    await withTenant(ctx, (tx) =>
      tx.execute(sql`select haven_audit_event('SIGN_IN_FAILED', 'users', null, jsonb_build_object('email', ${input.email}::text))`),
    )
    if ((error instanceof APIError && error.statusCode === 403) || (error instanceof HttpError && error.code === 'account_disabled')) {
      throw new HttpError(403, 'account_disabled', msg('errors.accountDisabled'))
    }
    throw invalidCredentials()
  }
}

/** A superuser's password check without a session (better-auth's own hasher); the user's id, or 401. */
async function checkConsolePassword(tx: Tx, tenantId: string, email: string, password: string): Promise<string> {
  const [row] = await tx
    .select({ id: users.id, isSuperuser: users.isSuperuser, isActive: users.isActive, hash: accounts.password })
    .from(users)
    .innerJoin(accounts, and(eq(accounts.tenantId, tenantId), eq(accounts.userId, users.id), eq(accounts.providerId, 'credential')))
    .where(and(eq(users.tenantId, tenantId), eq(users.email, email), eq(users.isDeleted, false)))
  if (!row?.isSuperuser || !row.hash) throw invalidCredentials()
  const context = await auth().$context
  if (!(await context.password.verify({ hash: row.hash, password }))) throw invalidCredentials()
  if (!row.isActive) throw new HttpError(403, 'account_disabled', msg('errors.accountDisabled'))
  return row.id
}

/** Throttles reset requests per account and IP; answers whether this one may send a link. */
export async function mayRequestReset(tx: Tx, email: string): Promise<boolean> {
  const retry = await takeAttempt(
    tx,
    [
      { key: `reset:account:${email}`, limit: RESET_LIMITS.perAccount },
      { key: '@ip:reset', limit: RESET_LIMITS.perIp },
    ],
    RESET_LIMITS.windowSeconds,
  )
  return retry === 0
}

/** How long a reset link works. better-auth's resetPassword finds the row by `reset-password:<token>`. */
export const RESET_LINK_TTL_SECONDS = 60 * 60

/**
 * The request path of "forgot password": count the attempt, then hand the lookup and the link to background work
 * and answer. Known, unknown, deactivated and throttled addresses do the same work here, so the answer and its
 * timing reveal nothing (ADR 014).
 */
export async function requestResetLink(tx: Tx, ctx: TenantContext, input: { email: string; host: string }): Promise<void> {
  if (!(await mayRequestReset(tx, input.email))) return
  const background: TenantContext = { tenantId: ctx.tenantId, ip: ctx.ip, userAgent: ctx.userAgent, requestId: ctx.requestId }
  runInBackground('password reset link', () => issueResetLink(background, input))
}

/**
 * Issues a reset link to a live, active person with this address at this tenant, or does nothing. A deactivated
 * person gets no link (and the caller got the same answer as for an unknown address). No mail transport is
 * configured: the link goes to the server log (see README).
 */
export async function issueResetLink(ctx: TenantContext, input: { email: string; host: string }): Promise<void> {
  const cfg = config()
  await withTenant(ctx, async (tx) => {
    const [user] = await tx
      .select({ id: users.id, email: users.email })
      .from(users)
      .where(and(eq(users.tenantId, ctx.tenantId), eq(users.email, input.email), eq(users.isDeleted, false), eq(users.isActive, true)))
    if (!user) return
    const token = randomBytes(24).toString('base64url')
    await tx.insert(verifications).values({
      tenantId: ctx.tenantId,
      identifier: `reset-password:${token}`,
      value: user.id,
      expiresAt: sql`now() + make_interval(secs => ${RESET_LINK_TTL_SECONDS})`,
    })
    const link = `${cfg.protocol}://${input.host}/reset-password?token=${encodeURIComponent(token)}`
    console.log(`[haven] password reset link for ${user.email} at ${input.host}: ${link}`)
  })
}

/** Whether a reset link would still work: better-auth deletes its row when it is used, and it expires. */
export async function isResetLinkUsable(tx: Tx, tenantId: string, token: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: verifications.id })
    .from(verifications)
    .where(and(eq(verifications.tenantId, tenantId), eq(verifications.identifier, `reset-password:${token}`), gt(verifications.expiresAt, sql`now()`)))
  return row !== undefined
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

export const INVITATION_TTL_DAYS = 7

/**

 * The database refuses a pending invitation for an address that became a live person at the same moment (migration
 * 0015: both sides lock the address, then look for the other); that is the same answer as the check before it.
 */
async function insertUnlessLive<T>(insert: () => Promise<T>): Promise<T> {
  try {
    return await insert()
  } catch (error) {
    if (sqlState(error) === '23505' && violatedConstraint(error) === 'users_tenant_email_live_key') throw emailTaken()
    throw error
  }
}

/**
 * An invitation's link token, derived from the auth secret, the tenant and the invitation's id (decision 018). Only
 * its hash is stored, as before, yet the server can show the link again ("copy link") without keeping it anywhere.
 */
export function invitationToken(tenantId: string, invitationId: string): string {
  return createHmac('sha256', config().authSecret).update(`haven.invitation.v1:${tenantId}:${invitationId}`).digest('base64url')
}

/** The pending invitation to an address, if any (expired ones included: they still block a silent replacement). */
export async function pendingInvitationTo(tx: Tx, tenantId: string, email: string) {
  const [row] = await tx
    .select({ id: invitations.id, createdAt: invitations.createdAt, expiresAt: invitations.expiresAt })
    .from(invitations)
    .where(and(eq(invitations.tenantId, tenantId), eq(invitations.email, email), eq(invitations.status, 'pending')))
  return row ?? null
}

export async function createInvitation(
  tx: Tx,
  input: { tenantId: string; email: string; fullName: string; roleId: string | null; invitedById: string },
) {
  await assertEmailFree(tx, input.email)
  // A new invitation replaces a pending one for the same address; the admin is told the old link stops working.
  const replaced = await tx
    .update(invitations)
    .set({ status: 'revoked' })
    .where(and(eq(invitations.tenantId, input.tenantId), eq(invitations.email, input.email), eq(invitations.status, 'pending')))
    .returning({ id: invitations.id, fullName: invitations.fullName })
  const id = randomUUID()
  const token = invitationToken(input.tenantId, id)
  const [invitation] = await insertUnlessLive(() => tx
    .insert(invitations)
    .values({
      id,
      tenantId: input.tenantId,
      email: input.email,
      // A replacement without a name keeps the name the admin typed the first time (the accept page pre-fills it).
      fullName: input.fullName || (replaced[0]?.fullName ?? ''),
      roleId: input.roleId,
      tokenHash: hashToken(token),
      invitedById: input.invitedById,
      expiresAt: sql`now() + make_interval(days => ${INVITATION_TTL_DAYS})`,
    })
    .returning())
  if (!invitation) throw new Error('createInvitation: insert returned no row')
  return { invitation, token, replacedPending: replaced.length > 0 }
}

const usable = (tenantId: string, token: string) =>
  and(
    eq(invitations.tenantId, tenantId),
    eq(invitations.tokenHash, hashToken(token)),
    eq(invitations.status, 'pending'),
    gt(invitations.expiresAt, sql`now()`),
  )

const invitationGone = () => new HttpError(410, 'invitation_invalid', msg('errors.invitationInvalid'))

export async function findPendingInvitation(tx: Tx, tenantId: string, token: string) {
  const [invitation] = await tx.select().from(invitations).where(usable(tenantId, token))
  return invitation ?? null
}

/** Who sent an invitation and which live role it carries, for the accept page. */
export async function invitationParties(tx: Tx, tenantId: string, invitation: { invitedById: string | null; roleId: string | null }) {
  const [inviter] = invitation.invitedById
    ? await tx
        .select({ name: users.fullName })
        .from(users)
        .where(and(eq(users.tenantId, tenantId), eq(users.id, invitation.invitedById)))
    : []
  const [role] = invitation.roleId
    ? await tx
        .select({ name: roles.name })
        .from(roles)
        .where(and(eq(roles.tenantId, tenantId), eq(roles.id, invitation.roleId), eq(roles.isDeleted, false)))
    : []
  return { invitedBy: inviter?.name ?? null, roleName: role?.name ?? null }
}

/**
 * Creates the invited person's account, marks the invitation used and returns the new user's id. The invitation is
 * claimed first, by an update that only a pending row matches: of two acceptances at the same moment the second
 * waits for the first's row lock, then matches nothing and gets 410.
 */
export async function acceptInvitation(tx: Tx, input: { tenantId: string; token: string; fullName: string; password: string }) {
  const [invitation] = await tx
    .update(invitations)
    .set({ status: 'accepted', acceptedAt: sql`now()` })
    .where(usable(input.tenantId, input.token))
    .returning()
  if (!invitation) throw invitationGone()
  const [live] = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.tenantId, input.tenantId), eq(users.email, invitation.email), eq(users.isDeleted, false)))
  if (live) throw new HttpError(409, 'email_taken', msg('errors.emailTaken'))
  // A role deleted since the invitation was sent is not handed out (restoring it later must not grant it either).
  const [role] = invitation.roleId
    ? await tx
        .select({ id: roles.id })
        .from(roles)
        .where(and(eq(roles.tenantId, input.tenantId), eq(roles.id, invitation.roleId), eq(roles.isDeleted, false)))
    : []
  const user = await createUser(tx, {
    tenantId: invitation.tenantId,
    email: invitation.email,
    fullName: input.fullName,
    roleIds: role ? [role.id] : [],
    assignedById: invitation.invitedById,
    password: { plain: input.password },
  })
  await tx
    .update(invitations)
    .set({ acceptedUserId: user.id })
    .where(and(eq(invitations.tenantId, input.tenantId), eq(invitations.id, invitation.id)))
  await setActor(tx, user.id, null)
  // Accepting signs the person in (the caller starts their session), so they count as active from now on.
  await tx.update(users).set({ lastSignInAt: sql`now()` }).where(and(eq(users.tenantId, input.tenantId), eq(users.id, user.id)))
  await tx.execute(sql`select haven_audit_event('INVITATION_ACCEPTED', 'invitations', ${invitation.id}::uuid, '{}'::jsonb)`)
  return { user, email: invitation.email }
}
