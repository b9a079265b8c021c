import { english } from '../support/errors'
import { randomUUID } from 'node:crypto'
import { and, eq, inArray, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertMayHandle, findTrash, purgeImpact, purgeItem, restoreItem, trashTypesFor } from '~/features/trash/trash.server'
import { TRASH_TYPES, type TrashType } from '~/features/trash/trash.schemas'
import { createUser, requireUserRow } from '~/features/users/users.server'
import { HttpError } from '~/lib/errors'
import { PERMISSION_KEYS, type Permission, SYSTEM_ROLES } from '~/lib/permissions'
import { rowsOf, type Tx } from '~/server/db/client.server'
import {
  accounts,
  auditLog,
  categories,
  organizations,
  roles,
  sessions,
  teams,
  userRoles,
  users,
  userTeamLinks,
} from '~/server/db/schema'
import { withTenant } from '~/server/db/scope.server'
import { ofTenant } from '~/server/db/tenant.server'
import { openTestDatabase, type TestDatabase } from '../support/db'
import { createTestTenant } from '../support/fixtures'
import { unique } from '../support/tenant-data'

type Tenant = { tenantId: string; ownerId: string; ownerName: string; roleIds: Record<'owner' | 'admin' | 'member', string> }

let t: TestDatabase
let a: Tenant
let b: Tenant

async function tenant(): Promise<Tenant> {
  const { tenant, owner, roleIds } = await createTestTenant()
  return { tenantId: tenant.id, ownerId: owner.id, ownerName: owner.fullName, roleIds }
}

beforeAll(async () => {
  t = await openTestDatabase()
  a = await tenant()
  b = await tenant()
}, 60_000)
afterAll(() => t.close())

function as<T>(f: Tenant, work: (tx: Tx) => Promise<T>): Promise<T> {
  return withTenant({ tenantId: f.tenantId, userId: f.ownerId, requestId: 'trash-test' }, work)
}

async function httpError(work: Promise<unknown>): Promise<HttpError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(HttpError)
  return error as HttpError
}

const TABLES = { user: users, organization: organizations, team: teams, role: roles, category: categories } as const
const OWNER_PERMISSIONS: readonly Permission[] = PERMISSION_KEYS

/**
 * Soft-deletes as the app does (is_deleted, deleted_at, deleted_by_id). `secondsAgo` backdates deleted_at so the
 * order of deletions does not depend on the clock's resolution (PGlite's now() has milliseconds only).
 */
async function trash(f: Tenant, type: TrashType, id: string, options: { by?: string | null; secondsAgo?: number } = {}) {
  const table = TABLES[type]
  const by = options.by === undefined ? f.ownerId : options.by
  await as(f, (tx) =>
    tx
      .update(table)
      .set({ isDeleted: true, deletedAt: sql`now() - make_interval(secs => ${options.secondsAgo ?? 0})`, deletedById: by })
      .where(and(ofTenant(table), eq(table.id, id))),
  )
}

async function addUser(f: Tenant, fullName: string, email = `${unique('u')}@example.test`, roleIds: string[] = []) {
  return as(f, (tx) => createUser(tx, { tenantId: f.tenantId, email, fullName, roleIds }))
}

async function addOrg(f: Tenant, name = unique('Org')) {
  const [org] = await as(f, (tx) => tx.insert(organizations).values({ tenantId: f.tenantId, name, description: 'An org' }).returning())
  if (!org) throw new Error('insert returned no row')
  return org
}

async function addTeam(f: Tenant, organizationId: string, name = unique('Team')) {
  const [team] = await as(f, (tx) => tx.insert(teams).values({ tenantId: f.tenantId, organizationId, name }).returning())
  if (!team) throw new Error('insert returned no row')
  return team
}

async function addRole(f: Tenant, name = unique('Role')) {
  const [role] = await as(f, (tx) => tx.insert(roles).values({ tenantId: f.tenantId, name, description: 'A role' }).returning())
  if (!role) throw new Error('insert returned no row')
  return role
}

async function addCategory(f: Tenant, name: string, parentId: string | null = null) {
  const [category] = await as(f, (tx) => tx.insert(categories).values({ tenantId: f.tenantId, name, parentId, description: `About ${name}` }).returning())
  if (!category) throw new Error('insert returned no row')
  return category
}

