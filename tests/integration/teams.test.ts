import { randomUUID } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  addTeamMember,
  createOrganization,
  createTeam,
  deleteOrganization,
  deleteTeam,
  findOrganizations,
  findTeamMembers,
  findTeams,
  removeTeamMember,
  requireOrganization,
  requireTeam,
  setTeamMemberRole,
  updateOrganization,
  updateTeam,
} from '~/features/teams/teams.server'
import { createUser } from '~/features/users/users.server'
import { HttpError } from '~/lib/errors'
import { rowsOf, type Tx } from '~/server/db/client.server'
import { organizations, teams, users, userTeamLinks } from '~/server/db/schema'
import { withTenant } from '~/server/db/scope.server'
import { ofTenant } from '~/server/db/tenant.server'
import { openTestDatabase, type TestDatabase } from '../support/db'
import { english, expectPgError, SQLSTATE } from '../support/errors'
import { createTestTenant } from '../support/fixtures'
import { unique } from '../support/tenant-data'

type Tenant = { tenantId: string; ownerId: string; userIds: string[] }

let t: TestDatabase
let a: Tenant
let b: Tenant

async function tenantWithUsers(): Promise<Tenant> {
  const { tenant, owner } = await createTestTenant()
  const userIds = await withTenant({ tenantId: tenant.id, userId: owner.id }, async (tx) => {
    const ids: string[] = []
    for (const name of ['Ada Lovelace', 'Grace Hopper', 'Edsger Dijkstra']) {
      const user = await createUser(tx, { tenantId: tenant.id, email: `${unique('u')}@example.test`, fullName: name })
      ids.push(user.id)
    }
    return ids
  })
  return { tenantId: tenant.id, ownerId: owner.id, userIds }
}

beforeAll(async () => {
  t = await openTestDatabase()
  a = await tenantWithUsers()
  b = await tenantWithUsers()
}, 60_000)
afterAll(() => t.close())

function as<T>(tenant: Tenant, work: (tx: Tx) => Promise<T>): Promise<T> {
  return withTenant({ tenantId: tenant.tenantId, userId: tenant.ownerId, requestId: 'teams-test' }, work)
}

/** The scope must fail with this HttpError (status, and the field that carries the message, if any). */
async function expectHttpError(work: Promise<unknown>, status: number, field?: string): Promise<HttpError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(HttpError)
  const http = error as HttpError
  expect(http.status).toBe(status)
  if (field) expect(http.fieldErrors?.[field]).toEqual(expect.any(String))
  return http
}

const page = { page: 1, pageSize: 25 }
const user = (tenant: Tenant, i: number): string => {
  const id = tenant.userIds[i]
  if (!id) throw new Error(`no user ${i}`)
  return id
}

/** Every organization, team and membership row of a tenant as the owner sees it, to prove nothing changed. */
async function everything(tenant: Tenant): Promise<string> {
  const rows = rowsOf<{ row: string }>(
    await t.owner.db.execute(sql`
      select jsonb_build_object(
        'organizations', (select jsonb_agg(to_jsonb(o) order by o.id) from organizations o where o.tenant_id = ${tenant.tenantId}),
        'teams', (select jsonb_agg(to_jsonb(x) order by x.id) from teams x where x.tenant_id = ${tenant.tenantId}),
        'links', (select jsonb_agg(to_jsonb(l) order by l.id) from user_team_links l where l.tenant_id = ${tenant.tenantId})
      )::text as row`),
  )
  return rows[0]?.row ?? ''
}

