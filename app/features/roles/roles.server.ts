import { refuseWhileImpersonating } from '../console/impersonation.server'
import { and, asc, count, eq, inArray, ne, or, sql } from 'drizzle-orm'
import { conflict, forbidden, HttpError, notFound } from '~/lib/errors'
import { isPermission, type Permission, SYSTEM_ROLES, type SystemRoleKey } from '~/lib/permissions'
import type { Tx } from '~/server/db/client.server'
import { rolePermissions, roles, userRoles, users } from '~/server/db/schema'
import { isUniqueViolation } from '~/server/db/errors.server'
import type { PermissionMatrixInput } from './roles.schemas'
import { ofTenant, scopeTenantId } from '~/server/db/tenant.server'
import { msg } from '~/lib/i18n'

/**
 * Live roles by id; any id that is not a live role of this tenant (another tenant's included) is a 404. `lock`
 * holds the rows until commit, in id order so that two writers never wait on each other in a cycle.
 */
export async function requireRoles(tx: Tx, roleIds: string[], options: { lock?: boolean } = {}) {
  if (roleIds.length === 0) return []
  const query = tx
    .select({ id: roles.id, name: roles.name, description: roles.description, systemKey: roles.systemKey })
    .from(roles)
    .where(and(ofTenant(roles), inArray(roles.id, roleIds), eq(roles.isDeleted, false)))
    .orderBy(asc(roles.id))
  const rows = options.lock ? await query.for('update') : await query
  if (rows.length !== new Set(roleIds).size) throw notFound('role')
  return rows
}

/** Nobody hands out a permission they do not hold, whether by assigning a role or by editing one. */
export async function assertCanGrantRoles(tx: Tx, actorPermissions: readonly Permission[], roleIds: string[]) {
  if (roleIds.length === 0) return
  const granted = await tx
    .selectDistinct({ key: rolePermissions.permissionKey })
    .from(rolePermissions)
    .where(and(ofTenant(rolePermissions), inArray(rolePermissions.roleId, roleIds)))
  assertHolds(actorPermissions, granted.map((g) => g.key))
}

export function assertHolds(actorPermissions: readonly string[], wanted: readonly string[]) {
  const missing = wanted.filter((p) => !actorPermissions.includes(p))
  if (missing.length > 0) throw forbidden(msg('serverErrors3.grantNotHeld', { keys: missing.join(', ') }))
}

export async function ownerRoleId(tx: Tx): Promise<string> {
  const [row] = await tx.select({ id: roles.id }).from(roles).where(and(ofTenant(roles), eq(roles.systemKey, 'owner')))
  if (!row) throw new Error('Tenant has no owner role')
  return row.id
}

/** Live, active owners other than `exceptUserId`. */
async function otherOwnerCount(tx: Tx, exceptUserId: string): Promise<number> {
  const ownerId = await ownerRoleId(tx)
  const [row] = await tx
    .select({ n: count() })
    .from(userRoles)
    .innerJoin(users, and(ofTenant(users), eq(users.id, userRoles.userId)))
    .where(and(ofTenant(userRoles), eq(userRoles.roleId, ownerId), ne(users.id, exceptUserId), eq(users.isDeleted, false), eq(users.isActive, true)))
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
    .where(and(ofTenant(userRoles), eq(userRoles.userId, userId), eq(userRoles.roleId, ownerId)))
  if (!holds) return
  await tx.execute(sql`select 1 from roles where tenant_id = ${scopeTenantId()} and id = ${ownerId} for update`)
  if ((await otherOwnerCount(tx, userId)) === 0) {
    throw new HttpError(409, 'last_owner', msg('serverErrors.lastOwner'))
  }
}

/** Who is changing roles: the grant rule compares against `permissions`, the session's own. */
export type RoleActor = { tenantId: string; userId: string; permissions: readonly Permission[]; impersonatorId?: string | null }