/** The row as the schema owner sees it (no RLS), or undefined once it is gone. */
async function rowOf(type: TrashType, id: string) {
  const table = TABLES[type]
  const [row] = await t.owner.db.select({ id: table.id, isDeleted: table.isDeleted, deletedAt: table.deletedAt, deletedById: table.deletedById }).from(table).where(eq(table.id, id))
  return row
}

/** What the restore server function does: the type's permission, then the restore. */
const restoreAs = (f: Tenant, permissions: readonly Permission[], type: TrashType, id: string) =>
  as(f, async (tx) => {
    assertMayHandle(permissions, type)
    await restoreItem(tx, type, id)
  })

/** What the purge server function does: the type's permission and trash:purge, then the delete. */
const purgeAs = (f: Tenant, permissions: readonly Permission[], type: TrashType, id: string) =>
  as(f, async (tx) => {
    assertMayHandle(permissions, type, true)
    await purgeItem(tx, type, id)
  })

describe('findTrash', () => {
  it('lists every kind newest first, with who deleted it', async () => {
    const f = await tenant()
    const deleter = await addUser(f, 'Dana Deleter')
    const user = await addUser(f, 'Gone User', 'gone.user@example.test')
    const org = await addOrg(f, unique('Gone org'))
    const teamOrg = await addOrg(f, unique('Parent org'))
    const team = await addTeam(f, teamOrg.id, unique('Gone team'))
    const role = await addRole(f, unique('Gone role'))
    const category = await addCategory(f, 'Gone category')
    await trash(f, 'user', user.id, { secondsAgo: 50 })
    await trash(f, 'organization', org.id, { by: deleter.id, secondsAgo: 40 })
    // A Haven operator (here: a user of another tenant) is not a user of this tenant.
    await trash(f, 'team', team.id, { by: b.ownerId, secondsAgo: 30 })
    await trash(f, 'role', role.id, { by: randomUUID(), secondsAgo: 20 })
    await trash(f, 'category', category.id, { by: null, secondsAgo: 10 })

    const page = await as(f, (tx) => findTrash(tx, { types: [...TRASH_TYPES], pageSize: 25 }))
    expect(page.nextCursor).toBeNull()
    expect(page.items.map(({ type, id, name, detail, deletedBy }) => ({ type, id, name, detail, deletedBy }))).toEqual([
      { type: 'category', id: category.id, name: 'Gone category', detail: 'About Gone category', deletedBy: null },
      { type: 'role', id: role.id, name: role.name, detail: 'A role', deletedBy: 'Haven support' },
      { type: 'team', id: team.id, name: team.name, detail: teamOrg.name, deletedBy: 'Haven support' },
      { type: 'organization', id: org.id, name: org.name, detail: 'An org', deletedBy: 'Dana Deleter' },
      { type: 'user', id: user.id, name: 'Gone User', detail: 'gone.user@example.test', deletedBy: f.ownerName },
    ])
    const times = page.items.map((i) => i.deletedAt.getTime())
    expect(times).toEqual([...times].sort((x, y) => y - x))
    expect(page.items.every((i) => i.deletedAt instanceof Date && !Number.isNaN(i.deletedAt.getTime()))).toBe(true)

    const peopleAndTeams = await as(f, (tx) => findTrash(tx, { types: ['user', 'team'], pageSize: 25 }))
    expect(peopleAndTeams.items.map((i) => i.id)).toEqual([team.id, user.id])
    expect(await as(f, (tx) => findTrash(tx, { types: [], pageSize: 25 }))).toEqual({ items: [], nextCursor: null })
  })

  it('pages by cursor through every item exactly once, deletions in one transaction included', async () => {
    const f = await tenant()
    const ids: string[] = []
    for (let i = 0; i < 6; i++) {
      const user = await addUser(f, `Paged ${i}`)
      await trash(f, 'user', user.id, { secondsAgo: 100 + i })
      ids.push(user.id)
    }
    // Seven categories deleted by one statement share one deleted_at: the cursor must tell them apart by id.
    const batch: string[] = []
    for (let i = 0; i < 7; i++) batch.push((await addCategory(f, `Batch ${i}`)).id)
    await as(f, (tx) =>
      tx.update(categories).set({ isDeleted: true, deletedAt: sql`now() - interval '50 seconds'`, deletedById: f.ownerId }).where(and(ofTenant(categories), inArray(categories.id, batch))),
    )
    const expected = rowsOf<{ id: string }>(
      await t.owner.db.execute(sql`
        select id from (
          select id, deleted_at from users where tenant_id = ${f.tenantId} and is_deleted
          union all select id, deleted_at from categories where tenant_id = ${f.tenantId} and is_deleted
        ) x order by deleted_at desc, id desc`),
    ).map((r) => r.id)
    expect(expected).toHaveLength(13)

    const seen: string[] = []
    let cursor: string | undefined
    let pages = 0
    do {
      const page = await as(f, (tx) => findTrash(tx, { types: ['user', 'category'], pageSize: 5, cursor }))
      expect(page.items.length).toBeLessThanOrEqual(5)
      seen.push(...page.items.map((i) => i.id))
      cursor = page.nextCursor ?? undefined
      pages += 1
    } while (cursor && pages < 10)
    expect(pages).toBe(3)
    expect(seen).toEqual(expected)
  })
})

