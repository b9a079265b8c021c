import { createServerFn } from '@tanstack/react-start'
import { getRequest, setCookie } from '@tanstack/react-start/server'
import { APIError } from 'better-auth/api'
import { eq, sql } from 'drizzle-orm'
import { config } from '../../../app.config'
import { HttpError, notFound } from '~/lib/errors'
import { localeFromAcceptLanguage, msg } from '~/lib/i18n'
import { input } from '~/lib/validate'
import { auth } from '~/server/auth.server'
import { actorOf } from '~/server/session.server'
import { tenants } from '~/server/db/schema'
import { setActor, withTenant } from '~/server/db/scope.server'
import { consoleRealm, requestInfo, requirePermission, tenantScope } from '~/server/middleware'
import {
  acceptInvitationSchema,
  createInvitationSchema,
  forgotPasswordSchema,
  invitationTokenSchema,
  resetPasswordSchema,
  signInSchema,
} from './auth.schemas'
import { impersonationOf, refuseWhileImpersonating } from '../console/impersonation.server'
import { invitePerson } from '../users/invitations.server'
import { CHALLENGE_COOKIE, CHALLENGE_TTL_SECONDS } from '../console/mfa.server'
import {
  acceptInvitation as redeemInvitation,
  findPendingInvitation,
  invitationParties,
  isResetLinkUsable,
  requestResetLink,
  signInWithPassword,
} from './auth.server'

/** What the Host is: the landing site, the console, a tenant, a suspended tenant or nothing at all. */
export const getRealm = createServerFn({ method: 'GET' })
  .middleware([requestInfo])
  .handler(async ({ context }) => {
    const { realm } = context.request
    const cfg = config()
    // The browser's languages are the last say before English; a person's or workspace's choice comes first.
    const acceptLocale = localeFromAcceptLanguage(getRequest().headers.get('accept-language')) ?? null
    const base = { rootDomain: cfg.rootDomain, protocol: cfg.protocol, acceptLocale }
    switch (realm.kind) {
      case 'tenant':
        return { ...base, kind: 'tenant' as const, name: realm.name, slug: realm.slug }
      case 'suspended':
        return { ...base, kind: 'suspended' as const, name: realm.name, slug: realm.slug }
      case 'console':
        return { ...base, kind: 'console' as const, name: realm.name }
      default:
        return { ...base, kind: realm.kind }
    }
  })

/** The signed-in person at this tenant (or null) with their permissions, for the app shell. */
export const getTenantSession = createServerFn({ method: 'GET' })
  .middleware([tenantScope])
  .handler(async ({ context }) => {
    const [row] = await context.tx.select({ settings: tenants.settings }).from(tenants).where(eq(tenants.id, context.tenantId))
    const defaults = { theme: row?.settings.defaultTheme ?? 'system', language: row?.settings.defaultLanguage || null }
    const tenant = { name: context.tenantName, slug: context.tenantSlug, defaults }
    if (!context.caller) return { tenant, user: null, permissions: [], impersonating: false, impersonation: null }
    const { user, permissions, impersonatorId, sessionId } = context.caller
    const impersonation = impersonatorId ? await impersonationOf(context.tx, context.tenantId, sessionId) : null
    return { tenant, user, permissions, impersonating: impersonatorId !== null, impersonation }
  })

export const getConsoleSession = createServerFn({ method: 'GET' })
  .middleware([consoleRealm])
  .handler(async ({ context }) => {
    const user = context.caller?.user
    return { user: user?.isSuperuser ? user : null }
  })

export const signIn = createServerFn({ method: 'POST' })
  .middleware([requestInfo])
  .validator(input(signInSchema))
  .handler(async ({ data, context }) => {
    const { realm, audit } = context.request
    if (realm.kind === 'suspended') throw new HttpError(403, 'tenant_suspended', msg('errors.suspended', { name: realm.name }))
    if (realm.kind !== 'tenant' && realm.kind !== 'console') throw notFound('workspace')
    const result = await signInWithPassword(
      { ...audit, tenantId: realm.tenantId },
      { ...data, headers: getRequest().headers, requireSuperuser: realm.kind === 'console' },
    )
    const { challenge } = result
    if (!challenge) return { ok: true as const, next: null }
    setCookie(CHALLENGE_COOKIE, challenge.token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: config().protocol === 'https',
      path: '/',
      maxAge: CHALLENGE_TTL_SECONDS,
    })
    return { ok: true as const, next: challenge.enrolled ? ('code' as const) : ('enroll' as const) }
  })

