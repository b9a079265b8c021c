import { msg } from '~/lib/i18n'
import { and, asc, count, eq, inArray, ne, type SQL, sql } from 'drizzle-orm'
import { conflict, notFound } from '~/lib/errors'
import type { Tx } from '~/server/db/client.server'
import { organizations, teams, users, userTeamLinks } from '~/server/db/schema'
import { isUniqueViolation, sqlState } from '~/server/db/errors.server'
import { ofTenant, scopeTenantId } from '~/server/db/tenant.server'
import { requireUserRow } from '../users/users.server'
import type {
  AddTeamMemberInput,
  CreateOrganizationInput,
  CreateTeamInput,
  ListOrganizationsInput,
  ListTeamMembersInput,
  ListTeamsInput,
  SetTeamMemberRoleInput,
  TeamMemberInput,
  UpdateOrganizationInput,
  UpdateTeamInput,
} from './teams.schemas'

const ORGANIZATION_TAKEN = () =>
  conflict(msg('serverErrors2.orgTaken'), { name: msg('serverErrors2.orgTakenField') })
const TEAM_TAKEN = () => conflict(msg('serverErrors2.teamTaken'), { name: msg('serverErrors2.teamTakenField') })

function isForeignKeyViolation(error: unknown): boolean {
  return sqlState(error) === '23503'
}

function contains(column: SQL, q: string | undefined): SQL | undefined {
  if (!q) return undefined
  const pattern = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
  return sql`lower(${column}) like ${pattern}`
}

const offset = (input: { page: number; pageSize: number }) => (input.page - 1) * input.pageSize

/**
 * Team members who are live users; links of soft-deleted users stay for a restore but do not count. Only for
 * selects with a join: drizzle writes column names unqualified in a single-table select list.
 */
const memberCount = () => {
  const tenant = scopeTenantId()
  return sql<number>`(select count(*) from ${userTeamLinks} join ${users} on ${users.tenantId} = ${tenant} and ${users.id} = ${userTeamLinks.userId} and not ${users.isDeleted} where ${userTeamLinks.tenantId} = ${tenant} and ${userTeamLinks.teamId} = ${teams.id})`.mapWith(
    Number,
  )
}

export async function findOrganizations(tx: Tx, input: ListOrganizationsInput) {
  const where = and(ofTenant(organizations), eq(organizations.isDeleted, false), contains(sql`${organizations.name}`, input.q))
  const [rows, [total]] = await Promise.all([
    tx
      .select({ id: organizations.id, name: organizations.name, description: organizations.description, createdAt: organizations.createdAt })
      .from(organizations)
      .where(where)
      .orderBy(sql`lower(${organizations.name})`, asc(organizations.id))
      .limit(input.pageSize)
      .offset(offset(input)),
    tx.select({ n: count() }).from(organizations).where(where),
  ])
  const counts =
    rows.length === 0
      ? []
      : await tx
          .select({ organizationId: teams.organizationId, n: count() })
          .from(teams)
          .where(and(ofTenant(teams), inArray(teams.organizationId, rows.map((o) => o.id)), eq(teams.isDeleted, false)))
          .groupBy(teams.organizationId)
  const items = rows.map((o) => ({ ...o, teamCount: Number(counts.find((c) => c.organizationId === o.id)?.n ?? 0) }))
  return { items, total: Number(total?.n ?? 0), page: input.page, pageSize: input.pageSize }
}

/**
 * A live organization of the caller's tenant; another tenant's id is invisible under RLS and gets the same 404.
 * `lock` takes a share lock, so a team cannot be created in an organization that a concurrent delete is removing.
 */
export async function requireOrganization(tx: Tx, id: string, options: { lock?: boolean } = {}) {
  const query = tx
    .select()
    .from(organizations)
    .where(and(ofTenant(organizations), eq(organizations.id, id), eq(organizations.isDeleted, false)))
  const [row] = options.lock ? await query.for('share') : await query
  if (!row) throw notFound('organization')
  return row
}

async function assertOrganizationNameFree(tx: Tx, name: string, exceptId?: string) {
  const [taken] = await tx
    .select({ id: organizations.id })
    .from(organizations)
    .where(
      and(
        ofTenant(organizations),
        sql`lower(${organizations.name}) = lower(${name})`,
        eq(organizations.isDeleted, false),
        exceptId ? ne(organizations.id, exceptId) : undefined,
      ),
    )
  if (taken) throw ORGANIZATION_TAKEN()
}

export async function createOrganization(tx: Tx, tenantId: string, input: CreateOrganizationInput) {
  await assertOrganizationNameFree(tx, input.name)
  try {
    const [row] = await tx.insert(organizations).values({ tenantId, name: input.name, description: input.description }).returning()
    if (!row) throw new Error('createOrganization: insert returned no row')
    return row
  } catch (error) {
    if (isUniqueViolation(error)) throw ORGANIZATION_TAKEN()
    throw error
  }
}