describe('permissions', () => {
  it('trashTypesFor gives the kinds each permission set may handle', () => {
    expect(trashTypesFor(OWNER_PERMISSIONS)).toEqual([...TRASH_TYPES])
    expect(trashTypesFor(SYSTEM_ROLES.admin.permissions)).toEqual([...TRASH_TYPES])
    expect(trashTypesFor(SYSTEM_ROLES.member.permissions)).toEqual([])
    expect(trashTypesFor(['users:write'])).toEqual(['user'])
    expect(trashTypesFor(['teams:write', 'teams:read'])).toEqual(['organization', 'team'])
    expect(trashTypesFor(['roles:manage', 'categories:write'])).toEqual(['role', 'category'])
    expect(trashTypesFor(['trash:purge', 'users:read', 'categories:read'])).toEqual([])
  })

  it('assertMayHandle needs the kind’s permission, and trash:purge on top to purge', () => {
    expect(() => assertMayHandle(['users:read'], 'user')).toThrow(HttpError)
    for (const [type, permission] of [
      ['user', 'users:write'],
      ['organization', 'teams:write'],
      ['team', 'teams:write'],
      ['role', 'roles:manage'],
      ['category', 'categories:write'],
    ] as const) {
      const others = PERMISSION_KEYS.filter((p) => p !== permission)
      let refused: unknown
      try {
        assertMayHandle(others, type)
      } catch (e) {
        refused = e
      }
      expect(refused).toMatchObject({ status: 403 })
      expect(() => assertMayHandle([permission], type)).not.toThrow()
      let purgeRefused: unknown
      try {
        assertMayHandle([permission], type, true)
      } catch (e) {
        purgeRefused = e
      }
      expect(purgeRefused).toMatchObject({ status: 403 })
      expect(english((purgeRefused as HttpError).message)).toContain('trash:purge')

      expect(() => assertMayHandle([permission, 'trash:purge'], type, true)).not.toThrow()
    }
  })

  it('refuses a restore or purge without the permission, and changes nothing', async () => {
    const user = await addUser(a, 'Guarded User')
    await trash(a, 'user', user.id)
    expect(await httpError(restoreAs(a, SYSTEM_ROLES.member.permissions, 'user', user.id))).toMatchObject({ status: 403 })
    expect(await httpError(purgeAs(a, SYSTEM_ROLES.admin.permissions, 'user', user.id))).toMatchObject({ status: 403 })
    expect(await httpError(as(a, async (tx) => {
      assertMayHandle(['categories:write', 'trash:purge'], 'user', true)
      return purgeImpact(tx, 'user', user.id)
    }))).toMatchObject({ status: 403 })
    expect(await rowOf('user', user.id)).toMatchObject({ isDeleted: true, deletedById: a.ownerId })
  })
})