describe('organizations', () => {
  it('creates, lists with live team counts, searches, pages, renames and describes', async () => {
    const name = unique('Engineering')
    const org = await as(a, (tx) => createOrganization(tx, a.tenantId, { name, description: 'Builds things' }))
    expect(org).toMatchObject({ tenantId: a.tenantId, name, description: 'Builds things', isDeleted: false })
    await as(a, async (tx) => {
      await createTeam(tx, a.tenantId, { organizationId: org.id, name: 'Platform', description: '' })
      const gone = await createTeam(tx, a.tenantId, { organizationId: org.id, name: 'Web', description: '' })
      await deleteTeam(tx, gone.id, a.ownerId)
    })

    const found = await as(a, (tx) => findOrganizations(tx, { ...page, q: name.toUpperCase() }))
    expect(found).toMatchObject({ total: 1, page: 1, pageSize: 25 })
    expect(found.items).toEqual([expect.objectContaining({ id: org.id, name, teamCount: 1 })])

    const renamed = await as(a, (tx) => updateOrganization(tx, { id: org.id, data: { name: `${name} Dept` } }))
    expect(renamed.name).toBe(`${name} Dept`)
    const described = await as(a, (tx) => updateOrganization(tx, { id: org.id, data: { description: 'Ships things' } }))
    expect(described).toMatchObject({ name: `${name} Dept`, description: 'Ships things' })
  })

  it('pages in SQL with a total', async () => {
    const prefix = unique('Paged')
    await as(a, async (tx) => {
      for (let i = 0; i < 7; i++) await createOrganization(tx, a.tenantId, { name: `${prefix} ${i}`, description: '' })
    })
    const second = await as(a, (tx) => findOrganizations(tx, { q: prefix, page: 2, pageSize: 5 }))
    expect(second.total).toBe(7)
    expect(second.items.map((o) => o.name)).toEqual([`${prefix} 5`, `${prefix} 6`])
  })

  it('refuses a name a live organization already has (any case) with a field error, and allows it once deleted', async () => {
    const name = unique('Sales')
    const first = await as(a, (tx) => createOrganization(tx, a.tenantId, { name, description: '' }))
    const other = await as(a, (tx) => createOrganization(tx, a.tenantId, { name: unique('Other'), description: '' }))
    await expectHttpError(as(a, (tx) => createOrganization(tx, a.tenantId, { name: name.toUpperCase(), description: '' })), 409, 'name')
    await expectHttpError(as(a, (tx) => updateOrganization(tx, { id: other.id, data: { name } })), 409, 'name')
    const recased = await as(a, (tx) => updateOrganization(tx, { id: first.id, data: { name: name.toLowerCase() } }))
    expect(recased.name).toBe(name.toLowerCase())

    await as(a, (tx) => deleteOrganization(tx, first.id, a.ownerId))
    const again = await as(a, (tx) => createOrganization(tx, a.tenantId, { name, description: '' }))
    expect(again.id).not.toBe(first.id)
  })

  it('soft-deletes an organization together with its live teams, stamped alike; other organizations keep theirs', async () => {
    const [org, keep] = await as(a, (tx) =>
      Promise.all([
        createOrganization(tx, a.tenantId, { name: unique('Doomed'), description: '' }),
        createOrganization(tx, a.tenantId, { name: unique('Kept'), description: '' }),
      ]),
    )
    const [one, two, kept] = await as(a, async (tx) => [
      await createTeam(tx, a.tenantId, { organizationId: org.id, name: 'One', description: '' }),
      await createTeam(tx, a.tenantId, { organizationId: org.id, name: 'Two', description: '' }),
      await createTeam(tx, a.tenantId, { organizationId: keep.id, name: 'One', description: '' }),
    ])
    await as(a, (tx) => addTeamMember(tx, a.tenantId, { teamId: one.id, userId: user(a, 0), role: 'member' }))

    expect(await as(a, (tx) => deleteOrganization(tx, org.id, a.ownerId))).toEqual({ teamsDeleted: 2 })

    const rows = await t.owner.db
      .select({ id: teams.id, isDeleted: teams.isDeleted, deletedAt: teams.deletedAt, deletedById: teams.deletedById })
      .from(teams)
      .where(eq(teams.organizationId, org.id))
    const [orgRow] = await t.owner.db.select().from(organizations).where(eq(organizations.id, org.id))
    expect(orgRow).toMatchObject({ isDeleted: true, deletedById: a.ownerId })
    expect(rows).toHaveLength(2)
    for (const row of rows) expect(row).toEqual({ id: row.id, isDeleted: true, deletedAt: orgRow?.deletedAt, deletedById: a.ownerId })
    const links = await t.owner.db.select().from(userTeamLinks).where(eq(userTeamLinks.teamId, one.id))
    expect(links, 'memberships stay for a restore').toHaveLength(1)

    await expectHttpError(as(a, (tx) => requireOrganization(tx, org.id)), 404)
    await expectHttpError(as(a, (tx) => requireTeam(tx, two.id)), 404)
    await expectHttpError(as(a, (tx) => deleteOrganization(tx, org.id, a.ownerId)), 404)
    await expectHttpError(as(a, (tx) => createTeam(tx, a.tenantId, { organizationId: org.id, name: 'Three', description: '' })), 404)
    const listed = await as(a, (tx) => findOrganizations(tx, { ...page, pageSize: 100 }))
    expect(listed.items.map((o) => o.id)).not.toContain(org.id)
    expect(await as(a, (tx) => requireTeam(tx, kept.id))).toMatchObject({ id: kept.id, organizationId: keep.id })
  })
})

