import { and, asc, desc, eq, sql } from 'drizzle-orm'
import { config } from '../../../app.config'
import { forbidden, HttpError, notFound } from '~/lib/errors'
import type { Tx } from '~/server/db/client.server'
import type { Actor } from '~/server/session.server'
import { invitations, roles, users } from '~/server/db/schema'
import type { z } from 'zod'
import type { createInvitationSchema } from '../auth/auth.schemas'
import { createInvitation, hashToken, invitationToken, pendingInvitationTo } from '../auth/auth.server'
import { refuseWhileImpersonating } from '../console/impersonation.server'
import { assertCanGrantRoles, requireRoles } from '../roles/roles.server'
import { likePattern } from './users.server'
import { msg } from '~/lib/i18n'

/** The most pending invitations the Users page lists at once (a workspace with more should clean up). */
export const PENDING_LIST_LIMIT = 200

export function invitationLink(tenantSlug: string, token: string): string {
  const cfg = config()
  return `${cfg.protocol}://${tenantSlug}.${cfg.rootDomain}/invite/${token}`
}

const inviter = (tenantId: string) =>
  sql<string | null>`(select ${users.fullName} from ${users} where ${users.tenantId} = ${tenantId} and ${users.id} = ${invitations.invitedById})`

/**
 * The tenant's pending invitations, newest first, with the role's and the inviter's names; expired ones are listed
 * (marked) so they can be resent or revoked. `q` narrows by address, as the people search does.
 */
export async function listPendingInvitations(tx: Tx, tenantId: string, options: { q?: string; limit?: number } = {}) {
  const where = [eq(invitations.tenantId, tenantId), eq(invitations.status, 'pending')]
  if (options.q) where.push(sql`lower(${invitations.email} || ' ' || ${invitations.fullName}) like ${likePattern(options.q)}`)
  const rows = await tx
    .select({
      id: invitations.id,
      email: invitations.email,
      fullName: invitations.fullName,
      roleName: roles.name,
      invitedBy: inviter(tenantId),
      createdAt: invitations.createdAt,
      expiresAt: invitations.expiresAt,
      expired: sql<boolean>`${invitations.expiresAt} <= now()`,
    })
    .from(invitations)
    .leftJoin(roles, and(eq(roles.tenantId, tenantId), eq(roles.id, invitations.roleId), eq(roles.isDeleted, false)))
    .where(and(...where))
    .orderBy(desc(invitations.createdAt), asc(invitations.id))
    .limit(options.limit ?? PENDING_LIST_LIMIT)
  return rows
}

async function requirePending(tx: Tx, tenantId: string, id: string, lock = false) {
  const query = tx
    .select()
    .from(invitations)
    .where(and(eq(invitations.tenantId, tenantId), eq(invitations.id, id), eq(invitations.status, 'pending')))
  const [row] = lock ? await query.for('update') : await query
  if (!row) throw notFound('invitation')
  return row
}

/**
 * The link of a pending invitation, derived again from its id (never while impersonating, like every link). An invitation made before links were derivable (or
 * under another secret) has a hash this does not match: the admin is asked to resend it instead.
 */
export async function pendingInvitationLink(tx: Tx, actor: Actor, id: string) {
  refuseWhileImpersonating(actor)
  const { tenant } = actor
  const row = await requirePending(tx, tenant.id, id)
  const token = invitationToken(tenant.id, row.id)
  if (hashToken(token) !== row.tokenHash) {
    throw new HttpError(409, 'link_unavailable', msg('serverErrors.linkUnavailable'))
  }
  if (row.expiresAt.getTime() <= Date.now()) throw new HttpError(410, 'invitation_expired', msg('serverErrors.invitationExpired'))
  return { link: invitationLink(tenant.slug, token), email: row.email, expiresAt: row.expiresAt }
}

/**
 * An admin's invitation (the Users page). Refused while impersonating, before anything is looked up: its link would
 * outlive the impersonation. A pending invitation to the address is a 409 unless the admin asked to replace it.
 */
export async function invitePerson(tx: Tx, actor: Actor, data: z.output<typeof createInvitationSchema>) {
  refuseWhileImpersonating(actor)
  if (data.roleId) {
    if (!actor.permissions.includes('roles:manage')) throw forbidden(msg('errors.assignRoleNeedsPermission'))
    await requireRoles(tx, [data.roleId])
    await assertCanGrantRoles(tx, actor.permissions, [data.roleId])
  }
  const { replace, ...fields } = data
  const pending = replace ? null : await pendingInvitationTo(tx, actor.tenant.id, fields.email)
  if (pending) {
    const sent = pending.createdAt.getTime()
    throw new HttpError(409, 'invitation_pending', msg('errors.invitationPending', { email: fields.email, sent }), {
      fieldErrors: { email: msg('errors.alreadyInvited') },
    })
  }
  const { invitation, token, replacedPending } = await createInvitation(tx, { ...fields, tenantId: actor.tenant.id, invitedById: actor.userId })
  const link = invitationLink(actor.tenant.slug, token)
  return { id: invitation.id, email: invitation.email, expiresAt: invitation.expiresAt, link, replacedPending }
}

/**
 * A new invitation to the same address, name and role, from the person resending it; the old one is revoked in the
 * same transaction, so its link stops working. The role is checked as a fresh grant by the resender.
 */
export async function resendInvitation(tx: Tx, actor: Actor, id: string) {
  refuseWhileImpersonating(actor)
  const old = await requirePending(tx, actor.tenant.id, id, true)
  const [role] = old.roleId
    ? await tx
        .select({ id: roles.id })
        .from(roles)
        .where(and(eq(roles.tenantId, actor.tenant.id), eq(roles.id, old.roleId), eq(roles.isDeleted, false)))
    : []
  if (role) await assertCanGrantRoles(tx, actor.permissions, [role.id])
  const { invitation, token } = await createInvitation(tx, {
    tenantId: actor.tenant.id,
    email: old.email,
    fullName: old.fullName,
    roleId: role?.id ?? null,
    invitedById: actor.userId,
  })
  return { id: invitation.id, email: invitation.email, expiresAt: invitation.expiresAt, link: invitationLink(actor.tenant.slug, token) }
}

export async function revokeInvitation(tx: Tx, tenantId: string, id: string) {
  const [row] = await tx
    .update(invitations)
    .set({ status: 'revoked' })
    .where(and(eq(invitations.tenantId, tenantId), eq(invitations.id, id), eq(invitations.status, 'pending')))
    .returning({ email: invitations.email })
  if (!row) throw notFound('invitation')
  return row
}