export const signOut = createServerFn({ method: 'POST' })
  .middleware([requestInfo])
  .handler(async ({ context }) => {
    const { realm, audit } = context.request
    if (realm.kind === 'suspended') throw new HttpError(403, 'tenant_suspended', msg('errors.suspended', { name: realm.name }))
    if (realm.kind !== 'tenant' && realm.kind !== 'console') throw notFound('workspace')
    await withTenant({ ...audit, tenantId: realm.tenantId }, async (tx) => {
      const headers = getRequest().headers
      const current = await auth().api.getSession({ headers })
      if (current) {
        // Signing out of an impersonation is the operator's act: the sign-out and the session's end name both.
        await setActor(tx, current.user.id, current.session.impersonatorId ?? null)
        await tx.execute(sql`select haven_audit_event('SIGN_OUT', 'users', ${current.user.id}::uuid, '{}'::jsonb)`)
      }
      await auth().api.signOut({ headers })
    })
    return { ok: true as const }
  })

/** Always answers the same way, so it reveals nothing about which emails have accounts. */
export const requestPasswordReset = createServerFn({ method: 'POST' })
  .middleware([tenantScope])
  .validator(input(forgotPasswordSchema))
  .handler(async ({ data, context }) => {
    refuseWhileImpersonating(context.caller)
    await requestResetLink(context.tx, { ...context.request.audit, tenantId: context.tenantId }, { email: data.email, host: context.request.host })
    return { ok: true as const }
  })

/** Lets the reset page say on arrival that its link was used or has expired, before anyone types a password. */
export const getResetLinkStatus = createServerFn({ method: 'GET' })
  .middleware([tenantScope])
  .validator(input(invitationTokenSchema))
  .handler(async ({ data, context }) => ({ usable: await isResetLinkUsable(context.tx, context.tenantId, data.token) }))

export const resetPassword = createServerFn({ method: 'POST' })
  .middleware([tenantScope])
  .validator(input(resetPasswordSchema))
  .handler(async ({ data, context }) => {
    refuseWhileImpersonating(context.caller)
    try {
      await auth().api.resetPassword({ body: { token: data.token, newPassword: data.password }, headers: getRequest().headers })
    } catch (error) {
      // Only better-auth's refusal of the token: anything else is a real failure, not an expired link.
      if (error instanceof APIError && error.statusCode < 500) {
        throw new HttpError(410, 'reset_invalid', msg('errors.resetInvalid'))
      }
      throw error
    }
    return { ok: true as const }
  })

export const getInvitation = createServerFn({ method: 'GET' })
  .middleware([tenantScope])
  .validator(input(invitationTokenSchema))
  .handler(async ({ data, context }) => {
    const invitation = await findPendingInvitation(context.tx, context.tenantId, data.token)
    if (!invitation) throw new HttpError(410, 'invitation_invalid', msg('errors.invitationInvalid'))
    const about = await invitationParties(context.tx, context.tenantId, invitation)
    return { email: invitation.email, fullName: invitation.fullName, workspace: context.tenantName, ...about }
  })

export const acceptInvitation = createServerFn({ method: 'POST' })
  .middleware([tenantScope])
  .validator(input(acceptInvitationSchema))
  .handler(async ({ data, context }) => {
    refuseWhileImpersonating(context.caller)
    const { email } = await redeemInvitation(context.tx, { ...data, tenantId: context.tenantId })
    await auth().api.signInEmail({ body: { email, password: data.password, rememberMe: true }, headers: getRequest().headers })
    return { ok: true as const }
  })

export const inviteUser = createServerFn({ method: 'POST' })
  .middleware([requirePermission('users:write')])
  .validator(input(createInvitationSchema))
  .handler(async ({ data, context }) => {
    const invited = await invitePerson(context.tx, actorOf(context), data)
    console.log(`[haven] invitation link for ${invited.email} at ${context.tenantSlug}: ${invited.link}`)
    return invited
  })
