import { createServerFn } from '@tanstack/react-start'
import { getRequest } from '@tanstack/react-start/server'
import { sql } from 'drizzle-orm'
import { config } from '../../../app.config'
import { HttpError, unauthorized } from '~/lib/errors'
import { msg } from '~/lib/i18n'
import { input } from '~/lib/validate'
import { auth } from '~/server/auth.server'
import { setActor } from '~/server/db/scope.server'
import { requireSuperuser, requireUser, tenantScope } from '~/server/middleware'
import { handoffSchema, impersonateSchema } from './console.schemas'
import { prepareImpersonation, redeemHandoff } from './impersonation.server'
import { assertSteppedUp } from './mfa.server'

/**
 * Console side: with the tenant's consent, a written reason, a time limit and a fresh code, prepares a single-use
 * link to the tenant's host. Nobody can impersonate from inside an impersonation: this runs only at the console.
 */
export const startImpersonation = createServerFn({ method: 'POST' })
  .middleware([requireSuperuser])
  .validator(input(impersonateSchema))
  .handler(async ({ data, context }) => {
    if (!context.caller) throw unauthorized()
    await assertSteppedUp(context.tx, context.consoleTenantId, context.user.id, context.caller.sessionId)
    const { token, slug, person } = await prepareImpersonation(
      { tx: context.tx, consoleTenantId: context.consoleTenantId },
      data,
      { id: context.user.id, fullName: context.user.fullName, email: context.user.email },
    )
    const cfg = config()
    return { url: `${cfg.protocol}://${slug}.${cfg.rootDomain}/impersonate#${token}`, person }
  })

/** Tenant side: redeems the handoff and signs this browser in at this host as the person, for the time granted. */
export const redeemImpersonation = createServerFn({ method: 'POST' })
  .middleware([tenantScope])
  .validator(input(handoffSchema))
  .handler(async ({ data, context }) => {
    if (context.caller?.impersonatorId) throw new HttpError(409, 'impersonating', msg('console.errors.stopFirst'))
    const handoff = await redeemHandoff(context.tx, context.tenantId, data.token)
    // Before the session exists, so that its row is audited as the person's, by the operator, not as the system's.
    await setActor(context.tx, handoff.userId, handoff.impersonatorId)
    await auth().api.createHavenSession({
      body: {
        userId: handoff.userId,
        impersonatorId: handoff.impersonatorId,
        impersonatorName: handoff.impersonatorName,
        impersonationReason: handoff.reason,
        expiresInSeconds: handoff.minutes * 60,
      },
      headers: getRequest().headers,
    })
    // The operator's name and email as they are now: the tenant's audit log names them later from this (ADR 013).
    const details = JSON.stringify({
      reason: handoff.reason,
      minutes: handoff.minutes,
      operatorName: handoff.impersonatorName,
      operatorEmail: handoff.impersonatorEmail ?? null,
    })
    await context.tx.execute(sql`select haven_audit_event('IMPERSONATION_STARTED', 'users', ${handoff.userId}::uuid, ${details}::jsonb)`)
    return { ok: true as const }
  })

/** Ends the impersonation: the session goes (its trigger records IMPERSONATION_ENDED) and so does the cookie. */
export const stopImpersonation = createServerFn({ method: 'POST' })
  .middleware([requireUser])
  .handler(async ({ context }) => {
    if (!context.caller?.impersonatorId) throw new HttpError(409, 'not_impersonating', msg('console.errors.notImpersonating'))
    await auth().api.signOut({ headers: getRequest().headers })
    const cfg = config()
    return { consoleUrl: `${cfg.protocol}://console.${cfg.rootDomain}/` }
  })