describe('restoreItem', () => {
  it('brings back each kind, clearing the deletion columns', async () => {
    const user = await addUser(a, 'Restored User')
    const org = await addOrg(a)
    const team = await addTeam(a, org.id)
    const role = await addRole(a)
    const category = await addCategory(a, 'Restored category')
    // The organization comes back before its team: a team does not come back into a deleted organization.
    const items: [TrashType, string][] = [
      ['user', user.id],
      ['organization', org.id],
      ['team', team.id],
      ['role', role.id],
      ['category', category.id],
    ]
    // Distinct deletion times: a team deleted at the same moment as its organization would come back with it.
    for (const [i, [type, id]] of items.entries()) await trash(a, type, id, { secondsAgo: 10 * i })
    for (const [type, id] of items) {
      await restoreAs(a, OWNER_PERMISSIONS, type, id)
      expect(await rowOf(type, id)).toEqual({ id, isDeleted: false, deletedAt: null, deletedById: null })
    }
    expect(await as(a, (tx) => requireUserRow(tx, user.id))).toMatchObject({ id: user.id, fullName: 'Restored User' })
    const listed = await as(a, (tx) => findTrash(tx, { types: [...TRASH_TYPES], pageSize: 100 }))
    for (const [, id] of items) expect(listed.items.map((i) => i.id)).not.toContain(id)
  })

  it('refuses a user whose email a live user took meanwhile', async () => {
    const email = `${unique('contested')}@example.test`
    const old = await addUser(a, 'Old Holder', email)
    await trash(a, 'user', old.id)
    await addUser(a, 'New Holder', email)
    const error = await httpError(restoreAs(a, OWNER_PERMISSIONS, 'user', old.id))
    expect(error.status).toBe(409)
    expect(english(error.message)).toContain(email)
    expect(await rowOf('user', old.id)).toMatchObject({ isDeleted: true })
  })

  it('refuses a team whose organization is in the trash, until the organization is back', async () => {
    const org = await addOrg(a)
    const team = await addTeam(a, org.id)
    await trash(a, 'team', team.id, { secondsAgo: 60 })
    await trash(a, 'organization', org.id)
    const error = await httpError(restoreAs(a, OWNER_PERMISSIONS, 'team', team.id))
    expect(error.status).toBe(409)
    expect(english(error.message)).toContain(org.name)
    expect(english(error.message)).toMatch(/organization/i)
    expect(await rowOf('team', team.id)).toMatchObject({ isDeleted: true })
    await restoreAs(a, OWNER_PERMISSIONS, 'organization', org.id)
    await restoreAs(a, OWNER_PERMISSIONS, 'team', team.id)
    expect(await rowOf('team', team.id)).toMatchObject({ isDeleted: false })
  })

  it('brings back with an organization the teams deleted together with it, and only those', async () => {
    const org = await addOrg(a)
    const earlier = await addTeam(a, org.id)
    const together = [await addTeam(a, org.id), await addTeam(a, org.id)]
    await trash(a, 'team', earlier.id, { secondsAgo: 60 })
    await as(a, async (tx) => {
      const gone = { isDeleted: true, deletedAt: sql`now()`, deletedById: a.ownerId }
      await tx.update(teams).set(gone).where(and(ofTenant(teams), inArray(teams.id, together.map((x) => x.id))))
      await tx.update(organizations).set(gone).where(and(ofTenant(organizations), eq(organizations.id, org.id)))
    })
    await restoreAs(a, OWNER_PERMISSIONS, 'organization', org.id)
    for (const team of together) expect(await rowOf('team', team.id)).toMatchObject({ isDeleted: false, deletedAt: null })
    expect(await rowOf('team', earlier.id)).toMatchObject({ isDeleted: true })
  })

  it('refuses a category whose parent is in the trash, until the parent is back', async () => {
    const parent = await addCategory(a, 'Parent')
    const child = await addCategory(a, 'Child', parent.id)
    await trash(a, 'category', child.id)
    await trash(a, 'category', parent.id)
    const error = await httpError(restoreAs(a, OWNER_PERMISSIONS, 'category', child.id))
    expect(error.status).toBe(409)
    expect(english(error.message)).toMatch(/parent/i)
    expect(await rowOf('category', child.id)).toMatchObject({ isDeleted: true })
    await restoreAs(a, OWNER_PERMISSIONS, 'category', parent.id)
    await restoreAs(a, OWNER_PERMISSIONS, 'category', child.id)
    expect(await rowOf('category', child.id)).toMatchObject({ isDeleted: false })
  })

  it('refuses a role or organization whose name a live one has now (ignoring case)', async () => {
    const roleName = unique('Reviewers')
    const role = await addRole(a, roleName)
    await trash(a, 'role', role.id)
    await addRole(a, roleName.toUpperCase())
    const roleError = await httpError(restoreAs(a, OWNER_PERMISSIONS, 'role', role.id))
    expect(roleError.status).toBe(409)
    expect(english(roleError.message)).toMatch(/same name/)
    expect(await rowOf('role', role.id)).toMatchObject({ isDeleted: true })

    const orgName = unique('Finance')
    const org = await addOrg(a, orgName)
    await trash(a, 'organization', org.id)
    await addOrg(a, orgName.toLowerCase())
    const orgError = await httpError(restoreAs(a, OWNER_PERMISSIONS, 'organization', org.id))
    expect(orgError.status).toBe(409)
    expect(english(orgError.message)).toMatch(/same name/)
    expect(await rowOf('organization', org.id)).toMatchObject({ isDeleted: true })
  })

  it('is a 404 for something that is not in the trash', async () => {
    const live = await addUser(a, 'Live User')
    const deleted = await addUser(a, 'Deleted User')
    await trash(a, 'user', deleted.id)
    for (const [type, id] of [
      ['user', live.id],
      ['user', randomUUID()],
      ['team', deleted.id],
    ] as const) {
      expect(await httpError(restoreAs(a, OWNER_PERMISSIONS, type, id))).toMatchObject({ status: 404, code: 'not_found' })
    }
    expect(await rowOf('user', live.id)).toMatchObject({ isDeleted: false })
  })
})

