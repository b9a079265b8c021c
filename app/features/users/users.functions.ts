import { createServerFn } from '@tanstack/react-start'
import { and, eq } from 'drizzle-orm'
import { users } from '~/server/db/schema'
import { forbidden } from '~/lib/errors'
import { input } from '~/lib/validate'
import { requirePermission } from '~/server/middleware'
import { actorOf } from '~/server/session.server'
import { assertCanGrantRoles, requireRoles } from '../roles/roles.server'
import { refusedWhileImpersonating } from '../console/impersonation.server'
import { listPendingInvitations, pendingInvitationLink, resendInvitation, revokeInvitation } from './invitations.server'
import { applyBulk } from './bulk.server'
import { bulkUsersSchema, createUserSchema, invitationIdSchema, listUsersSchema, setUserRolesSchema, updateUserSchema, userIdSchema } from './users.schemas'
import {
  addPerson,
  assertMayManage,
  findUsers,
  getUserDetail,
  getUserInTrash,
  lockOut,
  reactivate,
  replaceUserRoles,
  updateUserRow,
  userFilterOptions,
} from './users.server'
import { msg } from '~/lib/i18n'

/** A page of people; with a search, those who manage people also get the pending invitations it matches. */
export const listUsers = createServerFn({ method: 'GET' })
  .middleware([requirePermission('users:read')])
  .validator(input(listUsersSchema))
  .handler(async ({ data, context }) => {
    const page = await findUsers(context.tx, data)
    const invited =
      data.q && context.permissions.includes('users:write') ? await listPendingInvitations(context.tx, context.tenantId, { q: data.q, limit: 10 }) : []
    return { ...page, invited }
  })

export const listInvitations = createServerFn({ method: 'GET' })
  .middleware([requirePermission('users:write')])
  .handler(({ context }) => listPendingInvitations(context.tx, context.tenantId))

export const getInvitationLink = createServerFn({ method: 'GET' })
  .middleware([requirePermission('users:write')])
  .validator(input(invitationIdSchema))
  .handler(({ data, context }) => pendingInvitationLink(context.tx, actorOf(context), data.id))

/** A new link for a pending invitation; the old link stops working in the same transaction. */
export const resendInvitationLink = createServerFn({ method: 'POST' })
  .middleware([requirePermission('users:write')])
  .validator(input(invitationIdSchema))
  .handler(({ data, context }) => resendInvitation(context.tx, actorOf(context), data.id))

export const revokeInvitationLink = createServerFn({ method: 'POST' })
  .middleware([requirePermission('users:write')])
  .validator(input(invitationIdSchema))
  .handler(async ({ data, context }) => ({ ok: true as const, ...(await revokeInvitation(context.tx, context.tenantId, data.id)) }))

/**
 * One action on many people, all or nothing: every person is checked as the single action checks them, and the
 * first refusal rolls the whole request back (one transaction) and names the person. Each change is audited by the
 * database, row by row.
 */
export const bulkUpdateUsers = createServerFn({ method: 'POST' })
  .middleware([requirePermission('users:write')])
  .validator(input(bulkUsersSchema))
  .handler(async ({ data, context }) => {
    if (data.action === 'assignRole') {
      if (!context.permissions.includes('roles:manage')) throw forbidden(msg('serverErrors.assignRolesNeedsPermission'))
      await requireRoles(context.tx, [data.roleId])
      await assertCanGrantRoles(context.tx, context.permissions, [data.roleId])
    }
    const changed = await applyBulk(context.tx, { tenantId: context.tenantId, userId: context.user.id, permissions: context.permissions, impersonatorId: context.caller?.impersonatorId }, data)
    return { ok: true as const, changed }
  })

export const getUserFilterOptions = createServerFn({ method: 'GET' })
  .middleware([requirePermission('users:read')])
  .handler(({ context }) => userFilterOptions(context.tx, context.permissions))

/** A person in the trash, for their page opened by URL: it says so instead of "not found" and offers restore. */
export const getDeletedUser = createServerFn({ method: 'GET' })
  .middleware([requirePermission('users:read')])
  .validator(input(userIdSchema))
  .handler(({ data, context }) => getUserInTrash(context.tx, context.tenantId, data.id))

export const getUser = createServerFn({ method: 'GET' })
  .middleware([requirePermission('users:read')])
  .validator(input(userIdSchema))
  .handler(({ data, context }) => getUserDetail(context.tx, data.id))

export const createUser = createServerFn({ method: 'POST' })
  .middleware([requirePermission('users:write')])
  .validator(input(createUserSchema))
  .handler(async ({ data, context }) => ({ id: (await addPerson(context.tx, actorOf(context), data)).id }))

export const updateUser = createServerFn({ method: 'POST' })
  .middleware([requirePermission('users:write')])
  .validator(input(updateUserSchema))
  .handler(async ({ data, context }) => {
    if (data.data.email !== undefined && context.caller?.impersonatorId) {
      const [current] = await context.tx
        .select({ email: users.email })
        .from(users)
        .where(and(eq(users.tenantId, context.tenantId), eq(users.id, data.id)))
      if (current && current.email !== data.data.email) throw refusedWhileImpersonating()
    }
    await assertMayManage(context.tx, context.permissions, data.id)
    await updateUserRow(context.tx, data.id, data.data)
    return { ok: true as const }
  })

export const deactivateUser = createServerFn({ method: 'POST' })
  .middleware([requirePermission('users:write')])
  .validator(input(userIdSchema))
  .handler(async ({ data, context }) => {
    await assertMayManage(context.tx, context.permissions, data.id)
    await lockOut(context.tx, data.id, context.user.id, 'deactivate')
    return { ok: true as const }
  })

export const reactivateUser = createServerFn({ method: 'POST' })
  .middleware([requirePermission('users:write')])
  .validator(input(userIdSchema))
  .handler(async ({ data, context }) => {
    await assertMayManage(context.tx, context.permissions, data.id)
    await reactivate(context.tx, data.id, context.caller)
    return { ok: true as const }
  })

export const deleteUser = createServerFn({ method: 'POST' })
  .middleware([requirePermission('users:write')])
  .validator(input(userIdSchema))
  .handler(async ({ data, context }) => {
    await assertMayManage(context.tx, context.permissions, data.id)
    await lockOut(context.tx, data.id, context.user.id, 'delete')
    return { ok: true as const }
  })

export const setUserRoles = createServerFn({ method: 'POST' })
  .middleware([requirePermission('roles:manage')])
  .validator(input(setUserRolesSchema))
  .handler(async ({ data, context }) => {
    await assertMayManage(context.tx, context.permissions, data.id)
    const result = await replaceUserRoles(context.tx, context, data.id, data.roleIds)
    return { ok: true as const, ...result }
  })
