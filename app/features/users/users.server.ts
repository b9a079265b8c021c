import { hashPassword } from 'better-auth/crypto'
import { z } from 'zod'
import { and, asc, count, desc, eq, exists, inArray, or, type SQL, sql } from 'drizzle-orm'
import { forbidden, HttpError, notFound } from '~/lib/errors'
import type { Permission } from '~/lib/permissions'
import type { Tx } from '~/server/db/client.server'
import { accounts, type JsonObject, organizations, rolePermissions, roles, sessions, teams, userRoles, users, userTeamLinks } from '~/server/db/schema'
import { isUniqueViolation } from '~/server/db/errors.server'
import { type Actor, permissionsOf } from '~/server/session.server'
import { assertCanGrantRoles, assertNotLastOwner, ownerRoleId, requireRoles } from '../roles/roles.server'
import type { createUserSchema, ListUsersInput } from './users.schemas'
import { refuseWhileImpersonating } from '../console/impersonation.server'
import { ofTenant, scopeTenantId } from '~/server/db/tenant.server'
import { cursorId, cursorText, cursorTimestamp, decodeCursor, encodeCursor } from '~/server/cursor.server'
import { msg } from '~/lib/i18n'

export type NewUser = {
  tenantId: string
  email: string
  fullName: string
  roleIds?: string[]
  /** Who grants `roleIds` (recorded on each role link). */
  assignedById?: string | null
  isActive?: boolean
  isSuperuser?: boolean
  metadata?: JsonObject
  /** A plain password to hash, or an already computed hash (the seed reuses one for speed). */
  password?: { plain: string } | { hash: string }
}

/** Creates a user with a credential account (the shape better-auth signs in against) and the given roles. */
export async function createUser(tx: Tx, input: NewUser) {
  const [user] = await tx
    .insert(users)
    .values({
      tenantId: input.tenantId,
      email: input.email.trim().toLowerCase(),
      fullName: input.fullName.trim(),
      isActive: input.isActive ?? true,
      isSuperuser: input.isSuperuser ?? false,
      metadata: input.metadata ?? {},
      emailVerified: input.password !== undefined,
    })
    .returning()
  if (!user) throw new Error('createUser: insert returned no row')
  if (input.password) {
    const hash = 'hash' in input.password ? input.password.hash : await hashPassword(input.password.plain)
    await tx.insert(accounts).values({
      tenantId: input.tenantId,
      userId: user.id,
      accountId: user.id,
      providerId: 'credential',
      password: hash,
    })
  }
  if (input.roleIds?.length) {
    await tx
      .insert(userRoles)
      .values(input.roleIds.map((roleId) => ({ tenantId: input.tenantId, userId: user.id, roleId, assignedById: input.assignedById ?? null })))
  }
  return user
}

const userCursor = (sort: keyof typeof SORT_COLUMNS) =>
  z.strictObject({ v: sort === 'created' ? cursorTimestamp : cursorText, id: cursorId, back: z.literal(true).optional() })

const decodeUserCursor = (raw: string | undefined, sort: keyof typeof SORT_COLUMNS) => decodeCursor(raw, userCursor(sort))

/** The users list counts up to this many matches; beyond it the total is shown as "10,000+". */
export const TOTAL_CAP = 10_000

const SORT_COLUMNS = { name: users.fullName, email: users.email, created: users.createdAt } as const

/**
 * A creation-time cursor carries the database's own microseconds as text: a JS Date keeps only milliseconds, and a
 * cursor rounded down would repeat or skip the rows created in the same millisecond (a whole batch shares now()).
 */
const createdAtKey = sql<string>`to_char(${users.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

function sortValue(row: { fullName: string; email: string; createdAtKey: string }, sort: keyof typeof SORT_COLUMNS): string {
  if (sort === 'name') return row.fullName
  if (sort === 'email') return row.email
  return row.createdAtKey
}

/** Metadata values typed as text also match JSON numbers and booleans ("1000" finds 1000). */
function metadataFilter(key: string, value: string): SQL {
  const candidates: unknown[] = [value]
  try {
    const parsed: unknown = JSON.parse(value)
    if (typeof parsed === 'number' || typeof parsed === 'boolean') candidates.push(parsed)
  } catch {}
  const conditions = candidates.map((c) => sql`${users.metadata} @> ${JSON.stringify({ [key]: c })}::jsonb`)
  return or(...conditions) as SQL
}

/** A case-insensitive `like` pattern that finds `q` anywhere, with its wildcards taken literally. */
export function likePattern(q: string): string {
  return `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

/** The longest suffix `user_search_suffixes` keeps (drizzle/0021). */
const SUFFIX_LENGTH = 48

