import { createServerFn } from '@tanstack/react-start'
import { deleteCookie, getCookie, getRequest } from '@tanstack/react-start/server'
import { sql } from 'drizzle-orm'
import { forbidden, HttpError, notFound, unauthorized } from '~/lib/errors'
import { msg } from '~/lib/i18n'
import { input } from '~/lib/validate'
import { auth } from '~/server/auth.server'
import { setActor, withTenant } from '~/server/db/scope.server'
import { consoleRealm, requestInfo } from '~/server/middleware'
import { codeSchema } from './mfa.schemas'
import {
  CHALLENGE_COOKIE,
  challengeUser,
  countAttempt,
  dropChallenge,
  pendingEnrollment,
  recordStepUp,
  stepUpStatus,
  verifyCode,
} from './mfa.server'

const signInAgain = () => new HttpError(401, 'challenge_expired', msg('console.errors.signInExpired'))

function consoleRealmOf(realm: { kind: string; tenantId?: string }): string {
  if (realm.kind !== 'console' || !realm.tenantId) throw notFound('page')
  return realm.tenantId
}

/** The authenticator to set up at a first console sign-in: QR code, the secret as text and the otpauth URI. */
export const startEnrollment = createServerFn({ method: 'POST' })
  .middleware([requestInfo])
  .handler(async ({ context }) => {
    const tenantId = consoleRealmOf(context.request.realm)
    return withTenant({ ...context.request.audit, tenantId }, async (tx) => {
      const user = await challengeUser(tx, tenantId, getCookie(CHALLENGE_COOKIE))
      if (!user) throw signInAgain()
      return { email: user.email, ...(await pendingEnrollment(tx, tenantId, user)) }
    })
  })

/**
 * The second step of a console sign-in: the code (or a recovery code, or the first code of an enrolment) turns the
 * password-checked challenge into a session. Attempts are throttled per user and per IP.
 */
export const completeSignIn = createServerFn({ method: 'POST' })
  .middleware([requestInfo])
  .validator(input(codeSchema))
  .handler(async ({ data, context }) => {
    const tenantId = consoleRealmOf(context.request.realm)
    const audit = { ...context.request.audit, tenantId }
    const token = getCookie(CHALLENGE_COOKIE)
    const user = await withTenant(audit, (tx) => challengeUser(tx, tenantId, token))
    if (!user || !token) throw signInAgain()
    await withTenant(audit, (tx) => countAttempt(tx, user.userId, audit.ip))
    try {
      return await withTenant(audit, async (tx) => {
        const result = await verifyCode(tx, tenantId, user, data.code, audit.ip)
        await dropChallenge(tx, tenantId, token)
        await auth().api.createHavenSession({ body: { userId: user.userId }, headers: getRequest().headers })
        await setActor(tx, user.userId, null)
        await tx.execute(sql`update users set last_sign_in_at = now() where tenant_id = ${tenantId} and id = ${user.userId}`)
        const details = JSON.stringify({ method: `password+${result.method}`, enrolled: Boolean(result.recoveryCodes) })
        await tx.execute(sql`select haven_audit_event('SIGN_IN', 'users', ${user.userId}::uuid, ${details}::jsonb)`)
        deleteCookie(CHALLENGE_COOKIE, { path: '/' })
        return { recoveryCodes: result.recoveryCodes ?? null }
      })
    } catch (error) {
      if (error instanceof HttpError && error.code === 'invalid_code') {
        await withTenant(audit, (tx) =>
          tx.execute(sql`select haven_audit_event('SIGN_IN_FAILED', 'users', ${user.userId}::uuid, '{"reason":"wrong_code"}'::jsonb)`),
        )
      }
      throw error
    }
  })

/**
 * A fresh code for this session: for ten minutes it may impersonate, suspend and delete. It takes the console realm
 * (not requireSuperuser, whose single transaction would roll a wrong code's count back) and checks the superuser
 * itself; the attempt is counted in its own transaction before the code is looked at.
 */
export const stepUp = createServerFn({ method: 'POST' })
  .middleware([consoleRealm])
  .validator(input(codeSchema))
  .handler(async ({ data, context }) => {
    const { caller, consoleTenantId } = context
    if (!caller) throw unauthorized()
    if (!caller.user.isSuperuser) throw forbidden(msg('errors.consoleOnly'))
    const audit = { ...context.request.audit, userId: caller.user.id, tenantId: consoleTenantId }
    const who = { userId: caller.user.id, email: caller.user.email }
    await withTenant(audit, (tx) => countAttempt(tx, who.userId, audit.ip))
    return withTenant(audit, async (tx) => {
      await verifyCode(tx, consoleTenantId, who, data.code, audit.ip)
      await recordStepUp(tx, consoleTenantId, who.userId, caller.sessionId)
      return { until: await stepUpStatus(tx, consoleTenantId, who.userId, caller.sessionId) }
    })
  })
