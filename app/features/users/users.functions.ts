import { createServerFn } from '@tanstack/react-start'
import { and, eq } from 'drizzle-orm'
import { users } from '../../server/db/schema'
import { HttpError } from '../../lib/errors'
import { input } from '../../lib/validate'
import { requirePermission } from '../../server/middleware'
import { assertCanGrantRoles, requireRoles } from '../roles/roles.server'
import { refusedWhileImpersonating } from '../console/impersonation.server'
import { createUserSchema, listUsersSchema, setUserRolesSchema, updateUserSchema, userIdSchema } from './users.schemas'
import {
  assertMayManage,
  createUserChecked,
  findUsers,
  getUserDetail,
  getUserInTrash,
  lockOut,
  reactivate,
  replaceUserRoles,
  updateUserRow,
  userFilterOptions,
} from './users.server'

export const listUsers = createServerFn({ method: 'GET' })
  .middleware([requirePermission('users:read')])
  .validator(input(listUsersSchema))
  .handler(({ data, context }) => findUsers(context.tx, data))

export const getUserFilterOptions = createServerFn({ method: 'GET' })
  .middleware([requirePermission('users:read')])
  .handler(({ context }) => userFilterOptions(context.tx))

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
  .handler(async ({ data, context }) => {
    if (data.roleIds.length > 0) {
      if (!context.permissions.includes('roles:manage')) throw new HttpError(403, 'forbidden', 'Assigning roles needs the roles:manage permission.')
      await requireRoles(context.tx, data.roleIds)
      await assertCanGrantRoles(context.tx, context.permissions, data.roleIds)
    }
    const user = await createUserChecked(context.tx, {
      tenantId: context.tenantId,
      email: data.email,
      fullName: data.fullName,
      roleIds: data.roleIds,
      metadata: data.metadata,
      password: data.password ? { plain: data.password } : undefined,
    })
    return { id: user.id }
  })

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
    await reactivate(context.tx, data.id)
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