describe('teams', () => {
  it('creates a team in an organization, lists it with its organization and member count, edits and deletes it', async () => {
    const org = await as(a, (tx) => createOrganization(tx, a.tenantId, { name: unique('Org'), description: '' }))
    const team = await as(a, (tx) => createTeam(tx, a.tenantId, { organizationId: org.id, name: 'Design', description: 'Pixels' }))
    await as(a, (tx) => addTeamMember(tx, a.tenantId, { teamId: team.id, userId: user(a, 0), role: 'member' }))

    const listed = await as(a, (tx) => findTeams(tx, { ...page, organizationId: org.id }))
    expect(listed.total).toBe(1)
    expect(listed.items).toEqual([
      expect.objectContaining({ id: team.id, name: 'Design', description: 'Pixels', organizationId: org.id, organizationName: org.name, memberCount: 1 }),
    ])
    expect((await as(a, (tx) => findTeams(tx, { ...page, q: 'desi' }))).items.map((x) => x.id)).toContain(team.id)

    const edited = await as(a, (tx) => updateTeam(tx, { id: team.id, data: { name: 'Product design', description: '' } }))
    expect(edited).toMatchObject({ id: team.id, name: 'Product design', description: '', memberCount: 1 })

    await as(a, (tx) => deleteTeam(tx, team.id, a.ownerId))
    const [row] = await t.owner.db.select().from(teams).where(eq(teams.id, team.id))
    expect(row).toMatchObject({ isDeleted: true, deletedById: a.ownerId, deletedAt: expect.any(Date) })
    await expectHttpError(as(a, (tx) => requireTeam(tx, team.id)), 404)
    await expectHttpError(as(a, (tx) => updateTeam(tx, { id: team.id, data: { name: 'Back' } })), 404)
    expect((await as(a, (tx) => findTeams(tx, { ...page, organizationId: org.id }))).total).toBe(0)
    const reused = await as(a, (tx) => createTeam(tx, a.tenantId, { organizationId: org.id, name: 'Product design', description: '' }))
    expect(reused.id).not.toBe(team.id)
  })

  it('keeps team names unique per organization among live teams, and moves a team only where its name is free', async () => {
    const [one, two] = await as(a, (tx) =>
      Promise.all([
        createOrganization(tx, a.tenantId, { name: unique('One'), description: '' }),
        createOrganization(tx, a.tenantId, { name: unique('Two'), description: '' }),
      ]),
    )
    const ops = await as(a, (tx) => createTeam(tx, a.tenantId, { organizationId: one.id, name: 'Ops', description: '' }))
    await expectHttpError(as(a, (tx) => createTeam(tx, a.tenantId, { organizationId: one.id, name: 'OPS', description: '' })), 409, 'name')
    const twoOps = await as(a, (tx) => createTeam(tx, a.tenantId, { organizationId: two.id, name: 'Ops', description: '' }))
    const support = await as(a, (tx) => createTeam(tx, a.tenantId, { organizationId: one.id, name: 'Support', description: '' }))
    await expectHttpError(as(a, (tx) => updateTeam(tx, { id: support.id, data: { name: 'ops' } })), 409, 'name')
    await expectHttpError(as(a, (tx) => updateTeam(tx, { id: ops.id, data: { organizationId: two.id } })), 409, 'name')

    const moved = await as(a, (tx) => updateTeam(tx, { id: support.id, data: { organizationId: two.id } }))
    expect(moved).toMatchObject({ id: support.id, organizationId: two.id, organizationName: two.name })
    await as(a, (tx) => deleteTeam(tx, twoOps.id, a.ownerId))
    expect(await as(a, (tx) => updateTeam(tx, { id: ops.id, data: { organizationId: two.id } }))).toMatchObject({ organizationId: two.id })
  })

  it('answers 404 for an organization that does not exist', async () => {
    await expectHttpError(as(a, (tx) => createTeam(tx, a.tenantId, { organizationId: randomUUID(), name: 'Nowhere', description: '' })), 404)
    await expectHttpError(as(a, (tx) => findTeams(tx, { ...page, organizationId: randomUUID() })), 404)
  })
})

