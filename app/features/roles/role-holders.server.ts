import { and, asc, count, eq, sql } from 'drizzle-orm'
import { notFound } from '~/lib/errors'
import { isPermission } from '~/lib/permissions'
import type { Tx } from '~/server/db/client.server'
import { rolePermissions, roles, userRoles, users } from '~/server/db/schema'

/** The most holders a role page lists; the Users page, filtered by the role, has them all. */
export const HOLDERS_LIMIT = 200

const granter = (tenantId: string) =>
  sql<string | null>`(select g.full_name from ${users} g where g.tenant_id = ${tenantId} and g.id = ${userRoles.assignedById})`

/** A live role, its permissions, and the live people holding it with who granted it and when (newest grants first). */
export async function roleWithHolders(tx: Tx, tenantId: string, id: string) {
  const [role] = await tx
    .select({ id: roles.id, name: roles.name, description: roles.description, systemKey: roles.systemKey })
    .from(roles)
    .where(and(eq(roles.tenantId, tenantId), eq(roles.id, id), eq(roles.isDeleted, false)))
  if (!role) throw notFound('role')
  const live = and(eq(userRoles.tenantId, tenantId), eq(userRoles.roleId, id), eq(users.isDeleted, false))
  const joinUser = and(eq(users.tenantId, tenantId), eq(users.id, userRoles.userId))
  const grantedAt = sql<Date>`coalesce(${userRoles.assignedAt}, ${userRoles.createdAt})`
  const [grants, holders, [total]] = await Promise.all([
    tx
      .select({ key: rolePermissions.permissionKey })
      .from(rolePermissions)
      .where(and(eq(rolePermissions.tenantId, tenantId), eq(rolePermissions.roleId, id))),
    tx
      .select({
        id: users.id,
        fullName: users.fullName,
        email: users.email,
        isActive: users.isActive,
        grantedAt: sql<string>`${grantedAt}`.mapWith((v: string | Date) => new Date(v)),
        grantedById: userRoles.assignedById,
        grantedBy: granter(tenantId),
      })
      .from(userRoles)
      .innerJoin(users, joinUser)
      .where(live)
      .orderBy(sql`${grantedAt} desc`, asc(users.id))
      .limit(HOLDERS_LIMIT),
    tx.select({ n: count() }).from(userRoles).innerJoin(users, joinUser).where(live),
  ])
  return {
    role: { ...role, isSystem: role.systemKey !== null, permissions: grants.map((g) => g.key).filter(isPermission) },
    holders,
    total: Number(total?.n ?? 0),
  }
}