export async function updateOrganization(tx: Tx, { id, data }: UpdateOrganizationInput) {
  const current = await requireOrganization(tx, id)
  if (data.name === undefined && data.description === undefined) return current
  if (data.name !== undefined) await assertOrganizationNameFree(tx, data.name, id)
  try {
    const [row] = await tx.update(organizations).set(data).where(and(ofTenant(organizations), eq(organizations.id, id))).returning()
    if (!row) throw notFound('organization')
    return row
  } catch (error) {
    if (isUniqueViolation(error)) throw ORGANIZATION_TAKEN()
    throw error
  }
}

/**
 * Soft-deletes an organization and, in the same transaction, its live teams, stamped with the same actor and
 * time (now() is the transaction's start), so a restore can bring back exactly the teams that went with it.
 * The organization row is updated first: its row lock makes a concurrent createTeam wait and then see it deleted.
 */
export async function deleteOrganization(tx: Tx, id: string, actorId: string) {
  await requireOrganization(tx, id)
  const stamp = { isDeleted: true, deletedAt: sql`now()`, deletedById: actorId }
  await tx.update(organizations).set(stamp).where(and(ofTenant(organizations), eq(organizations.id, id)))
  const deletedTeams = await tx
    .update(teams)
    .set(stamp)
    .where(and(ofTenant(teams), eq(teams.organizationId, id), eq(teams.isDeleted, false)))
    .returning({ id: teams.id })
  return { teamsDeleted: deletedTeams.length }
}

/** A page of live teams; filtered by organization, it also returns that organization (or a 404 for a foreign id). */
export async function findTeams(tx: Tx, input: ListTeamsInput) {
  const organization = input.organizationId ? await requireOrganization(tx, input.organizationId) : null
  const where = and(
    ofTenant(teams),
    eq(teams.isDeleted, false),
    input.organizationId ? eq(teams.organizationId, input.organizationId) : undefined,
    contains(sql`${teams.name}`, input.q),
  )
  const liveOrganization = and(
    ofTenant(organizations),
    eq(organizations.id, teams.organizationId),
    eq(organizations.isDeleted, false),
  )
  const [items, [total]] = await Promise.all([
    tx
      .select({
        id: teams.id,
        name: teams.name,
        description: teams.description,
        organizationId: teams.organizationId,
        organizationName: organizations.name,
        memberCount: memberCount(),
        createdAt: teams.createdAt,
      })
      .from(teams)
      .innerJoin(organizations, liveOrganization)
      .where(where)
      .orderBy(sql`lower(${teams.name})`, asc(teams.id))
      .limit(input.pageSize)
      .offset(offset(input)),
    tx.select({ n: count() }).from(teams).innerJoin(organizations, liveOrganization).where(where),
  ])
  return {
    items,
    total: Number(total?.n ?? 0),
    page: input.page,
    pageSize: input.pageSize,
    organization: organization && { id: organization.id, name: organization.name, description: organization.description },
  }
}

/** A live team of the caller's tenant in a live organization, or a 404 (also for another tenant's id). */
export async function requireTeam(tx: Tx, id: string) {
  const [row] = await tx
    .select({
      id: teams.id,
      name: teams.name,
      description: teams.description,
      organizationId: teams.organizationId,
      organizationName: organizations.name,
      memberCount: memberCount(),
      createdAt: teams.createdAt,
      updatedAt: teams.updatedAt,
    })
    .from(teams)
    .innerJoin(
      organizations,
      and(ofTenant(organizations), eq(organizations.id, teams.organizationId), eq(organizations.isDeleted, false)),
    )
    .where(and(ofTenant(teams), eq(teams.id, id), eq(teams.isDeleted, false)))
  if (!row) throw notFound('team')
  return row
}

async function assertTeamNameFree(tx: Tx, organizationId: string, name: string, exceptId?: string) {
  const [taken] = await tx
    .select({ id: teams.id })
    .from(teams)
    .where(
      and(
        ofTenant(teams),
        eq(teams.organizationId, organizationId),
        sql`lower(${teams.name}) = lower(${name})`,
        eq(teams.isDeleted, false),
        exceptId ? ne(teams.id, exceptId) : undefined,
      ),
    )
  if (taken) throw TEAM_TAKEN()
}

/** Maps what the database refuses to what a person can act on; the checks before it make these rare races. */
function teamWriteError(error: unknown): unknown {
  if (isUniqueViolation(error)) return TEAM_TAKEN()
  // The composite key (tenant_id, organization_id) can only point into this tenant.
  if (isForeignKeyViolation(error)) return notFound('organization')
  return error
}

