import { and, count, eq, inArray, ne, sql } from 'drizzle-orm'
import { forbidden, HttpError, notFound } from '../../lib/errors'
import type { Permission } from '../../lib/permissions'
import type { Tx } from '../../server/db/client.server'
import { rolePermissions, roles, userRoles, users } from '../../server/db/schema'

/** Live roles by id; any id that is not a live role of this tenant (another tenant's included) is a 404. */
export async function requireRoles(tx: Tx, roleIds: string[]) {
  if (roleIds.length === 0) return []
  const rows = await tx
    .select({ id: roles.id, name: roles.name, systemKey: roles.systemKey })
    .from(roles)
    .where(and(inArray(roles.id, roleIds), eq(roles.isDeleted, false)))
  if (rows.length !== new Set(roleIds).size) throw notFound('Role')
  return rows
}

/** Nobody hands out a permission they do not hold, whether by assigning a role or by editing one. */
export async function assertCanGrantRoles(tx: Tx, actorPermissions: readonly Permission[], roleIds: string[]) {
  if (roleIds.length === 0) return
  const granted = await tx
    .selectDistinct({ key: rolePermissions.permissionKey })
    .from(rolePermissions)
    .where(inArray(rolePermissions.roleId, roleIds))
  assertHolds(actorPermissions, granted.map((g) => g.key))
}

export function assertHolds(actorPermissions: readonly string[], wanted: readonly string[]) {
  const missing = wanted.filter((p) => !actorPermissions.includes(p))
  if (missing.length > 0) throw forbidden(`You cannot grant permissions you do not hold yourself: ${missing.join(', ')}.`)
}

export async function ownerRoleId(tx: Tx): Promise<string> {
  const [row] = await tx.select({ id: roles.id }).from(roles).where(eq(roles.systemKey, 'owner'))
  if (!row) throw new Error('Tenant has no owner role')
  return row.id
}

/** Live, active owners other than `exceptUserId`. */
async function otherOwnerCount(tx: Tx, exceptUserId: string): Promise<number> {
  const ownerId = await ownerRoleId(tx)
  const [row] = await tx
    .select({ n: count() })
    .from(userRoles)
    .innerJoin(users, and(eq(users.tenantId, userRoles.tenantId), eq(users.id, userRoles.userId)))
    .where(and(eq(userRoles.roleId, ownerId), ne(users.id, exceptUserId), eq(users.isDeleted, false), eq(users.isActive, true)))
  return Number(row?.n ?? 0)
}

/**
 * The workspace always keeps an active owner. Checked before a user loses the owner role or stops being able to
 * sign in. Locks the owner role's assignments so two admins demoting the last two owners at once cannot both pass.
 */
export async function assertNotLastOwner(tx: Tx, userId: string) {
  const ownerId = await ownerRoleId(tx)
  const [holds] = await tx
    .select({ id: userRoles.id })
    .from(userRoles)
    .where(and(eq(userRoles.userId, userId), eq(userRoles.roleId, ownerId)))
  if (!holds) return
  await tx.execute(sql`select 1 from roles where id = ${ownerId} for update`)
  if ((await otherOwnerCount(tx, userId)) === 0) {
    throw new HttpError(409, 'last_owner', 'This is the last owner of the workspace. Make someone else an owner first.')
  }
}