describe('team membership', () => {
  it('adds live users of the tenant, lists them with name, email and role, changes roles and removes them', async () => {
    const org = await as(a, (tx) => createOrganization(tx, a.tenantId, { name: unique('Members'), description: '' }))
    const team = await as(a, (tx) => createTeam(tx, a.tenantId, { organizationId: org.id, name: 'Crew', description: '' }))
    const added = await as(a, (tx) => addTeamMember(tx, a.tenantId, { teamId: team.id, userId: user(a, 0), role: 'owner' }))
    expect(added).toEqual({ userId: user(a, 0), role: 'owner', fullName: 'Ada Lovelace' })
    await as(a, (tx) => addTeamMember(tx, a.tenantId, { teamId: team.id, userId: user(a, 1), role: 'guest' }))

    const members = await as(a, (tx) => findTeamMembers(tx, { ...page, teamId: team.id }))
    expect(members.total).toBe(2)
    expect(members.items.map(({ fullName, email, role, isActive }) => ({ fullName, email: email.endsWith('@example.test'), role, isActive }))).toEqual([
      { fullName: 'Ada Lovelace', email: true, role: 'owner', isActive: true },
      { fullName: 'Grace Hopper', email: true, role: 'guest', isActive: true },
    ])
    expect((await as(a, (tx) => findTeamMembers(tx, { ...page, teamId: team.id, q: 'grace' }))).items.map((m) => m.userId)).toEqual([user(a, 1)])

    const conflict = await expectHttpError(as(a, (tx) => addTeamMember(tx, a.tenantId, { teamId: team.id, userId: user(a, 0), role: 'member' })), 409, 'userId')
    expect(english(conflict.message)).toMatch(/Ada Lovelace is already a member/)

    expect(await as(a, (tx) => setTeamMemberRole(tx, { teamId: team.id, userId: user(a, 1), role: 'admin' }))).toMatchObject({ role: 'admin' })
    expect(await as(a, (tx) => removeTeamMember(tx, { teamId: team.id, userId: user(a, 0) }))).toMatchObject({ userId: user(a, 0) })
    const after = await as(a, (tx) => findTeamMembers(tx, { ...page, teamId: team.id }))
    expect(after.items.map((m) => ({ id: m.userId, role: m.role }))).toEqual([{ id: user(a, 1), role: 'admin' }])

    await expectHttpError(as(a, (tx) => removeTeamMember(tx, { teamId: team.id, userId: user(a, 0) })), 404)
    await expectHttpError(as(a, (tx) => setTeamMemberRole(tx, { teamId: team.id, userId: user(a, 0), role: 'admin' })), 404)
  })

  it('refuses unknown and soft-deleted users with a 404, and hides members who were deleted after joining', async () => {
    const org = await as(a, (tx) => createOrganization(tx, a.tenantId, { name: unique('Leavers'), description: '' }))
    const team = await as(a, (tx) => createTeam(tx, a.tenantId, { organizationId: org.id, name: 'Crew', description: '' }))
    const [leaver, deleted] = await as(a, async (tx) => [
      await createUser(tx, { tenantId: a.tenantId, email: `${unique('leaver')}@example.test`, fullName: 'Leaver' }),
      await createUser(tx, { tenantId: a.tenantId, email: `${unique('deleted')}@example.test`, fullName: 'Deleted' }),
    ])
    if (!leaver || !deleted) throw new Error('no users')
    await as(a, async (tx) => {
      await addTeamMember(tx, a.tenantId, { teamId: team.id, userId: leaver.id, role: 'member' })
      await tx.update(users).set({ isDeleted: true, deletedAt: sql`now()`, deletedById: a.ownerId }).where(and(ofTenant(users), eq(users.id, deleted.id)))
    })

    await expectHttpError(as(a, (tx) => addTeamMember(tx, a.tenantId, { teamId: team.id, userId: deleted.id, role: 'member' })), 404)
    await expectHttpError(as(a, (tx) => addTeamMember(tx, a.tenantId, { teamId: team.id, userId: randomUUID(), role: 'member' })), 404)
    await expectHttpError(as(a, (tx) => addTeamMember(tx, a.tenantId, { teamId: randomUUID(), userId: leaver.id, role: 'member' })), 404)

    await as(a, (tx) => tx.update(users).set({ isDeleted: true, deletedAt: sql`now()`, deletedById: a.ownerId }).where(and(ofTenant(users), eq(users.id, leaver.id))))
    expect((await as(a, (tx) => findTeamMembers(tx, { ...page, teamId: team.id }))).total).toBe(0)
    expect(await as(a, (tx) => requireTeam(tx, team.id))).toMatchObject({ memberCount: 0 })
    await expectHttpError(as(a, (tx) => removeTeamMember(tx, { teamId: team.id, userId: leaver.id })), 404)
  })
})

