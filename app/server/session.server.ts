import { createHmac, timingSafeEqual } from 'node:crypto'
import { getRequest, getRequestHost, getRequestIP } from '@tanstack/react-start/server'
import { parseCookies } from 'better-auth/cookies'
import { and, eq, isNotNull, sql } from 'drizzle-orm'
import { config } from '../../app.config'
import type { UserPreferences } from './db/schema'
import { rolePermissions, roles, sessions, tenants, userRoles, users } from './db/schema'
import { rowsOf, type Tx } from './db/client.server'
import { type AuditContext, setActor, setActorPipelined, type TenantContext, withTenant } from './db/scope.server'
import { ofTenant } from './db/tenant.server'
import type { Permission } from '../lib/permissions'
import { isPermission } from '../lib/permissions'
import { type Locale, localeFromAcceptLanguage, pickLocale } from '../lib/i18n'
import { auth, removedExpiredImpersonation } from './auth.server'
import { type Realm, resolveRealm } from './realm.server'
import { noteCaller, requestEntry, requestIdFrom } from './request-log.server'

/**
 * Ends a tenant's sessions (or only its impersonations) at once, marking why for the end events of the impersonations
 * among them (migrations 0023, 0025): the console suspends or deletes, the workspace withdraws its consent.
 */
export async function endSessionsMarked(
  tx: Tx,
  tenantId: string,
  reason: 'tenant_suspended' | 'tenant_deleted' | 'consent_withdrawn',
  only: 'all' | 'impersonations' = 'all',
) {
  await tx.execute(sql`select haven_mark_sessions_ending(${reason})`)
  await tx.delete(sessions).where(and(eq(sessions.tenantId, tenantId), only === 'impersonations' ? isNotNull(sessions.impersonatorId) : undefined))
  await tx.execute(sql`select haven_mark_sessions_ending(null)`)
}

export type RequestDescription = { realm: Realm; host: string; audit: AuditContext & { ip: string | null } }