/**
 * People whose name or email contains `q` (case-insensitive): the prefix range [q, q || U+10FFFF) on
 * `user_search_suffixes` (tenant_id, suffix), an index condition under forced RLS, where pg_trgm's LIKE is not. A `q`
 * longer than a stored suffix is matched by its first 48 characters and rechecked with LIKE on those people only.
 */
export function nameOrEmailContains(q: string, tenantId: string = scopeTenantId()): SQL {
  const head = sql`left(lower(${q}), ${SUFFIX_LENGTH})`
  const inRange = sql`${users.id} in (select s.user_id from user_search_suffixes s where s.tenant_id = ${tenantId}::uuid
    and s.suffix >= ${head} collate "C" and s.suffix < (${head} || chr(1114111)) collate "C")`
  if (q.length <= SUFFIX_LENGTH) return inRange
  return sql`${inRange} and lower(${users.fullName} || ' ' || ${users.email}) like ${likePattern(q)}`
}

export function userFilters(input: ListUsersInput): SQL[] {
  const where: SQL[] = [ofTenant(users), eq(users.isDeleted, false)]
  if (input.q) where.push(nameOrEmailContains(input.q))
  if (input.status === 'active') where.push(eq(users.isActive, true))
  if (input.status === 'deactivated') where.push(eq(users.isActive, false))
  if (input.roleId) {
    where.push(
      exists(
        sql`(select 1 from ${userRoles} where ${userRoles.tenantId} = ${scopeTenantId()} and ${userRoles.userId} = ${users.id} and ${userRoles.roleId} = ${input.roleId})`,
      ),
    )
  }
  if (input.teamId) {
    where.push(
      exists(
        sql`(select 1 from ${userTeamLinks} where ${userTeamLinks.tenantId} = ${scopeTenantId()} and ${userTeamLinks.userId} = ${users.id} and ${userTeamLinks.teamId} = ${input.teamId})`,
      ),
    )
  }
  if (input.metaKey && input.metaValue !== undefined && input.metaValue !== '') where.push(metadataFilter(input.metaKey, input.metaValue))
  return where
}

/**
 * One page of the tenant's live users, filtered and sorted in SQL, paginated by keyset on (sort column, id) so a
 * deep page costs what the first one does; plus the total for the same filters.
 */
export async function findUsers(tx: Tx, input: ListUsersInput & { pageSize: number; sort: keyof typeof SORT_COLUMNS; dir: 'asc' | 'desc' }) {
  const column = SORT_COLUMNS[input.sort]
  const cursor = decodeUserCursor(input.cursor, input.sort)
  const where = userFilters(input)
  const forward = !cursor?.back
  const ascending = (input.dir === 'asc') === forward
  if (cursor) {
    const value = input.sort === 'created' ? sql`${cursor.v}::timestamptz` : cursor.v
    const after = sql`(${column}, ${users.id}) ${sql.raw(ascending ? '>' : '<')} (${value}, ${cursor.id}::uuid)`
    where.push(after)
  }
  const order = ascending ? [asc(column), asc(users.id)] : [desc(column), desc(users.id)]
  const [rows, [totalRow]] = await Promise.all([
    tx
      .select({
        id: users.id,
        email: users.email,
        fullName: users.fullName,
        isActive: users.isActive,
        metadata: users.metadata,
        lastSignInAt: users.lastSignInAt,
        createdAt: users.createdAt,
        createdAtKey,
      })
      .from(users)
      .where(and(...where))
      .orderBy(...order)
      .limit(input.pageSize + 1),
    // Capped: a large tenant is not counted in full on every page; past the cap the list says "10,000+".
    tx
      .select({ n: count() })
      .from(tx.select({ one: sql`1` }).from(users).where(and(...userFilters(input))).limit(TOTAL_CAP + 1).as('capped')),
  ])
  const hasMore = rows.length > input.pageSize
  const page = rows.slice(0, input.pageSize)
  if (!forward) page.reverse()
  const first = page[0]
  const last = page.at(-1)
  const roleRows =
    page.length === 0
      ? []
      : await tx
          .select({ userId: userRoles.userId, id: roles.id, name: roles.name })
          .from(userRoles)
          .innerJoin(roles, and(ofTenant(roles), eq(roles.id, userRoles.roleId), eq(roles.isDeleted, false)))
          .where(and(ofTenant(userRoles), inArray(userRoles.userId, page.map((u) => u.id))))
          .orderBy(asc(roles.name))
  const items = page.map(({ createdAtKey: _, ...u }) => ({
    ...u,
    roles: roleRows.filter((r) => r.userId === u.id).map(({ id, name }) => ({ id, name })),
  }))
  const nextExists = forward ? hasMore : cursor !== undefined
  const prevExists = forward ? cursor !== undefined : hasMore
  return {
    items,
    total: Math.min(Number(totalRow?.n ?? 0), TOTAL_CAP),
    totalCapped: Number(totalRow?.n ?? 0) > TOTAL_CAP,
    pageSize: input.pageSize,
    nextCursor: nextExists && last ? encodeCursor({ v: sortValue(last, input.sort), id: last.id }) : null,
    prevCursor: prevExists && first ? encodeCursor({ v: sortValue(first, input.sort), id: first.id, back: true }) : null,
  }
}

