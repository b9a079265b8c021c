import { createServerFn } from '@tanstack/react-start'
import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import { input } from '../../lib/validate'
import { roles, teams, userRoles, users } from '../../server/db/schema'
import { requirePermission } from '../../server/middleware'
import { assertCanGrantRoles, assertNotLastOwner, ownerRoleId, requireRoles } from '../roles/roles.server'
import {
  createUserSchema,
  listUsersSchema,
  setUserRolesSchema,
  updateUserSchema,
  userIdSchema,
} from './users.schemas'
import {
  assertEmailFree,
  createUser,
  endSessions,
  findUsers,
  getUserDetail,
  isUniqueViolation,
  requireUserRow,
} from './users.server'
import { conflict, HttpError } from '../../lib/errors'

export const listUsers = createServerFn({ method: 'GET' })
  .middleware([requirePermission('users:read')])
  .validator(input(listUsersSchema))
  .handler(({ data, context }) => findUsers(context.tx, data))

/** Roles and teams to filter and assign by. */
export const getUserFilterOptions = createServerFn({ method: 'GET' })
  .middleware([requirePermission('users:read')])
  .handler(async ({ context }) => {
    const [roleRows, teamRows] = await Promise.all([
      context.tx
        .select({ id: roles.id, name: roles.name, systemKey: roles.systemKey })
        .from(roles)
        .where(eq(roles.isDeleted, false))
        .orderBy(asc(roles.name)),
      context.tx.select({ id: teams.id, name: teams.name }).from(teams).where(eq(teams.isDeleted, false)).orderBy(asc(teams.name)),
    ])
    return { roles: roleRows, teams: teamRows }
  })

export const getUser = createServerFn({ method: 'GET' })
  .middleware([requirePermission('users:read')])
  .validator(input(userIdSchema))
  .handler(({ data, context }) => getUserDetail(context.tx, data.id))

export const createUserFn = createServerFn({ method: 'POST' })
  .middleware([requirePermission('users:write')])
  .validator(input(createUserSchema))
  .handler(async ({ data, context }) => {
    await requireRoles(context.tx, data.roleIds)
    if (data.roleIds.length > 0) {
      if (!context.permissions.includes('roles:manage')) throw new HttpError(403, 'forbidden', 'Assigning roles needs the roles:manage permission.')
      await assertCanGrantRoles(context.tx, context.permissions, data.roleIds)
    }
    await assertEmailFree(context.tx, data.email)
    try {
      const user = await createUser(context.tx, {
        tenantId: context.tenantId,
        email: data.email,
        fullName: data.fullName,
        roleIds: data.roleIds,
        metadata: data.metadata,
        password: data.password ? { plain: data.password } : undefined,
      })
      return { id: user.id }
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict('Someone in this workspace already uses that email.', { email: 'Already in use in this workspace' })
      throw error
    }
  })

export const updateUser = createServerFn({ method: 'POST' })
  .middleware([requirePermission('users:write')])
  .validator(input(updateUserSchema))
  .handler(async ({ data, context }) => {
    await requireUserRow(context.tx, data.id)
    if (data.data.email) await assertEmailFree(context.tx, data.data.email, data.id)
    try {
      await context.tx.update(users).set(data.data).where(eq(users.id, data.id))
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict('Someone in this workspace already uses that email.', { email: 'Already in use in this workspace' })
      throw error
    }
    return { ok: true as const }
  })

export const deactivateUser = createServerFn({ method: 'POST' })
  .middleware([requirePermission('users:write')])
  .validator(input(userIdSchema))
  .handler(async ({ data, context }) => {
    await requireUserRow(context.tx, data.id)
    if (data.id === context.user.id) throw new HttpError(409, 'self', 'You cannot deactivate your own account.')
    await assertNotLastOwner(context.tx, data.id)
    await context.tx.update(users).set({ isActive: false }).where(eq(users.id, data.id))
    await endSessions(context.tx, data.id)
    return { ok: true as const }
  })

export const reactivateUser = createServerFn({ method: 'POST' })
  .middleware([requirePermission('users:write')])
  .validator(input(userIdSchema))
  .handler(async ({ data, context }) => {
    await requireUserRow(context.tx, data.id)
    await context.tx.update(users).set({ isActive: true }).where(eq(users.id, data.id))
    return { ok: true as const }
  })

export const deleteUser = createServerFn({ method: 'POST' })
  .middleware([requirePermission('users:write')])
  .validator(input(userIdSchema))
  .handler(async ({ data, context }) => {
    await requireUserRow(context.tx, data.id)
    if (data.id === context.user.id) throw new HttpError(409, 'self', 'You cannot delete your own account.')
    await assertNotLastOwner(context.tx, data.id)
    await context.tx
      .update(users)
      .set({ isDeleted: true, deletedAt: sql`now()`, deletedById: context.user.id })
      .where(eq(users.id, data.id))
    await endSessions(context.tx, data.id)
    return { ok: true as const }
  })

/** Replaces a user's roles in one action: adds and removes are checked against the grant and last-owner rules. */
export const setUserRoles = createServerFn({ method: 'POST' })
  .middleware([requirePermission('roles:manage')])
  .validator(input(setUserRolesSchema))
  .handler(async ({ data, context }) => {
    const { tx } = context
    await requireUserRow(tx, data.id)
    const wanted = [...new Set(data.roleIds)]
    await requireRoles(tx, wanted)
    const current = (await tx.select({ roleId: userRoles.roleId }).from(userRoles).where(eq(userRoles.userId, data.id))).map((r) => r.roleId)
    const added = wanted.filter((r) => !current.includes(r))
    const removed = current.filter((r) => !wanted.includes(r))
    await assertCanGrantRoles(tx, context.permissions, added)
    if (removed.includes(await ownerRoleId(tx))) await assertNotLastOwner(tx, data.id)
    if (removed.length > 0) await tx.delete(userRoles).where(and(eq(userRoles.userId, data.id), inArray(userRoles.roleId, removed)))
    if (added.length > 0) await tx.insert(userRoles).values(added.map((roleId) => ({ tenantId: context.tenantId, userId: data.id, roleId })))
    return { ok: true as const, added: added.length, removed: removed.length }
  })