describe('purge', () => {
  it('purgeImpact counts the sub-categories and teams that go with an item', async () => {
    const root = await addCategory(a, 'Impact root')
    const child = await addCategory(a, 'Impact child', root.id)
    await addCategory(a, 'Impact grandchild', child.id)
    await addCategory(a, 'Impact sibling', root.id)
    const org = await addOrg(a)
    await addTeam(a, org.id)
    const deletedTeam = await addTeam(a, org.id)
    await trash(a, 'team', deletedTeam.id)
    const user = await addUser(a, 'Impact User')
    await trash(a, 'category', root.id)
    await trash(a, 'category', child.id)
    await trash(a, 'organization', org.id)
    await trash(a, 'user', user.id)
    expect(await as(a, (tx) => purgeImpact(tx, 'category', root.id))).toEqual({ descendants: 3 })
    expect(await as(a, (tx) => purgeImpact(tx, 'category', child.id))).toEqual({ descendants: 1 })
    expect(await as(a, (tx) => purgeImpact(tx, 'organization', org.id))).toEqual({ descendants: 2 })
    expect(await as(a, (tx) => purgeImpact(tx, 'user', user.id))).toEqual({ descendants: 0 })
    const live = await addCategory(a, 'Impact live')
    expect(await httpError(as(a, (tx) => purgeImpact(tx, 'category', live.id)))).toMatchObject({ status: 404 })
  })

  it('deletes a user for good with roles, sessions, accounts and memberships; the audit trail stays', async () => {
    const org = await addOrg(a)
    const team = await addTeam(a, org.id)
    const user = await as(a, (tx) =>
      createUser(tx, { tenantId: a.tenantId, email: `${unique('purged')}@example.test`, fullName: 'Purged User', roleIds: [a.roleIds.member], password: { hash: 'not-a-real-hash' } }),
    )
    await as(a, async (tx) => {
      await tx.insert(sessions).values({ tenantId: a.tenantId, userId: user.id, token: unique('token'), expiresAt: new Date(Date.now() + 86_400_000) })
      await tx.insert(userTeamLinks).values({ tenantId: a.tenantId, userId: user.id, teamId: team.id })
    })
    const linked = async () => ({
      roles: (await t.owner.db.select().from(userRoles).where(eq(userRoles.userId, user.id))).length,
      sessions: (await t.owner.db.select().from(sessions).where(eq(sessions.userId, user.id))).length,
      accounts: (await t.owner.db.select().from(accounts).where(eq(accounts.userId, user.id))).length,
      teams: (await t.owner.db.select().from(userTeamLinks).where(eq(userTeamLinks.userId, user.id))).length,
    })
    expect(await linked()).toEqual({ roles: 1, sessions: 1, accounts: 1, teams: 1 })
    await trash(a, 'user', user.id)

    await purgeAs(a, OWNER_PERMISSIONS, 'user', user.id)
    expect(await rowOf('user', user.id)).toBeUndefined()
    expect(await linked()).toEqual({ roles: 0, sessions: 0, accounts: 0, teams: 0 })
    const trail = await t.owner.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(and(eq(auditLog.tenantId, a.tenantId), eq(auditLog.tableName, 'users'), eq(auditLog.recordId, user.id)))
    expect(trail.map((r) => r.action).sort()).toEqual(['CREATE', 'DELETE', 'UPDATE'])
    expect(await rowOf('organization', org.id)).toMatchObject({ isDeleted: false })
  })

  it("deletes a category's whole subtree, and an organization's teams", async () => {
    const root = await addCategory(a, 'Purge root')
    const child = await addCategory(a, 'Purge child', root.id)
    const grandchild = await addCategory(a, 'Purge grandchild', child.id)
    const bystander = await addCategory(a, 'Bystander')
    await trash(a, 'category', root.id)
    await purgeAs(a, OWNER_PERMISSIONS, 'category', root.id)
    for (const id of [root.id, child.id, grandchild.id]) {
      expect(await rowOf('category', id)).toBeUndefined()
      const [deletion] = await t.owner.db
        .select({ action: auditLog.action })
        .from(auditLog)
        .where(and(eq(auditLog.tableName, 'categories'), eq(auditLog.recordId, id), eq(auditLog.action, 'DELETE')))
      expect(deletion).toBeDefined()
    }
    expect(await rowOf('category', bystander.id)).toMatchObject({ isDeleted: false })

    const org = await addOrg(a)
    const teamIds = [(await addTeam(a, org.id)).id, (await addTeam(a, org.id)).id]
    await trash(a, 'organization', org.id)
    await purgeAs(a, OWNER_PERMISSIONS, 'organization', org.id)
    expect(await rowOf('organization', org.id)).toBeUndefined()
    expect(await t.owner.db.select().from(teams).where(inArray(teams.id, teamIds))).toEqual([])
  })

  it('is a 404 for a live item, which stays', async () => {
    const role = await addRole(a)
    expect(await httpError(purgeAs(a, OWNER_PERMISSIONS, 'role', role.id))).toMatchObject({ status: 404 })
    expect(await rowOf('role', role.id)).toMatchObject({ isDeleted: false })
  })
})

