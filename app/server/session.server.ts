import { randomUUID } from 'node:crypto'
import { getRequest, getRequestHost, getRequestIP } from '@tanstack/react-start/server'
import { and, eq } from 'drizzle-orm'
import { config } from '../../app.config'
import type { UserPreferences } from './db/schema'
import { rolePermissions, roles, userRoles } from './db/schema'
import type { Tx } from './db/client.server'
import { type AuditContext, setActor, type TenantContext, withTenant } from './db/scope.server'
import { ofTenant } from './db/tenant.server'
import type { Permission } from '../lib/permissions'
import { isPermission } from '../lib/permissions'
import { auth, removedExpiredImpersonation } from './auth.server'
import { type Realm, resolveRealm } from './realm.server'
import { noteCaller, requestEntry } from './request-log.server'

export type RequestDescription = { realm: Realm; host: string; audit: AuditContext & { ip: string | null } }

/** The Host's realm plus who is asking from where, for the audit trail. */
export async function describeRequest(): Promise<RequestDescription> {
  const request = getRequest()
  const host = getRequestHost({ xForwardedHost: config().trustedProxy }) ?? ''
  const realm = await resolveRealm(host)
  const ip = getRequestIP({ xForwardedFor: config().trustedProxy }) ?? null
  const requestId = requestEntry()?.requestId ?? (request.headers.get('x-request-id')?.slice(0, 64) || randomUUID())
  if (realm.kind === 'tenant' || realm.kind === 'suspended') noteCaller({ tenant: realm.slug })
  else if (realm.kind === 'console') noteCaller({ tenant: 'console' })
  return { realm, host, audit: { ip, userAgent: request.headers.get('user-agent'), requestId } }
}

export type SessionUser = {
  id: string
  email: string
  fullName: string
  isSuperuser: boolean
  preferences: UserPreferences
}

export type Caller = { user: SessionUser; sessionId: string; impersonatorId: string | null; permissions: Permission[] }

/**
 * Reads the session cookie's session inside the request's transaction and makes its user the actor of the
 * transaction. A session of a deactivated or deleted user, or of another tenant, counts as none.
 */
export async function loadSession(tx: Tx, tenantId: string, headers: Headers = getRequest().headers): Promise<Caller | null> {
  const result = await auth().api.getSession({ headers })
  if (!result) return null
  const { user, session } = result
  if (session.tenantId !== tenantId || user.tenantId !== tenantId || !user.isActive || user.isDeleted) return null
  const impersonatorId = session.impersonatorId ?? null
  await setActor(tx, user.id, impersonatorId)
  noteCaller({ user: user.id, impersonator: impersonatorId ?? undefined })
  return {
    user: {
      id: user.id,
      email: user.email,
      fullName: user.name,
      isSuperuser: user.isSuperuser === true,
      preferences: (user.preferences ?? {}) as UserPreferences,
    },
    sessionId: session.id,
    impersonatorId,
    permissions: await permissionsOf(tx, user.id),
  }
}

/**
 * The request's tenant transaction with its caller (tenantScope). An impersonation that ran out ends when its
 * session is next seen: reading it removes the session, whose trigger records the end. A request that then fails
 * (a 401, for that very reason) rolls the removal back, so it is made again on its own.
 */
export async function withTenantSession<T>(
  scope: TenantContext,
  work: (tx: Tx, caller: Caller | null) => Promise<T>,
  headers: Headers = getRequest().headers,
): Promise<T> {
  let expired = false
  try {
    return await withTenant(scope, async (tx) => {
      const caller = await loadSession(tx, scope.tenantId, headers)
      expired = caller === null && removedExpiredImpersonation(tx)
      return work(tx, caller)
    })
  } catch (error) {
    if (expired) await withTenant(scope, (tx) => loadSession(tx, scope.tenantId, headers))
    throw error
  }
}

export async function permissionsOf(tx: Tx, userId: string): Promise<Permission[]> {
  const rows = await tx
    .selectDistinct({ key: rolePermissions.permissionKey })
    .from(userRoles)
    .innerJoin(roles, and(ofTenant(roles), eq(roles.id, userRoles.roleId), eq(roles.isDeleted, false)))
    .innerJoin(rolePermissions, and(ofTenant(rolePermissions), eq(rolePermissions.roleId, roles.id)))
    .where(and(ofTenant(userRoles), eq(userRoles.userId, userId)))
  return rows.map((r) => r.key).filter(isPermission)
}
