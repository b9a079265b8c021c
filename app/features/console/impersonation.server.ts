import { createHash, randomBytes } from 'node:crypto'
import { and, eq, gt, isNotNull, lte, sql } from 'drizzle-orm'
import { forbidden, HttpError, notFound } from '~/lib/errors'
import { msg } from '~/lib/i18n'
import type { Tx } from '~/server/db/client.server'
import { sessions, tenants, users, verifications } from '~/server/db/schema'
import { asOwner } from '../audit/chain.server'
import { auditIn, type ConsoleScope, requireTenant } from './console.server'

/** The link the console opens is good for this long, once. */
export const HANDOFF_TTL_SECONDS = 120

const handoffId = (token: string) => `impersonation:${createHash('sha256').update(token).digest('hex')}`

type Handoff = { userId: string; impersonatorId: string; impersonatorName: string; impersonatorEmail?: string; reason: string; minutes: number }

/**
 * Checks the guardrails and writes a single-use handoff into the tenant (a verification row holding the hash of a
 * random token). The tenant's host redeems it and creates the session there, host-only like every session.
 */
export async function prepareImpersonation(
  scope: ConsoleScope,
  input: { tenantId: string; userId: string; reason: string; minutes: number },
  superuser: { id: string; fullName: string; email?: string },
) {
  const tenant = await requireTenant(scope.tx, input.tenantId)
  if (tenant.isDeleted || !tenant.isActive) throw new HttpError(409, 'tenant_inactive', msg('console.errors.tenantInactive'))
  if (tenant.settings.allowImpersonation !== true) {
    throw new HttpError(403, 'impersonation_not_allowed', msg('console.errors.impersonationNotAllowed', { name: tenant.name }))
  }
  const [person] = await scope.tx
    .select({ id: users.id, fullName: users.fullName, isActive: users.isActive, isSuperuser: users.isSuperuser })
    .from(users)
    .where(and(eq(users.tenantId, input.tenantId), eq(users.id, input.userId), eq(users.isDeleted, false)))
  if (!person) throw notFound('person')
  if (person.isSuperuser) throw forbidden(msg('console.errors.superuserNotImpersonable'))
  if (!person.isActive) throw new HttpError(409, 'account_disabled', msg('errors.accountDisabled'))
  const token = randomBytes(32).toString('base64url')
  const handoff: Handoff = {
    userId: person.id,
    impersonatorId: superuser.id,
    impersonatorName: superuser.fullName,
    impersonatorEmail: superuser.email,
    reason: input.reason,
    minutes: input.minutes,
  }
  await scope.tx.insert(verifications).values({
    tenantId: input.tenantId,
    identifier: handoffId(token),
    value: JSON.stringify(handoff),
    expiresAt: sql`now() + make_interval(secs => ${HANDOFF_TTL_SECONDS})`,
  })
  await auditIn(scope, input.tenantId, 'CONSOLE_ACCESS', 'users', person.id, {
    action: 'impersonate',
    reason: input.reason,
    minutes: input.minutes,
  })
  return { token, slug: tenant.slug, person: person.fullName }
}

/** Takes a handoff (deleting it: single use) and re-checks consent and the person; the handoff or 410. */
export async function redeemHandoff(tx: Tx, tenantId: string, token: string): Promise<Handoff> {
  const [row] = await tx
    .delete(verifications)
    .where(and(eq(verifications.tenantId, tenantId), eq(verifications.identifier, handoffId(token)), gt(verifications.expiresAt, sql`now()`)))
    .returning({ value: verifications.value })
  const gone = () => new HttpError(410, 'handoff_invalid', msg('console.errors.handoffInvalid'))
  if (!row) throw gone()
  const handoff = JSON.parse(row.value) as Handoff
  const [tenant] = await tx.select({ settings: tenants.settings }).from(tenants).where(eq(tenants.id, tenantId))
  if (tenant?.settings.allowImpersonation !== true) throw new HttpError(403, 'impersonation_not_allowed', msg('console.errors.workspaceDisallows'))
  const [person] = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.id, handoff.userId), eq(users.isDeleted, false), eq(users.isActive, true), eq(users.isSuperuser, false)))
  if (!person) throw gone()
  return handoff
}

export async function impersonationOf(tx: Tx, tenantId: string, sessionId: string) {
  const [row] = await tx
    .select({ reason: sessions.impersonationReason, impersonatorName: sessions.impersonatorName, expiresAt: sessions.expiresAt })
    .from(sessions)
    .where(and(eq(sessions.tenantId, tenantId), eq(sessions.id, sessionId)))
  if (!row) return null
  return { reason: row.reason ?? '', impersonatorName: row.impersonatorName ?? 'Haven support', expiresAt: row.expiresAt.toISOString() }
}

export const refusedWhileImpersonating = () => new HttpError(403, 'impersonating', msg('console.errors.lastingAccess'))

/**
 * An impersonation lasts only as long as it was granted, so nothing that outlives it may come from one: no
 * invitation or its link, no password (a new person's, a reset, a change), no email address change. Every server
 * function that could create such lasting access calls this first (issue 9).
 */
export function refuseWhileImpersonating(caller: { impersonatorId?: string | null } | null | undefined) {
  if (caller?.impersonatorId) throw refusedWhileImpersonating()
}

/**
 * Ends every impersonation that ran out, in every tenant, for the server's scheduled audit jobs: a closed tab never
 * comes back to have its expired session removed. The delete trigger writes each IMPERSONATION_ENDED (`expired`,
 * person and operator); a session the browser removed first is gone, so each expiry is logged once. Returns how
 * many ended.
 */
export async function endExpiredImpersonations(): Promise<number> {
  const ended = await asOwner((tx) =>
    tx
      .delete(sessions)
      .where(and(isNotNull(sessions.impersonatorId), lte(sessions.expiresAt, sql`now()`)))
      .returning({ id: sessions.id }),
  )
  return ended.length
}
