/**
 * Function middleware: the one way a server function learns who is calling and proves they may. Route guards
 * only steer navigation; every server function lists one of these, and the authorization matrix test proves it.
 *
 * Server-only modules are imported inside `.server()` so this file stays safe to reach from client code.
 */
import { createMiddleware } from '@tanstack/react-start'
import { forbidden, HttpError, notFound, unauthorized } from '../lib/errors'
import { msg } from '../lib/i18n'
import type { Permission } from '../lib/permissions'
import type { SessionRow, SessionUser } from './session.server'

/** Resolves the Host to a realm and gathers the audit context of the request. */
export const requestInfo = createMiddleware({ type: 'function' }).server(async ({ next }) => {
  const { describeRequest } = await import('./session.server')
  return next({ context: { request: await describeRequest() } })
})

/**
 * Opens the request's tenant transaction (RLS for the Host's tenant), reads the session inside it and puts the
 * caller, if any, in context. Anonymous callers pass; use requireUser to insist.
 */
export const tenantScope = createMiddleware({ type: 'function' })
  .middleware([requestInfo])
  .server(async ({ next, context }) => {
    const { withTenantSession } = await import('./session.server')
    const { realm } = context.request
    if (realm.kind === 'suspended') throw new HttpError(403, 'tenant_suspended', msg('errors.suspended', { name: realm.name }))
    if (realm.kind !== 'tenant') throw notFound('workspace')
    const { tenantId } = realm
    return withTenantSession({ ...context.request.audit, tenantId }, (tx, caller) =>
      next({ context: { tenantId, tenantName: realm.name, tenantSlug: realm.slug, tx, caller } }),
    )
  })

export const requireUser = createMiddleware({ type: 'function' })
  .middleware([tenantScope])
  .server(async ({ next, context }) => {
    if (!context.caller) throw unauthorized()
    const user: SessionUser = context.caller.user
    return next({ context: { user, permissions: context.caller.permissions } })
  })

export function requirePermission(permission: Permission) {
  return createMiddleware({ type: 'function' })
    .middleware([requireUser])
    .server(async ({ next, context }) => {
      if (!context.permissions.includes(permission)) throw forbidden()
      return next()
    })
}

/** The console realm, anonymous allowed (its sign-in page). The session is read in the console tenant's scope. */
export const consoleRealm = createMiddleware({ type: 'function' })
  .middleware([requestInfo])
  .server(async ({ next, context }) => {
    const { realm } = context.request
    if (realm.kind !== 'console') throw notFound('page')
    const { withTenant } = await import('./db/scope.server')
    const { fetchSession, loadSession, sessionToken } = await import('./session.server')
    const token = await sessionToken()
    const caller = token
      ? await withTenant(
          { ...context.request.audit, tenantId: realm.tenantId },
          (tx, prefetched: SessionRow | null | undefined) => loadSession(tx, realm.tenantId, { prefetched: prefetched ?? null }),
          // Reading (and refreshing) the session may run again, so a conflict in the console work is still retried.
          { prefetch: (tx) => fetchSession(tx, realm.tenantId, token), repeatable: true },
        )
      : null
    return next({ context: { consoleTenantId: realm.tenantId, caller } })
  })

/**
 * A superuser's console session: the work runs in a separate transaction as haven_console, under the console's
 * own cross-tenant policies, with the superuser recorded as the actor of every audited change.
 */
export const requireSuperuser = createMiddleware({ type: 'function' })
  .middleware([consoleRealm])
  .server(async ({ next, context }) => {
    const { caller } = context
    if (!caller) throw unauthorized()
    if (!caller.user.isSuperuser) throw forbidden(msg('errors.consoleOnly'))
    const { withConsole } = await import('./db/scope.server')
    return withConsole({ ...context.request.audit, userId: caller.user.id, tenantId: context.consoleTenantId }, (tx) =>
      next({ context: { user: caller.user, tx } }),
    )
  })
