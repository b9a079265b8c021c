import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { and, eq, gt, isNotNull, lt, sql } from 'drizzle-orm'
import { Secret, TOTP } from 'otpauth'
import QRCode from 'qrcode'
import { config } from '../../../app.config'
import { HttpError } from '~/lib/errors'
import { msg } from '~/lib/i18n'
import type { Tx } from '~/server/db/client.server'
import { sessions, userMfa, users, verifications } from '~/server/db/schema'
import { takeAttempt } from '../auth/auth.server'

/** A console sign-in waits this long for its code; a step-up lasts this long for the sensitive actions. */
export const CHALLENGE_TTL_SECONDS = 5 * 60
export const STEP_UP_TTL_MINUTES = 10
export const CODE_LIMITS = { windowSeconds: 15 * 60, perUser: 5, perIp: 30 }
export const CHALLENGE_COOKIE = 'haven.console_mfa'
const RECOVERY_CODE_COUNT = 10

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex')

function key(): Buffer {
  return createHash('sha256').update(`haven-mfa:${config().authSecret}`).digest()
}

/** AES-256-GCM under a key derived from the auth secret: a TOTP secret must stay readable to check codes. */
export function encryptSecret(plain: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key(), iv)
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join(':')
}

export function decryptSecret(stored: string): string {
  const [version, iv, tag, body] = stored.split(':')
  if (version !== 'v1' || !iv || !tag || !body) throw new Error('user_mfa: unknown secret format')
  const decipher = createDecipheriv('aes-256-gcm', key(), Buffer.from(iv, 'base64url'))
  decipher.setAuthTag(Buffer.from(tag, 'base64url'))
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
}

export function totpFor(secretBase32: string, email: string): TOTP {
  return new TOTP({ issuer: 'Haven console', label: email, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secretBase32) })
}

/**
 * Codes one step either side of now are accepted (clock drift). Returns the time step the code belongs to, or null:
 * the caller accepts a step only once.
 */
export function totpStep(secretBase32: string, email: string, code: string, now = Date.now()): number | null {
  const totp = totpFor(secretBase32, email)
  const delta = totp.validate({ token: code, window: 1, timestamp: now })
  return delta === null ? null : totp.counter({ timestamp: now }) + delta
}

export function normalizeRecoveryCode(code: string): string {
  return code.trim().toLowerCase().replace(/[^a-z0-9]/g, '')
}

export function newRecoveryCodes(): string[] {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789'
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = randomBytes(10)
    const chars = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('')
    return `${chars.slice(0, 5)}-${chars.slice(5)}`
  })
}

export async function getFactor(tx: Tx, tenantId: string, userId: string) {
  const [row] = await tx.select().from(userMfa).where(and(eq(userMfa.tenantId, tenantId), eq(userMfa.userId, userId)))
  return row ?? null
}

// ---- the half-signed-in state: a challenge row (hash of a random token) plus a host-only cookie holding the token

export async function createChallenge(tx: Tx, tenantId: string, userId: string): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  // Expired challenges of this user go; live ones stay (the same account may be signing in from two browsers).
  await tx
    .delete(verifications)
    .where(and(eq(verifications.tenantId, tenantId), eq(verifications.value, `console-mfa:${userId}`), lt(verifications.expiresAt, sql`now()`)))
  await tx.insert(verifications).values({
    tenantId,
    identifier: `console-mfa:${sha256(token)}`,
    value: `console-mfa:${userId}`,
    expiresAt: sql`now() + make_interval(secs => ${CHALLENGE_TTL_SECONDS})`,
  })
  return token
}

/** The user a live challenge token belongs to (a superuser who passed the password step), or null. */
export async function challengeUser(tx: Tx, tenantId: string, token: string | undefined) {
  if (!token) return null
  const [row] = await tx
    .select({ value: verifications.value, email: users.email, userId: users.id, isSuperuser: users.isSuperuser, isActive: users.isActive })
    .from(verifications)
    .innerJoin(users, and(eq(users.tenantId, tenantId), sql`'console-mfa:' || ${users.id}::text = ${verifications.value}`))
    .where(
      and(
        eq(verifications.tenantId, tenantId),
        eq(verifications.identifier, `console-mfa:${sha256(token)}`),
        gt(verifications.expiresAt, sql`now()`),
        eq(users.isDeleted, false),
      ),
    )
  if (!row?.isSuperuser || !row.isActive) return null
  return { userId: row.userId, email: row.email }
}

export async function dropChallenge(tx: Tx, tenantId: string, token: string) {
  await tx.delete(verifications).where(and(eq(verifications.tenantId, tenantId), eq(verifications.identifier, `console-mfa:${sha256(token)}`)))
}

/** A pending (unconfirmed) secret for enrolment, kept across reloads of the enrolment page until confirmed. */
export async function pendingEnrollment(tx: Tx, tenantId: string, user: { userId: string; email: string }) {
  const existing = await getFactor(tx, tenantId, user.userId)
  if (existing?.confirmedAt) throw new HttpError(409, 'already_enrolled', msg('console.errors.alreadyEnrolled'))
  let secret: string
  if (existing) {
    secret = decryptSecret(existing.secret)
  } else {
    secret = new Secret({ size: 20 }).base32
    await tx.insert(userMfa).values({ tenantId, userId: user.userId, secret: encryptSecret(secret) })
  }
  const uri = totpFor(secret, user.email).toString()
  const qr = await QRCode.toDataURL(uri, { margin: 1, width: 220 })
  return { secret, uri, qr }
}

function throttleBuckets(userId: string, ip: string | null) {
  return { user: { key: `mfa:user:${userId}`, limit: CODE_LIMITS.perUser }, ip: { key: `mfa:ip:${ip ?? 'unknown'}`, limit: CODE_LIMITS.perIp } }
}