export async function createTeam(tx: Tx, tenantId: string, input: CreateTeamInput) {
  await requireOrganization(tx, input.organizationId, { lock: true })
  await assertTeamNameFree(tx, input.organizationId, input.name)
  try {
    const [row] = await tx
      .insert(teams)
      .values({ tenantId, organizationId: input.organizationId, name: input.name, description: input.description })
      .returning()
    if (!row) throw new Error('createTeam: insert returned no row')
    return row
  } catch (error) {
    throw teamWriteError(error)
  }
}

export async function updateTeam(tx: Tx, { id, data }: UpdateTeamInput) {
  const current = await requireTeam(tx, id)
  const organizationId = data.organizationId ?? current.organizationId
  const moving = organizationId !== current.organizationId
  if (moving) await requireOrganization(tx, organizationId, { lock: true })
  if (data.name !== undefined || moving) await assertTeamNameFree(tx, organizationId, data.name ?? current.name, id)
  if (data.name === undefined && data.description === undefined && !moving) return current
  try {
    await tx.update(teams).set(data).where(and(ofTenant(teams), eq(teams.id, id)))
  } catch (error) {
    throw teamWriteError(error)
  }
  return requireTeam(tx, id)
}

/** Memberships stay in place (the link table has no soft delete), so restoring the team restores its members. */
export async function deleteTeam(tx: Tx, id: string, actorId: string) {
  await requireTeam(tx, id)
  await tx.update(teams).set({ isDeleted: true, deletedAt: sql`now()`, deletedById: actorId }).where(and(ofTenant(teams), eq(teams.id, id)))
}

const liveMember = () => and(ofTenant(users), eq(users.id, userTeamLinks.userId), eq(users.isDeleted, false))

export async function findTeamMembers(tx: Tx, input: ListTeamMembersInput) {
  await requireTeam(tx, input.teamId)
  const where = and(ofTenant(userTeamLinks), eq(userTeamLinks.teamId, input.teamId), contains(sql`${users.fullName} || ' ' || ${users.email}`, input.q))
  const [items, [total]] = await Promise.all([
    tx
      .select({
        userId: users.id,
        fullName: users.fullName,
        email: users.email,
        isActive: users.isActive,
        role: userTeamLinks.role,
        addedAt: userTeamLinks.createdAt,
      })
      .from(userTeamLinks)
      .innerJoin(users, liveMember())
      .where(where)
      .orderBy(sql`lower(${users.fullName})`, asc(users.id))
      .limit(input.pageSize)
      .offset(offset(input)),
    tx.select({ n: count() }).from(userTeamLinks).innerJoin(users, liveMember()).where(where),
  ])
  return { items, total: Number(total?.n ?? 0), page: input.page, pageSize: input.pageSize }
}

export async function addTeamMember(tx: Tx, tenantId: string, input: AddTeamMemberInput) {
  await requireTeam(tx, input.teamId)
  const user = await requireUserRow(tx, input.userId)
  const already = () => conflict(msg('serverErrors2.alreadyMember', { name: user.fullName }), { userId: msg('serverErrors2.alreadyMemberField') })
  const [existing] = await tx
    .select({ id: userTeamLinks.id })
    .from(userTeamLinks)
    .where(and(ofTenant(userTeamLinks), eq(userTeamLinks.teamId, input.teamId), eq(userTeamLinks.userId, input.userId)))
  if (existing) throw already()
  try {
    const [row] = await tx
      .insert(userTeamLinks)
      .values({ tenantId, teamId: input.teamId, userId: input.userId, role: input.role })
      .returning({ userId: userTeamLinks.userId, role: userTeamLinks.role })
    if (!row) throw new Error('addTeamMember: insert returned no row')
    return { ...row, fullName: user.fullName }
  } catch (error) {
    if (isUniqueViolation(error)) throw already()
    throw error
  }
}

/** The link of a live user to a live team, or a 404. */
async function requireMembership(tx: Tx, { teamId, userId }: TeamMemberInput) {
  await requireTeam(tx, teamId)
  const [row] = await tx
    .select({ id: userTeamLinks.id, role: userTeamLinks.role, fullName: users.fullName })
    .from(userTeamLinks)
    .innerJoin(users, liveMember())
    .where(and(ofTenant(userTeamLinks), eq(userTeamLinks.teamId, teamId), eq(userTeamLinks.userId, userId)))
  if (!row) throw notFound('teamMember')
  return row
}

export async function setTeamMemberRole(tx: Tx, input: SetTeamMemberRoleInput) {
  const link = await requireMembership(tx, input)
  await tx.update(userTeamLinks).set({ role: input.role }).where(and(ofTenant(userTeamLinks), eq(userTeamLinks.id, link.id)))
  return { userId: input.userId, role: input.role, fullName: link.fullName }
}

export async function removeTeamMember(tx: Tx, input: TeamMemberInput) {
  const link = await requireMembership(tx, input)
  await tx.delete(userTeamLinks).where(and(ofTenant(userTeamLinks), eq(userTeamLinks.id, link.id)))
  return { userId: input.userId, fullName: link.fullName }
}