/** The Host's realm plus who is asking from where, for the audit trail. */
export async function describeRequest(): Promise<RequestDescription> {
  const request = getRequest()
  const host = getRequestHost({ xForwardedHost: config().trustedProxy }) ?? ''
  const realm = await resolveRealm(host)
  const ip = getRequestIP({ xForwardedFor: config().trustedProxy }) ?? null
  const requestId = requestEntry()?.requestId ?? requestIdFrom(request.headers)
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

/** Who acts in a tenant's server function, for the work it hands to `*.server.ts` (which re-checks what it needs). */
export type Actor = { tenant: { id: string; slug: string }; userId: string; permissions: readonly Permission[]; impersonatorId: string | null }

export function actorOf(context: { tenantId: string; tenantSlug: string; user: { id: string }; permissions: readonly Permission[]; caller: Caller | null }): Actor {
  return {
    tenant: { id: context.tenantId, slug: context.tenantSlug },
    userId: context.user.id,
    permissions: context.permissions,
    impersonatorId: context.caller?.impersonatorId ?? null,
  }
}

/** The session cookie's token when its signature (better-auth's: HMAC-SHA256 with the auth secret) checks out. */
export async function sessionToken(headers: Headers = getRequest().headers): Promise<string | null> {
  const cookieHeader = headers.get('cookie')
  if (!cookieHeader) return null
  const { name } = (await auth().$context).authCookies.sessionToken
  const value = parseCookies(cookieHeader).get(name)
  if (!value) return null
  const dot = value.lastIndexOf('.')
  if (dot < 1) return null
  const given = Buffer.from(value.slice(dot + 1), 'base64')
  const expected = createHmac('sha256', config().authSecret).update(value.slice(0, dot)).digest()
  return given.length === expected.length && timingSafeEqual(given, expected) ? value.slice(0, dot) : null
}

/** The session row by token with its user and the user's permissions: what a request needs, in one statement. */
export type SessionRow = {
  session_id: string
  expires_at: Date | string
  impersonator_id: string | null
  user_id: string
  email: string
  full_name: string
  is_superuser: boolean
  preferences: UserPreferences | null
  permissions: string[]
}

/**
 * The caller by session token in one statement (prefetched with the request's context, so it costs no round trip
 * of its own). Only live, active users of the tenant; expiry is checked by `loadSession`.
 */
export function fetchSession(tx: Tx, tenantId: string, token: string): Promise<SessionRow | null> {
  return tx
    .execute(sql`
      select s.id as session_id, s.expires_at, s.impersonator_id, u.id as user_id, u.email, u.full_name, u.is_superuser,
        u.preferences,
        array(
          select distinct rp.permission_key from ${userRoles} ur
          join ${roles} r on r.tenant_id = ur.tenant_id and r.id = ur.role_id and not r.is_deleted
          join ${rolePermissions} rp on rp.tenant_id = r.tenant_id and rp.role_id = r.id
          where ur.tenant_id = ${tenantId}::uuid and ur.user_id = u.id and r.tenant_id = ${tenantId}::uuid
            and rp.tenant_id = ${tenantId}::uuid
        ) as permissions
      from ${sessions} s
      join ${users} u on u.tenant_id = s.tenant_id and u.id = s.user_id
      where s.tenant_id = ${tenantId}::uuid and u.tenant_id = ${tenantId}::uuid and s.token = ${token}
        and u.is_active and not u.is_deleted`)
    .then((r) => rowsOf<SessionRow>(r)[0] ?? null)
}

/** better-auth's session lifetime and refresh age (auth.server.ts), for the fast path's checks. */
const SESSION_EXPIRES_IN_MS = 60 * 60 * 24 * 7 * 1000
const SESSION_UPDATE_AGE_MS = 60 * 60 * 24 * 1000

/**
 * Reads the session cookie's session inside the request's transaction and makes its user the actor of the
 * transaction. A session of a deactivated or deleted user, or of another tenant, counts as none.
 *
 * Fast path: the row `fetchSession` read (prefetched with the context, or read now) — when it is live and not due
 * for better-auth's daily refresh (an impersonation never is), the actor statement is sent without waiting and nothing
 * else is asked. Otherwise (expired, due for refresh) better-auth's getSession decides, refreshing or deleting as it
 * does.
 */
export async function loadSession(
  tx: Tx,
  tenantId: string,
  options: { headers?: Headers; prefetched?: SessionRow | null } = {},
): Promise<Caller | null> {
  const headers = options.headers ?? getRequest().headers
  const { prefetched } = options
  const token = await sessionToken(headers)
  if (!token) return null
  const row = prefetched !== undefined ? prefetched : await fetchSession(tx, tenantId, token)
  if (!row) return null
  const expiresAt = new Date(row.expires_at).getTime()
  // An impersonation keeps the end it was granted: it is never refreshed (which would also set a 7-day cookie).
  const dueForRefresh = !row.impersonator_id && expiresAt - SESSION_EXPIRES_IN_MS + SESSION_UPDATE_AGE_MS <= Date.now()
  if (expiresAt > Date.now() && !dueForRefresh) {
    const impersonatorId = row.impersonator_id ?? null
    setActorPipelined(tx, row.user_id, impersonatorId)
    return callerOf(
      { id: row.user_id, email: row.email, fullName: row.full_name, isSuperuser: row.is_superuser, preferences: row.preferences },
      { sessionId: row.session_id, impersonatorId, permissions: row.permissions.filter(isPermission) },
    )
  }
  return loadSessionViaAuth(tx, tenantId, headers)
}

async function loadSessionViaAuth(tx: Tx, tenantId: string, headers: Headers): Promise<Caller | null> {
  const result = await auth().api.getSession({ headers })
  if (!result) return null
  const { user, session } = result
  if (session.tenantId !== tenantId || user.tenantId !== tenantId || !user.isActive || user.isDeleted) return null
  const impersonatorId = session.impersonatorId ?? null
  await setActor(tx, user.id, impersonatorId)
  return callerOf(
    { id: user.id, email: user.email, fullName: user.name, isSuperuser: user.isSuperuser, preferences: user.preferences },
    { sessionId: session.id, impersonatorId, permissions: await permissionsOf(tx, user.id) },
  )
}

/** The caller of a session whose user is now the transaction's actor; noted for the request log line. */
function callerOf(
  user: { id: string; email: string; fullName: string; isSuperuser: boolean | null | undefined; preferences: unknown },
  session: Omit<Caller, 'user'>,
): Caller {
  noteCaller({ user: user.id, impersonator: session.impersonatorId ?? undefined })
  return {
    user: { ...user, isSuperuser: user.isSuperuser === true, preferences: (user.preferences ?? {}) as UserPreferences },
    ...session,
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
  // The session is read in the same round trip as the context (decision 002).
  const token = await sessionToken(headers)
  try {
    return await withTenant(
      scope,
      async (tx, prefetched: SessionRow | null | undefined) => {
        const caller = token ? await loadSession(tx, scope.tenantId, { headers, prefetched: prefetched ?? null }) : null
        expired = caller === null && removedExpiredImpersonation(tx)
        return work(tx, caller)
      },
      { prefetch: token ? (tx) => fetchSession(tx, scope.tenantId, token) : undefined },
    )
  } catch (error) {
    if (expired) await withTenant(scope, (tx) => loadSession(tx, scope.tenantId, { headers }))
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

/**
 * The language of what the server writes for a request outside a page (a download, its refusal): the person's
 * choice, else the workspace's default, else the browser's, else English — the order the pages use (decision 020).
 * `caller` is null for a signed-out request.
 */
export async function requestLocale(tx: Tx, tenantId: string, caller: Caller | null, headers: Headers = getRequest().headers): Promise<Locale> {
  const [row] = await tx.select({ settings: tenants.settings }).from(tenants).where(eq(tenants.id, tenantId))
  return pickLocale(caller?.user.preferences.language, row?.settings.defaultLanguage, localeFromAcceptLanguage(headers.get('accept-language')))
}