describe("tenant B with tenant A's trash", () => {
  it('sees none of it, and restore, impact and purge are 404s that change nothing', async () => {
    const user = await addUser(a, 'Cross Tenant User')
    const org = await addOrg(a)
    const team = await addTeam(a, org.id)
    const role = await addRole(a)
    const category = await addCategory(a, 'Cross tenant category')
    const items: [TrashType, string][] = [
      ['user', user.id],
      ['organization', org.id],
      ['team', team.id],
      ['role', role.id],
      ['category', category.id],
    ]
    for (const [type, id] of items) await trash(a, type, id)
    const snapshot = async () => Promise.all(items.map(([type, id]) => rowOf(type, id)))
    const before = await snapshot()
    expect(before.every((row) => row?.isDeleted === true)).toBe(true)

    const listed = await as(b, (tx) => findTrash(tx, { types: [...TRASH_TYPES], pageSize: 100 }))
    for (const [, id] of items) expect(listed.items.map((i) => i.id)).not.toContain(id)
    for (const [type, id] of items) {
      expect(await httpError(restoreAs(b, OWNER_PERMISSIONS, type, id))).toMatchObject({ status: 404, code: 'not_found' })
      expect(await httpError(as(b, (tx) => purgeImpact(tx, type, id)))).toMatchObject({ status: 404, code: 'not_found' })
      expect(await httpError(purgeAs(b, OWNER_PERMISSIONS, type, id))).toMatchObject({ status: 404, code: 'not_found' })
    }
    expect(await snapshot()).toEqual(before)
  })
})