/** Every live role with its permission keys and how many live (not deleted) people hold it; system roles first. */
export async function listRolesWithHolders(tx: Tx) {
  const holders = tx
    .select({ roleId: userRoles.roleId, n: count().as('n') })
    .from(userRoles)
    .innerJoin(users, and(ofTenant(users), eq(users.id, userRoles.userId)))
    .where(and(ofTenant(userRoles), eq(users.isDeleted, false)))
    .groupBy(userRoles.roleId)
    .as('holders')
  const [rows, grants] = await Promise.all([
    tx
      .select({
        id: roles.id,
        name: roles.name,
        description: roles.description,
        systemKey: roles.systemKey,
        holders: sql<number>`coalesce(${holders.n}, 0)::int`,
        createdAt: roles.createdAt,
      })
      .from(roles)
      .leftJoin(holders, eq(holders.roleId, roles.id))
      .where(and(ofTenant(roles), eq(roles.isDeleted, false)))
      .orderBy(sql`${roles.systemKey} is null`, asc(roles.systemKey), sql`lower(${roles.name})`, asc(roles.id)),
    tx
      .select({ roleId: rolePermissions.roleId, key: rolePermissions.permissionKey })
      .from(rolePermissions)
      .innerJoin(roles, and(ofTenant(roles), eq(roles.id, rolePermissions.roleId)))
      .where(and(ofTenant(rolePermissions), eq(roles.isDeleted, false))),
  ])
  return rows.map((role) => ({
    ...role,
    holders: Number(role.holders),
    isSystem: role.systemKey !== null,
    permissions: grants
      .filter((g) => g.roleId === role.id)
      .map((g) => g.key)
      .filter(isPermission),
  }))
}

/** Role names are unique per tenant among live roles, ignoring case (the partial unique index agrees). */
async function assertRoleNameFree(tx: Tx, name: string, exceptId?: string) {
  const [taken] = await tx
    .select({ id: roles.id })
    .from(roles)
    .where(and(ofTenant(roles), sql`lower(${roles.name}) = lower(${name})`, eq(roles.isDeleted, false)))
  if (taken && taken.id !== exceptId) throw nameTaken()
}

const nameTaken = () => conflict(msg('serverErrors.roleNameTaken'), { name: msg('serverErrors.roleNameTakenField') })

async function uniqueName<T>(work: Promise<T>): Promise<T> {
  try {
    return await work
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken()
    throw error
  }
}

export async function insertRole(
  tx: Tx,
  actor: RoleActor,
  input: { name: string; description: string; permissions: readonly Permission[] },
) {
  assertHolds(actor.permissions, input.permissions)
  await assertRoleNameFree(tx, input.name)
  const [role] = await uniqueName(
    tx.insert(roles).values({ tenantId: actor.tenantId, name: input.name, description: input.description }).returning({ id: roles.id, name: roles.name }),
  )
  if (!role) throw new Error('insertRole: insert returned no row')
  if (input.permissions.length > 0) {
    await tx.insert(rolePermissions).values(input.permissions.map((permissionKey) => ({ tenantId: actor.tenantId, roleId: role.id, permissionKey })))
  }
  return role
}

/** Renames or re-describes a custom role. System roles keep the name and description they were provisioned with. */
export async function editRole(tx: Tx, id: string, data: { name?: string; description?: string }) {
  const [role] = await requireRoles(tx, [id], { lock: true })
  if (!role) throw notFound('role')
  const renaming = data.name !== undefined && data.name !== role.name
  const redescribing = data.description !== undefined && data.description !== role.description
  if (role.systemKey && renaming) {
    throw conflict(msg('serverErrors.systemNoRename', { name: role.name }), { name: msg('serverErrors.systemNoRenameField') })
  }
  if (role.systemKey && redescribing) {
    throw conflict(msg('serverErrors.systemNoDescription', { name: role.name }), { description: msg('serverErrors.systemNoChangeField') })
  }
  if (!renaming && !redescribing) return { id: role.id, name: role.name, description: role.description }
  if (renaming && data.name) await assertRoleNameFree(tx, data.name, id)
  const [updated] = await uniqueName(
    tx.update(roles).set(data).where(and(ofTenant(roles), eq(roles.id, id))).returning({ id: roles.id, name: roles.name, description: roles.description }),
  )
  if (!updated) throw notFound('role')
  return updated
}

/**
 * Soft-deletes a custom role. Its assignments stay (so a restore from the trash brings them back), but a deleted
 * role grants nothing: permissions are read through live roles only.
 */
