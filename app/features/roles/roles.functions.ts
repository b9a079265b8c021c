import { createServerFn } from '@tanstack/react-start'
import { input } from '~/lib/validate'
import { roleWithHolders } from './role-holders.server'
import { requirePermission } from '~/server/middleware'
import { createRoleSchema, permissionMatrixSchema, roleIdSchema, updateRoleSchema } from './roles.schemas'
import { applyPermissionMatrix, editRole, insertRole, listRolesWithHolders, type RoleActor, softDeleteRole } from './roles.server'

const actorOf = (context: {
  tenantId: string
  user: { id: string }
  permissions: RoleActor['permissions']
  caller: { impersonatorId: string | null } | null
}): RoleActor => ({
  tenantId: context.tenantId,
  userId: context.user.id,
  permissions: context.permissions,
  impersonatorId: context.caller?.impersonatorId ?? null,
})

export const listRoles = createServerFn({ method: 'GET' })
  .middleware([requirePermission('roles:manage')])
  .handler(({ context }) => listRolesWithHolders(context.tx))

/** One role's page: its permissions and who holds it, granted by whom and when. */
export const getRole = createServerFn({ method: 'GET' })
  .middleware([requirePermission('roles:manage')])
  .validator(input(roleIdSchema))
  .handler(({ data, context }) => roleWithHolders(context.tx, context.tenantId, data.id))

export const createRole = createServerFn({ method: 'POST' })
  .middleware([requirePermission('roles:manage')])
  .validator(input(createRoleSchema))
  .handler(({ data, context }) => insertRole(context.tx, actorOf(context), data))

export const updateRole = createServerFn({ method: 'POST' })
  .middleware([requirePermission('roles:manage')])
  .validator(input(updateRoleSchema))
  .handler(({ data, context }) => editRole(context.tx, data.id, data.data))

export const deleteRole = createServerFn({ method: 'POST' })
  .middleware([requirePermission('roles:manage')])
  .validator(input(roleIdSchema))
  .handler(({ data, context }) => softDeleteRole(context.tx, actorOf(context), data.id))

/** The whole matrix in one action, in the request's one transaction: every role changes or none does. */
export const savePermissionMatrix = createServerFn({ method: 'POST' })
  .middleware([requirePermission('roles:manage')])
  .validator(input(permissionMatrixSchema))
  .handler(({ data, context }) => applyPermissionMatrix(context.tx, actorOf(context), data.roles))
