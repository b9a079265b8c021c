import { msg } from '~/lib/i18n'
import { and, count, eq, type SQL, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import { z } from 'zod'
import { conflict, forbidden, notFound } from '~/lib/errors'
import type { Permission } from '~/lib/permissions'
import { rowsOf, type Tx } from '~/server/db/client.server'
import { categories, organizations, rolePermissions, roles, teams, users } from '~/server/db/schema'
import { refuseWhileImpersonating } from '../console/impersonation.server'
import { assertHolds } from '../roles/roles.server'
import { cursorId, cursorTimestamp, decodeCursor, encodeCursor } from '~/server/cursor.server'
import { isUniqueViolation } from '~/server/db/errors.server'
import type { TrashType } from './trash.schemas'
import { ofTenant, scopeTenantId } from '~/server/db/tenant.server'

/** Which permission lets a person restore (and, with trash:purge, permanently delete) each kind of item. */
export const TRASH_PERMISSION: Record<TrashType, Permission> = {
  user: 'users:write',
  organization: 'teams:write',
  team: 'teams:write',
  role: 'roles:manage',
  category: 'categories:write',
}

export function trashTypesFor(permissions: readonly Permission[]): TrashType[] {
  return (Object.keys(TRASH_PERMISSION) as TrashType[]).filter((t) => permissions.includes(TRASH_PERMISSION[t]))
}

export function assertMayHandle(permissions: readonly Permission[], type: TrashType, purge = false) {
  if (!permissions.includes(TRASH_PERMISSION[type])) throw forbidden()
  if (purge && !permissions.includes('trash:purge')) throw forbidden(msg('serverErrors2.purgeNeedsPermission'))
}

/** One branch per kind; each is served by its `(tenant_id, deleted_at) WHERE is_deleted` index. */
const BRANCHES: Record<TrashType, (tenant: string) => SQL> = {
  user: (tenant) =>
    sql`select 'user' as type, id, full_name as name, email as detail, deleted_at, deleted_by_id from users where tenant_id = ${tenant} and is_deleted`,
  organization: (tenant) =>
    sql`select 'organization', id, name, description, deleted_at, deleted_by_id from organizations where tenant_id = ${tenant} and is_deleted`,
  team: (tenant) =>
    sql`select 'team', t.id, t.name, o.name, t.deleted_at, t.deleted_by_id from teams t join organizations o on o.tenant_id = ${tenant} and o.id = t.organization_id where t.tenant_id = ${tenant} and t.is_deleted`,
  role: (tenant) => sql`select 'role', id, name, description, deleted_at, deleted_by_id from roles where tenant_id = ${tenant} and is_deleted`,
  // A category deleted with its parent (same moment) is part of that parent's item, not an item of its own.
  category: (tenant) =>
    sql`select 'category', c.id, c.name, c.description, c.deleted_at, c.deleted_by_id from categories c where c.tenant_id = ${tenant} and c.is_deleted and not exists (select 1 from categories p where p.tenant_id = ${tenant} and p.id = c.parent_id and p.is_deleted and p.deleted_at = c.deleted_at)`,
}

type TrashRow = { type: TrashType; id: string; name: string; detail: string | null; deleted_at: string | Date; deleted_key: string; deleted_by_id: string | null; deleted_by_name: string | null }

const decodeTrashCursor = (raw?: string) => decodeCursor(raw, z.strictObject({ at: cursorTimestamp, id: cursorId }))

/** Newest deletions first, across every kind the caller may handle, paginated by keyset on (deleted_at, id). */
export async function findTrash(tx: Tx, input: { types: TrashType[]; pageSize: number; cursor?: string }) {
  if (input.types.length === 0) return { items: [], nextCursor: null }
  const tenant = scopeTenantId()
  const union = sql.join(
    input.types.map((t) => sql`(${BRANCHES[t](tenant)})`),
    sql` union all `,
  )
  const cursor = decodeTrashCursor(input.cursor)
  const after = cursor ? sql`where (x.deleted_at, x.id) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)` : sql``
  const rows = rowsOf<TrashRow>(
    await tx.execute(sql`
      select x.type, x.id, x.name, x.detail, x.deleted_at, x.deleted_by_id, u.full_name as deleted_by_name,
        to_char(x.deleted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as deleted_key
      from (${union}) as x(type, id, name, detail, deleted_at, deleted_by_id)
      left join users u on u.tenant_id = ${tenant} and u.id = x.deleted_by_id
      ${after}
      order by x.deleted_at desc, x.id desc
      limit ${input.pageSize + 1}`),
  )
  const page = rows.slice(0, input.pageSize)
  const last = page.at(-1)
  return {
    items: page.map((r) => ({
      type: r.type,
      id: r.id,
      name: r.name,
      detail: r.detail,
      deletedAt: new Date(r.deleted_at),
      // The deleter may be a Haven operator, who is not a user of this tenant.
      deletedBy: r.deleted_by_name ?? (r.deleted_by_id ? 'Haven support' : null),
    })),
    // The cursor keeps the database's microseconds: a JS Date would round them off and skip the rest of a batch
    // deleted in the same transaction (same now()).
    nextCursor:
      rows.length > input.pageSize && last
        ? encodeCursor({ at: last.deleted_key, id: last.id })
        : null,
  }
}

const TABLES = { user: users, organization: organizations, team: teams, role: roles, category: categories } as const

async function requireDeleted(tx: Tx, type: TrashType, id: string) {
  const table = TABLES[type]
  const [row] = await tx
    .select({ id: table.id })
    .from(table)
    .where(and(ofTenant(table), eq(table.id, id), eq(table.isDeleted, true)))
  if (!row) throw notFound('trashItem')
}

/**
 * Brings an item back, refusing with a reason when that would collide with what exists now. A restored role gives
 * its holders its permissions again, so the grant rule applies: the restorer must hold them all.
 */
export async function restoreItem(
  tx: Tx,
  type: TrashType,
  id: string,
  actorPermissions?: readonly Permission[],
  caller?: { impersonatorId: string | null } | null,
) {
  // A person brought back could be one whose mailbox the operator receives: not while impersonating.
  if (type === 'user') refuseWhileImpersonating(caller)
  await requireDeleted(tx, type, id)
  if (type === 'role' && actorPermissions) {
    const grants = await tx.select({ key: rolePermissions.permissionKey }).from(rolePermissions).where(and(ofTenant(rolePermissions), eq(rolePermissions.roleId, id)))
    assertHolds(actorPermissions, grants.map((g) => g.key))
  }
  const live = { isDeleted: false, deletedAt: null, deletedById: null }
  try {
    switch (type) {
      case 'user': {
        const [u] = await tx.select({ email: users.email }).from(users).where(and(ofTenant(users), eq(users.id, id)))
        const [taken] = await tx
          .select({ id: users.id })
          .from(users)
          .where(and(ofTenant(users), eq(users.email, u?.email ?? ''), eq(users.isDeleted, false)))
        if (taken) throw conflict(msg('serverErrors2.restoreEmailTaken', { email: u?.email ?? '' }))
        await tx.update(users).set(live).where(and(ofTenant(users), eq(users.id, id)))
        break
      }
      case 'team': {
        const [t] = await tx
          .select({ orgDeleted: organizations.isDeleted, org: organizations.name })
          .from(teams)
          .innerJoin(organizations, and(ofTenant(organizations), eq(organizations.id, teams.organizationId)))
          .where(and(ofTenant(teams), eq(teams.id, id)))
        if (t?.orgDeleted) throw conflict(msg('serverErrors2.restoreOrgDeleted', { org: t.org }))
        await tx.update(teams).set(live).where(and(ofTenant(teams), eq(teams.id, id)))
        break
      }
      case 'category': {
        const parent = alias(categories, 'parent')
        const [c] = await tx
          .select({ parentDeleted: parent.isDeleted })
          .from(categories)
          .innerJoin(parent, and(ofTenant(parent), eq(parent.id, categories.parentId)))
          .where(and(ofTenant(categories), eq(categories.id, id)))
        if (c?.parentDeleted) throw conflict(msg('serverErrors2.restoreParentDeleted'))
        const [self] = rowsOf<{ parent_id: string | null; name_key: string; path_key: string; deleted_at: string; deleted_by_id: string | null }>(
          await tx.execute(sql`
            select parent_id, name_key, path_key, deleted_by_id, to_char(deleted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as deleted_at
            from categories where tenant_id = ${scopeTenantId()} and id = ${id}::uuid`),
        )
        if (!self) throw notFound('trashItem')
        const [taken] = rowsOf<{ name: string }>(
          await tx.execute(sql`
            select s.name from categories s
            where s.tenant_id = ${scopeTenantId()} and ${self.parent_id ? sql`s.parent_id = ${self.parent_id}::uuid` : sql`s.parent_id is null`}
              and s.name_key = ${self.name_key} and not s.is_deleted limit 1`),
        )
        if (taken) throw conflict(msg('serverErrors2.restoreCategoryTaken', { name: taken.name }))
        // The subtree deleted with it (same moment, same person) comes back with it. Bounds are values, so the
        // (tenant_id, path_key) index serves the range under RLS.
        await tx.execute(sql`
          update categories d set is_deleted = false, deleted_at = null, deleted_by_id = null
          where d.tenant_id = ${scopeTenantId()} and d.is_deleted and d.path_key >= ${self.path_key} and d.path_key < ${`${self.path_key}/`}
            and d.deleted_at = ${self.deleted_at}::timestamptz and d.deleted_by_id is not distinct from ${self.deleted_by_id}::uuid`)
        break
      }
      case 'organization':
        // Teams deleted together with the organization (same moment, same person) come back with it.
        await tx.execute(sql`
          update teams t set is_deleted = false, deleted_at = null, deleted_by_id = null
          from organizations o
          where t.tenant_id = ${scopeTenantId()} and o.tenant_id = ${scopeTenantId()} and o.id = ${id}::uuid and t.organization_id = o.id and t.is_deleted
            and t.deleted_at = o.deleted_at and t.deleted_by_id is not distinct from o.deleted_by_id`)
        await tx.update(organizations).set(live).where(and(ofTenant(organizations), eq(organizations.id, id)))
        break
      case 'role':
        await tx.update(roles).set(live).where(and(ofTenant(roles), eq(roles.id, id)))
        break
    }
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(msg('serverErrors2.restoreNameTaken'))
    throw error
  }
}

/** What a permanent delete takes with it, for the confirmation. */
export async function purgeImpact(tx: Tx, type: TrashType, id: string) {
  await requireDeleted(tx, type, id)
  if (type === 'category') {
    // The subtree as a (tenant_id, path_key) range with bound values: ltree's <@ is no index condition under RLS.
    const [self] = rowsOf<{ tenant_id: string; path_key: string }>(
      await tx.execute(sql`select tenant_id, path_key from categories where tenant_id = ${scopeTenantId()} and id = ${id}::uuid`),
    )
    if (!self) return { descendants: 0 }
    const [row] = rowsOf<{ n: number }>(
      await tx.execute(sql`select count(*)::int as n from categories d
        where d.tenant_id = ${scopeTenantId()} and d.path_key > ${self.path_key} and d.path_key < ${`${self.path_key}/`}`),
    )
    return { descendants: row?.n ?? 0 }
  }
  if (type === 'organization') {
    const [row] = await tx.select({ n: count() }).from(teams).where(and(ofTenant(teams), eq(teams.organizationId, id)))
    return { descendants: Number(row?.n ?? 0) }
  }
  return { descendants: 0 }
}

/** Deletes for good; foreign keys cascade to the item's links (roles held, memberships, sessions, sub-categories). */
export async function purgeItem(tx: Tx, type: TrashType, id: string) {
  await requireDeleted(tx, type, id)
  const table = TABLES[type]
  await tx.delete(table).where(and(ofTenant(table), eq(table.id, id)))
}