export async function softDeleteRole(tx: Tx, actor: RoleActor, id: string) {
  const [role] = await requireRoles(tx, [id], { lock: true })
  if (!role) throw notFound('role')
  if (role.systemKey) throw conflict(msg('serverErrors.systemNoDelete', { name: role.name }))
  const [held] = await tx
    .select({ n: count() })
    .from(userRoles)
    .innerJoin(users, and(ofTenant(users), eq(users.id, userRoles.userId)))
    .where(and(ofTenant(userRoles), eq(userRoles.roleId, id), eq(users.isDeleted, false)))
  await tx.update(roles).set({ isDeleted: true, deletedAt: sql`now()`, deletedById: actor.userId }).where(and(ofTenant(roles), eq(roles.id, id)))
  return { id, name: role.name, holders: Number(held?.n ?? 0) }
}

/**
 * Saves the permission matrix for the given roles in the caller's transaction: all or nothing. System roles are
 * locked: owner must always hold everything, and admin and member are kept as provisioned so every workspace
 * means the same by them; a system role may be sent only unchanged. Removing is always allowed; every permission
 * added anywhere must be held by the actor.
 */
export async function applyPermissionMatrix(tx: Tx, actor: RoleActor, rows: PermissionMatrixInput['roles']) {
  const ids = rows.map((r) => r.id)
  const locked = await requireRoles(tx, ids, { lock: true })
  const current = await tx
    .select({ roleId: rolePermissions.roleId, key: rolePermissions.permissionKey })
    .from(rolePermissions)
    .where(and(ofTenant(rolePermissions), inArray(rolePermissions.roleId, ids)))
  const changes = rows.map((row) => {
    const before = new Set(current.filter((c) => c.roleId === row.id).map((c) => c.key))
    const after = new Set<string>(row.permissions)
    return {
      id: row.id,
      role: locked.find((r) => r.id === row.id),
      added: row.permissions.filter((p) => !before.has(p)),
      removed: [...before].filter((p) => !after.has(p)),
    }
  })
  for (const { role, added, removed } of changes) {
    if (role?.systemKey && (added.length > 0 || removed.length > 0)) {
      throw conflict(msg('serverErrors.systemFixed', { name: role.name }))
    }
  }
  assertHolds(actor.permissions, [...new Set(changes.flatMap((c) => c.added))])
  // A permission added to a role raises everyone who holds it, an account the operator controls among them: like a
  // role grant, that outlives an impersonation. Taking permissions away is still allowed.
  if (changes.some((c) => c.added.length > 0)) refuseWhileImpersonating(actor)
  const removals = changes.flatMap((c) => c.removed.map((key) => ({ roleId: c.id, key })))
  const additions = changes.flatMap((c) => c.added.map((permissionKey) => ({ tenantId: actor.tenantId, roleId: c.id, permissionKey })))
  if (removals.length > 0) {
    await tx
      .delete(rolePermissions)
      .where(and(ofTenant(rolePermissions), or(...removals.map((r) => and(eq(rolePermissions.roleId, r.roleId), eq(rolePermissions.permissionKey, r.key))))))
  }
  if (additions.length > 0) await tx.insert(rolePermissions).values(additions)
  return {
    changedRoles: changes.filter((c) => c.added.length > 0 || c.removed.length > 0).length,
    added: additions.length,
    removed: removals.length,
  }
}

/**
 * System roles are locked, so when the catalog in code changes (a permission added or removed), every tenant's
 * system roles are brought to exactly their definition in SYSTEM_ROLES. Runs at start-up in a console scope;
 * a no-op (and no audit rows) when nothing changed.
 */
export async function syncSystemRoleGrants(tx: Tx) {
  const grants = (Object.keys(SYSTEM_ROLES) as SystemRoleKey[]).flatMap((key) =>
    SYSTEM_ROLES[key].permissions.map((permission) => sql`(${key}, ${permission})`),
  )
  const wanted = sql`(values ${sql.join(grants, sql`, `)}) as w(system_key, permission_key)`
  await tx.execute(sql`
    insert into role_permissions (tenant_id, role_id, permission_key) /* cross-tenant: roles.sync-system-grants */
    select r.tenant_id, r.id, w.permission_key from roles r join ${wanted} on w.system_key = r.system_key::text
    on conflict (tenant_id, role_id, permission_key) do nothing`)
  await tx.execute(sql`
    delete from role_permissions rp using roles r /* cross-tenant: roles.sync-system-grants */
    where r.tenant_id = rp.tenant_id and r.id = rp.role_id and r.system_key is not null
      and not exists (select 1 from ${wanted} where w.system_key = r.system_key::text and w.permission_key = rp.permission_key)`)
}