describe('across tenants', () => {
  it("gives tenant B a 404 for every one of tenant A's organizations, teams and users, and changes nothing in A", async () => {
    const org = await as(a, (tx) => createOrganization(tx, a.tenantId, { name: unique('Secret'), description: 'A only' }))
    const team = await as(a, (tx) => createTeam(tx, a.tenantId, { organizationId: org.id, name: 'Inner circle', description: '' }))
    await as(a, (tx) => addTeamMember(tx, a.tenantId, { teamId: team.id, userId: user(a, 0), role: 'owner' }))
    const bOrg = await as(b, (tx) => createOrganization(tx, b.tenantId, { name: unique('B org'), description: '' }))
    const bTeam = await as(b, (tx) => createTeam(tx, b.tenantId, { organizationId: bOrg.id, name: 'B team', description: '' }))
    const before = await everything(a)

    const attempts: [string, (tx: Tx) => Promise<unknown>][] = [
      ['requireOrganization', (tx) => requireOrganization(tx, org.id)],
      ['updateOrganization', (tx) => updateOrganization(tx, { id: org.id, data: { name: 'Taken over' } })],
      ['deleteOrganization', (tx) => deleteOrganization(tx, org.id, b.ownerId)],
      ['findTeams of A org', (tx) => findTeams(tx, { ...page, organizationId: org.id })],
      ['createTeam in A org', (tx) => createTeam(tx, b.tenantId, { organizationId: org.id, name: 'Intruders', description: '' })],
      ['move B team into A org', (tx) => updateTeam(tx, { id: bTeam.id, data: { organizationId: org.id } })],
      ['requireTeam', (tx) => requireTeam(tx, team.id)],
      ['updateTeam', (tx) => updateTeam(tx, { id: team.id, data: { description: 'changed' } })],
      ['deleteTeam', (tx) => deleteTeam(tx, team.id, b.ownerId)],
      ['findTeamMembers', (tx) => findTeamMembers(tx, { ...page, teamId: team.id })],
      ['addTeamMember to A team', (tx) => addTeamMember(tx, b.tenantId, { teamId: team.id, userId: user(b, 0), role: 'member' })],
      ['add A user to B team', (tx) => addTeamMember(tx, b.tenantId, { teamId: bTeam.id, userId: user(a, 1), role: 'member' })],
      ['setTeamMemberRole', (tx) => setTeamMemberRole(tx, { teamId: team.id, userId: user(a, 0), role: 'guest' })],
      ['removeTeamMember', (tx) => removeTeamMember(tx, { teamId: team.id, userId: user(a, 0) })],
    ]
    for (const [label, attempt] of attempts) {
      const error = await as(b, attempt).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect({ label, status: (error as HttpError | undefined)?.status }).toEqual({ label, status: 404 })
    }

    const listed = await as(b, (tx) => findOrganizations(tx, { ...page, pageSize: 100 }))
    expect(listed.items.map((o) => o.id)).toEqual([bOrg.id])
    expect((await as(b, (tx) => findTeams(tx, { ...page, pageSize: 100 }))).items.map((x) => x.id)).toEqual([bTeam.id])
    // The same name as A's organization is free in B: uniqueness is per tenant.
    await as(b, (tx) => createOrganization(tx, b.tenantId, { name: org.name, description: '' }))
    expect(await everything(a)).toBe(before)
  })

  it("refuses at the database a team of B that points at A's organization (composite foreign key)", async () => {
    const org = await as(a, (tx) => createOrganization(tx, a.tenantId, { name: unique('Target'), description: '' }))
    await expectPgError(
      as(b, (tx) => tx.insert(teams).values({ tenantId: b.tenantId, organizationId: org.id, name: 'Sneaky' })),
      SQLSTATE.foreignKeyViolation,
    )
  })
})