function tooMany(seconds: number) {
  const minutes = Math.max(1, Math.ceil(seconds / 60))
  return new HttpError(429, 'rate_limited', msg('errors.tooManyCodes', { count: minutes }), {
    retryAfterSeconds: seconds,
  })
}

const wrongCode = () => new HttpError(401, 'invalid_code', msg('console.errors.wrongCode'), { fieldErrors: { code: msg('console.errors.wrongCodeField') } })

const usedCode = () =>
  new HttpError(401, 'invalid_code', msg('console.errors.usedCode'), {
    fieldErrors: { code: msg('console.errors.usedCodeField') },
  })

/** Counts one code attempt (per user and per IP) in its own transaction before the code is looked at. */
export async function countAttempt(tx: Tx, userId: string, ip: string | null) {
  const b = throttleBuckets(userId, ip)
  const retry = await takeAttempt(tx, [b.user, b.ip], CODE_LIMITS.windowSeconds)
  if (retry > 0) throw tooMany(retry)
}

async function clearAttempts(tx: Tx, userId: string, ip: string | null) {
  const b = throttleBuckets(userId, ip)
  await tx.execute(sql`select haven_rate_limit_clear(${b.user.key})`)
  await tx.execute(sql`select haven_rate_limit_release(${b.ip.key})`)
}

/**
 * Checks a TOTP code, or a recovery code (used up in the same statement that accepts it). With `confirm`, the code
 * confirms a pending enrolment and returns fresh recovery codes to show once.
 */
export async function verifyCode(
  tx: Tx,
  tenantId: string,
  user: { userId: string; email: string },
  code: string,
  ip: string | null,
): Promise<{ method: 'totp' | 'recovery'; recoveryCodes?: string[] }> {
  const factor = await getFactor(tx, tenantId, user.userId)
  if (!factor) throw new HttpError(409, 'not_enrolled', msg('console.errors.notEnrolled'))
  const digits = code.replace(/\s/g, '')
  let method: 'totp' | 'recovery'
  if (/^\d{6}$/.test(digits)) {
    const step = totpStep(decryptSecret(factor.secret), user.email, digits)
    if (step === null) throw wrongCode()
    // A code is good once: the step is taken in the same statement that checks it was not taken, so a code seen
    // over a shoulder or replayed by two requests at once cannot be used again within its window.
    const taken = await tx
      .update(userMfa)
      .set({ lastTotpStep: step })
      .where(
        and(
          eq(userMfa.tenantId, tenantId),
          eq(userMfa.userId, user.userId),
          sql`(${userMfa.lastTotpStep} is null or ${userMfa.lastTotpStep} < ${step})`,
        ),
      )
      .returning({ id: userMfa.id })
    if (taken.length === 0) throw usedCode()
    method = 'totp'
  } else {
    if (!factor.confirmedAt) throw wrongCode()
    const hash = sha256(normalizeRecoveryCode(code))
    const used = await tx
      .update(userMfa)
      .set({ recoveryCodes: sql`array_remove(${userMfa.recoveryCodes}, ${hash})` })
      .where(and(eq(userMfa.tenantId, tenantId), eq(userMfa.userId, user.userId), sql`${hash} = any(${userMfa.recoveryCodes})`))
      .returning({ id: userMfa.id })
    if (used.length === 0) throw wrongCode()
    method = 'recovery'
  }
  await clearAttempts(tx, user.userId, ip)
  if (factor.confirmedAt) return { method }
  const recoveryCodes = newRecoveryCodes()
  await tx
    .update(userMfa)
    .set({ confirmedAt: sql`now()`, recoveryCodes: recoveryCodes.map((c) => sha256(normalizeRecoveryCode(c))) })
    .where(and(eq(userMfa.tenantId, tenantId), eq(userMfa.userId, user.userId)))
  return { method, recoveryCodes }
}

/**
 * A fresh code entered in `sessionId` (the caller's own session): it authorizes that session, and only that one, for
 * ten minutes. Kept on the session row, so a step-up in another browser neither cancels nor grants this one's.
 */
export async function recordStepUp(tx: Tx, tenantId: string, userId: string, sessionId: string) {
  await tx
    .update(sessions)
    .set({ stepUpAt: sql`now()` })
    .where(and(eq(sessions.tenantId, tenantId), eq(sessions.id, sessionId), eq(sessions.userId, userId)))
}

/** When this session's step-up lapses, if it has a live one with a confirmed factor behind it; else null. */
export async function stepUpStatus(tx: Tx, tenantId: string, userId: string, sessionId: string): Promise<string | null> {
  const [row] = await tx
    .select({ until: sql<string>`(${sessions.stepUpAt} + make_interval(mins => ${STEP_UP_TTL_MINUTES}))::text` })
    .from(sessions)
    .innerJoin(userMfa, and(eq(userMfa.tenantId, sessions.tenantId), eq(userMfa.userId, sessions.userId)))
    .where(
      and(
        eq(sessions.tenantId, tenantId),
        eq(userMfa.tenantId, tenantId),
        eq(sessions.id, sessionId),
        eq(sessions.userId, userId),
        isNotNull(userMfa.confirmedAt),
        gt(sessions.stepUpAt, sql`now() - make_interval(mins => ${STEP_UP_TTL_MINUTES})`),
      ),
    )
  return row?.until ?? null
}

/** Impersonating, suspending and deleting need a code entered in this session within the last ten minutes. */
export async function assertSteppedUp(tx: Tx, tenantId: string, userId: string, sessionId: string) {
  if (!(await stepUpStatus(tx, tenantId, userId, sessionId))) throw new HttpError(403, 'step_up_required', msg('console.errors.stepUpRequired'))
}