export async function requireUserRow(tx: Tx, id: string, options: { deleted?: boolean } = {}) {
  const [row] = await tx
    .select()
    .from(users)
    .where(and(ofTenant(users), eq(users.id, id), eq(users.isDeleted, options.deleted ?? false)))
  if (!row) throw notFound('user')
  return row
}

export async function getUserInTrash(tx: Tx, tenantId: string, id: string) {
  const [row] = await tx
    .select({ id: users.id, fullName: users.fullName, email: users.email, deletedAt: users.deletedAt })
    .from(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.id, id), eq(users.isDeleted, true)))
  if (!row) throw notFound('user')
  return row
}

export async function getUserDetail(tx: Tx, id: string) {
  const user = await requireUserRow(tx, id)
  const [roleRows, teamRows] = await Promise.all([
    tx
      .select({ id: roles.id, name: roles.name, systemKey: roles.systemKey })
      .from(userRoles)
      .innerJoin(roles, and(ofTenant(roles), eq(roles.id, userRoles.roleId), eq(roles.isDeleted, false)))
      .where(and(ofTenant(userRoles), eq(userRoles.userId, id)))
      .orderBy(asc(roles.name)),
    tx
      .select({ id: teams.id, name: teams.name, organization: organizations.name, role: userTeamLinks.role })
      .from(userTeamLinks)
      .innerJoin(teams, and(ofTenant(teams), eq(teams.id, userTeamLinks.teamId), eq(teams.isDeleted, false)))
      .innerJoin(organizations, and(ofTenant(organizations), eq(organizations.id, teams.organizationId)))
      .where(and(ofTenant(userTeamLinks), eq(userTeamLinks.userId, id)))
      .orderBy(asc(organizations.name), asc(teams.name)),
  ])
  const { id: userId, email, fullName, isActive, metadata, lastSignInAt, createdAt, updatedAt } = user
  return {
    user: { id: userId, email, fullName, isActive, metadata, lastSignInAt, createdAt, updatedAt },
    roles: roleRows,
    teams: teamRows,
  }
}

export const emailTaken = () =>
  new HttpError(409, 'email_taken', msg('serverErrors.emailInUse'), {
    fieldErrors: { email: msg('serverErrors.emailInUseField') },
  })

/** Emails are unique among a tenant's live people (soft-deleted ones free theirs). */
export async function assertEmailFree(tx: Tx, email: string, exceptId?: string) {
  const [taken] = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(ofTenant(users), eq(users.email, email), eq(users.isDeleted, false)))
  if (taken && taken.id !== exceptId) throw emailTaken()
}

/** Ends every session of a user, so a deactivation or deletion locks them out at once. */
export async function endSessions(tx: Tx, userId: string) {
  await tx.delete(sessions).where(and(ofTenant(sessions), eq(sessions.userId, userId)))
}

/** Roles and teams to filter and assign by. */
/**
 * The roles and teams the people screens offer. Each role says whether the viewer may grant it (`grantable`: they hold
 * every permission it carries, as `assertCanGrantRoles` requires), so grant controls offer only those.
 */
export async function userFilterOptions(tx: Tx, viewerPermissions: readonly string[] = []) {
  const [roleRows, teamRows, carried] = await Promise.all([
    tx.select({ id: roles.id, name: roles.name, systemKey: roles.systemKey }).from(roles).where(and(ofTenant(roles), eq(roles.isDeleted, false))).orderBy(asc(roles.name)),
    // With its organization: teams of the same name in two organizations are told apart.
    tx
      .select({ id: teams.id, name: teams.name, organization: organizations.name })
      .from(teams)
      .innerJoin(organizations, and(ofTenant(organizations), eq(organizations.id, teams.organizationId)))
      .where(and(ofTenant(teams), eq(teams.isDeleted, false)))
      .orderBy(asc(organizations.name), asc(teams.name)),
    tx.select({ roleId: rolePermissions.roleId, key: rolePermissions.permissionKey }).from(rolePermissions).where(ofTenant(rolePermissions)),
  ])
  const notHeld = new Set(carried.filter((c) => !viewerPermissions.includes(c.key)).map((c) => c.roleId))
  return { roles: roleRows.map((r) => ({ ...r, grantable: !notHeld.has(r.id) })), teams: teamRows }
}

export async function createUserChecked(tx: Tx, input: NewUser) {
  await assertEmailFree(tx, input.email)
  try {
    return await createUser(tx, input)
  } catch (error) {
    if (isUniqueViolation(error)) throw emailTaken()
    throw error
  }
}

/**
 * A person added by an admin (the Users page). Refused while impersonating, first, with or without a password: a
 * password would outlive the impersonation, and so would an address the operator receives, through a reset link
 * asked for afterwards. Roles need roles:manage and only roles the admin may grant.
 */
export async function addPerson(tx: Tx, actor: Actor, data: z.output<typeof createUserSchema>) {
  refuseWhileImpersonating(actor)
  if (data.roleIds.length > 0) {
    if (!actor.permissions.includes('roles:manage')) throw new HttpError(403, 'forbidden', msg('serverErrors.assignRolesNeedsPermission'))
    await requireRoles(tx, data.roleIds)
    await assertCanGrantRoles(tx, actor.permissions, data.roleIds)
  }
  return createUserChecked(tx, {
    tenantId: actor.tenant.id,
    email: data.email,
    fullName: data.fullName,
    roleIds: data.roleIds,
    assignedById: actor.userId,
    metadata: data.metadata,
    password: data.password ? { plain: data.password } : undefined,
  })
}

export async function updateUserRow(tx: Tx, id: string, data: { email?: string; fullName?: string; metadata?: JsonObject }) {
  await requireUserRow(tx, id)
  if (data.email) await assertEmailFree(tx, data.email, id)
  try {
    await tx.update(users).set(data).where(and(ofTenant(users), eq(users.id, id)))
  } catch (error) {
    if (isUniqueViolation(error)) throw emailTaken()
    throw error
  }
}

/** Deactivation and deletion keep the workspace's last owner, refuse the actor themself, and end sessions at once. */
export async function lockOut(tx: Tx, id: string, actorId: string, how: 'deactivate' | 'delete') {
  await requireUserRow(tx, id)
  if (id === actorId) throw new HttpError(409, 'self', msg(how === 'deactivate' ? 'serverErrors.selfDeactivate' : 'serverErrors.selfDelete'))
  await assertNotLastOwner(tx, id)
  const change = how === 'deactivate' ? { isActive: false } : { isDeleted: true, deletedAt: sql`now()`, deletedById: actorId }
  await tx.update(users).set(change).where(and(ofTenant(users), eq(users.id, id)))
  await endSessions(tx, id)
}

/** Refused while impersonating: an account brought back could be one whose mailbox the operator receives. */
export async function reactivate(tx: Tx, id: string, caller?: { impersonatorId: string | null } | null) {
  refuseWhileImpersonating(caller)
  await requireUserRow(tx, id)
  await tx.update(users).set({ isActive: true }).where(and(ofTenant(users), eq(users.id, id)))
}

/** Replaces a user's roles in one action: adds and removes are checked against the grant and last-owner rules. */
export async function replaceUserRoles(
  tx: Tx,
  actor: { tenantId: string; permissions: readonly Permission[]; user?: { id: string }; caller?: { impersonatorId: string | null } | null },
  id: string,
  roleIds: string[],
) {
  await requireUserRow(tx, id)
  const wanted = [...new Set(roleIds)]
  await requireRoles(tx, wanted)
  const current = (await tx.select({ roleId: userRoles.roleId }).from(userRoles).where(and(ofTenant(userRoles), eq(userRoles.userId, id)))).map((r) => r.roleId)
  const added = wanted.filter((r) => !current.includes(r))
  const removed = current.filter((r) => !wanted.includes(r))
  // Taking roles away is fine while impersonating; a grant could raise an account the operator controls.
  if (added.length > 0) refuseWhileImpersonating(actor.caller)
  await assertCanGrantRoles(tx, actor.permissions, added)
  if (removed.includes(await ownerRoleId(tx))) await assertNotLastOwner(tx, id)
  if (removed.length > 0) await tx.delete(userRoles).where(and(ofTenant(userRoles), eq(userRoles.userId, id), inArray(userRoles.roleId, removed)))
  if (added.length > 0) {
    await tx.insert(userRoles).values(added.map((roleId) => ({ tenantId: actor.tenantId, userId: id, roleId, assignedById: actor.user?.id ?? null })))
  }
  return { added: added.length, removed: removed.length }
}

/**
 * A person may manage only people whose every permission they hold themselves: otherwise an admin could lock out
 * an owner, or take the account over (a changed email is one reset link away from a takeover).
 */
export async function assertMayManage(tx: Tx, actorPermissions: readonly Permission[], targetId: string) {
  await requireUserRow(tx, targetId)
  const missing = (await permissionsOf(tx, targetId)).filter((p) => !actorPermissions.includes(p))
  if (missing.length > 0) {
    throw forbidden(msg('serverErrors3.changeStronger', { keys: missing.join(', ') }))
  }
}
