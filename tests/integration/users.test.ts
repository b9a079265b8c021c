import { randomUUID } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertCanGrantRoles, assertNotLastOwner, requireRoles } from '~/features/roles/roles.server'
import {
  assertEmailFree,
  createUser,
  endSessions,
  findUsers,
  getUserDetail,
  lockOut,
  reactivate,
  replaceUserRoles,
  requireUserRow,
  updateUserRow,
  userFilterOptions,
} from '~/features/users/users.server'
import { HttpError } from '~/lib/errors'
import { PERMISSION_KEYS, SYSTEM_ROLES } from '~/lib/permissions'
import { rowsOf, type Tx } from '~/server/db/client.server'
import { organizations, rolePermissions, roles, sessions, teams, userRoles, users, userTeamLinks } from '~/server/db/schema'
import { withTenant } from '~/server/db/scope.server'
import { ofTenant } from '~/server/db/tenant.server'
import { openTestDatabase, type TestDatabase } from '../support/db'
import { createTestTenant } from '../support/fixtures'
import { probingRls } from '../support/statement-capture'
import { unique } from '../support/tenant-data'

type Tenant = { tenantId: string; ownerId: string; roleIds: Record<'owner' | 'admin' | 'member', string> }

let t: TestDatabase
let a: Tenant
let b: Tenant

async function tenant(): Promise<Tenant> {
  const { tenant, owner, roleIds } = await createTestTenant()
  return { tenantId: tenant.id, ownerId: owner.id, roleIds }
}

beforeAll(async () => {
  t = await openTestDatabase()
  a = await tenant()
  b = await tenant()
}, 60_000)
afterAll(() => t.close())

function as<T>(f: Tenant, work: (tx: Tx) => Promise<T>): Promise<T> {
  return withTenant({ tenantId: f.tenantId, userId: f.ownerId, requestId: 'users-test' }, work)
}

/** The work must fail with an HttpError; it is returned for the caller's assertions. */
async function httpError(work: Promise<unknown>): Promise<HttpError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(HttpError)
  return error as HttpError
}

async function addUser(f: Tenant, fullName: string, extra: { email?: string; metadata?: Record<string, string | number | boolean>; roleIds?: string[] } = {}) {
  return as(f, (tx) =>
    createUser(tx, { tenantId: f.tenantId, email: extra.email ?? `${unique('u')}@example.test`, fullName, metadata: extra.metadata, roleIds: extra.roleIds }),
  )
}

async function softDelete(f: Tenant, id: string) {
  await as(f, (tx) =>
    tx.update(users).set({ isDeleted: true, deletedAt: sql`now()`, deletedById: f.ownerId }).where(and(ofTenant(users), eq(users.id, id))),
  )
}

const list = (f: Tenant, input: Partial<Parameters<typeof findUsers>[1]> = {}) =>
  as(f, (tx) => findUsers(tx, { sort: 'name', dir: 'asc', pageSize: 50, ...input }))

const idsOf = (page: { items: { id: string }[] }) => page.items.map((i) => i.id)

describe('findUsers search (the suffix index, drizzle/0021)', () => {
  let f: Tenant
  beforeAll(async () => {
    f = await tenant()
  })

  it('finds a person by a new name or email at once and no longer by the old one, once each however often it matches', async () => {
    const id = (await addUser(f, 'Renamed Before', { email: 'renamed-before@rename.test' })).id
    expect(idsOf(await list(f, { q: 'renamed before' }))).toEqual([id])
    await as(f, (tx) => tx.update(users).set({ fullName: 'Renamed After Renamed', email: 'renamed-after@rename.test' }).where(and(ofTenant(users), eq(users.id, id))))
    expect((await list(f, { q: 'renamed before' })).total).toBe(0)
    expect((await list(f, { q: 'renamed-before@' })).total).toBe(0)
    // "renamed" occurs three times in the name and email: still one row, counted once.
    const hits = await list(f, { q: 'RENAMED' })
    expect(idsOf(hits)).toEqual([id])
    expect(hits.total).toBe(1)
  })

  it('matches a query longer than the indexed suffixes exactly, across the name and the email', async () => {
    const name = 'Maximiliana Theodora Konstantinopoulou-Papadimitriou'
    const id = (await addUser(f, name, { email: 'max.konstantinopoulou@longnames.test' })).id
    const whole = `${name} max.konstantinopoulou@longnames`.toUpperCase()
    expect(whole.length).toBeGreaterThan(48)
    expect(idsOf(await list(f, { q: whole }))).toEqual([id])
    // The same first 48 characters, a different end: no match.
    expect((await list(f, { q: `${whole.slice(0, 60)}x` })).total).toBe(0)
  })
})

describe('findUsers filters', () => {
  let f: Tenant
  const people: Record<string, string> = {}
  beforeAll(async () => {
    f = await tenant()
    const add = async (key: string, fullName: string, extra: Parameters<typeof addUser>[2] = {}) => {
      people[key] = (await addUser(f, fullName, extra)).id
    }
    await add('marguerite', 'Marguerite Duras', { email: 'md@books.test', metadata: { employeeNumber: 1001, department: 'Sales' } })
    await add('albert', 'Albert Camus', { email: 'billing.camus@Invoices.test', metadata: { employeeNumber: 1002, contractor: true } })
    await add('textual', 'Numbered As Text', { metadata: { employeeNumber: '1001' } })
    await add('percent', '100% Cotton', { email: 'cotton@shop.test' })
    await add('decoyPercent', '1000 Cotton Balls', { email: 'balls@shop.test' })
    await add('underscore', 'Under_score Person', { email: 'under@shop.test' })
    await add('decoyUnderscore', 'Underxscore Person', { email: 'decoy@shop.test' })
    await add('deletedDuras', 'Deleted Duras', { email: 'gone-duras@books.test', metadata: { employeeNumber: 1001 } })
    await softDelete(f, people.deletedDuras ?? '')
  })

  it('searches names and emails by substring, ignoring case', async () => {
    const byName = await list(f, { q: 'GUERITE du' })
    expect(idsOf(byName)).toEqual([people.marguerite])
    expect(byName.total).toBe(1)
    const byEmail = await list(f, { q: 'CAMUS@invoices' })
    expect(idsOf(byEmail)).toEqual([people.albert])
    const byDomain = await list(f, { q: '@books.TEST' })
    expect(idsOf(byDomain)).toEqual([people.marguerite])
  })

  it('treats % and _ in the query as the characters themselves', async () => {
    expect(idsOf(await list(f, { q: '100%' }))).toEqual([people.percent])
    expect(idsOf(await list(f, { q: 'under_score' }))).toEqual([people.underscore])
    expect(idsOf(await list(f, { q: '%' }))).toEqual([people.percent])
    expect((await list(f, { q: '_' })).total).toBe(1)
  })

  it('filters by metadata key and value, matching a JSON number or boolean from its text', async () => {
    const numbers = await list(f, { metaKey: 'employeeNumber', metaValue: '1001' })
    expect(new Set(idsOf(numbers))).toEqual(new Set([people.marguerite, people.textual]))
    expect(numbers.total).toBe(2)
    expect(idsOf(await list(f, { metaKey: 'employeeNumber', metaValue: '1002' }))).toEqual([people.albert])
    expect(idsOf(await list(f, { metaKey: 'contractor', metaValue: 'true' }))).toEqual([people.albert])
    expect(idsOf(await list(f, { metaKey: 'department', metaValue: 'Sales' }))).toEqual([people.marguerite])
    expect((await list(f, { metaKey: 'department', metaValue: 'sales' })).total).toBe(0)
    expect((await list(f, { metaKey: 'employeeNumber', metaValue: '9999' })).total).toBe(0)
  })

  it('filters by role, team and status, alone and together', async () => {
    const { roleId, teamId } = await as(f, async (tx) => {
      const [role] = await tx.insert(roles).values({ tenantId: f.tenantId, name: unique('Auditor') }).returning()
      const [org] = await tx.insert(organizations).values({ tenantId: f.tenantId, name: unique('Org') }).returning()
      if (!role || !org) throw new Error('insert returned no row')
      const [team] = await tx.insert(teams).values({ tenantId: f.tenantId, organizationId: org.id, name: 'Writers' }).returning()
      if (!team) throw new Error('insert returned no row')
      const roleHolders = [people.marguerite, people.albert, people.deletedDuras]
      await tx.insert(userRoles).values(roleHolders.map((userId) => ({ tenantId: f.tenantId, userId: userId ?? '', roleId: role.id })))
      for (const userId of [people.albert, people.percent, people.deletedDuras]) {
        await tx.insert(userTeamLinks).values({ tenantId: f.tenantId, userId: userId ?? '', teamId: team.id })
      }
      await tx.update(users).set({ isActive: false }).where(and(ofTenant(users), eq(users.id, people.albert ?? '')))
      return { roleId: role.id, teamId: team.id }
    })
    const byRole = await list(f, { roleId })
    expect(new Set(idsOf(byRole))).toEqual(new Set([people.marguerite, people.albert]))
    expect(byRole.items.find((i) => i.id === people.marguerite)?.roles.map((r) => r.id)).toContain(roleId)
    expect(new Set(idsOf(await list(f, { teamId })))).toEqual(new Set([people.albert, people.percent]))
    expect(idsOf(await list(f, { roleId, teamId }))).toEqual([people.albert])

    const deactivated = await list(f, { status: 'deactivated' })
    expect(idsOf(deactivated)).toEqual([people.albert])
    const active = await list(f, { status: 'active' })
    expect(idsOf(active)).not.toContain(people.albert)
    expect(active.total).toBe(7)
    const all = await list(f, { status: 'all' })
    expect(all.total).toBe(8)
    expect(idsOf(all)).toContain(people.albert)
    expect(idsOf(await list(f, { roleId, status: 'active' }))).toEqual([people.marguerite])
  })

  it('never shows soft-deleted users, whatever the filter', async () => {
    for (const input of [{}, { q: 'duras' }, { metaKey: 'employeeNumber', metaValue: '1001' }, { status: 'all' as const }]) {
      const page = await list(f, input)
      expect(idsOf(page)).not.toContain(people.deletedDuras)
    }
    expect((await list(f, { q: 'gone-duras' })).total).toBe(0)
  })

  it('sorts by name, email and creation in both directions', async () => {
    // Created in this order; names and emails each give a different order.
    const charlie = await addUser(f, 'Charlie Sort', { email: 'zulu@sort.test' })
    const alpha = await addUser(f, 'Alpha Sort', { email: 'yankee@sort.test' })
    const delta = await addUser(f, 'Delta Sort', { email: 'xray@sort.test' })
    const bravo = await addUser(f, 'Bravo Sort', { email: 'whiskey@sort.test' })
    // Spread the creation times a minute apart: PGlite's clock has milliseconds only, so two quick inserts may tie.
    for (const [i, user] of [charlie, alpha, delta, bravo].entries()) {
      await t.owner.db.update(users).set({ createdAt: sql`now() - make_interval(mins => ${10 - i})` }).where(eq(users.id, user.id))
    }
    const orders = {
      name: [alpha, bravo, charlie, delta],
      email: [bravo, delta, alpha, charlie],
      created: [charlie, alpha, delta, bravo],
    }
    for (const [sort, order] of Object.entries(orders) as [keyof typeof orders, { id: string }[]][]) {
      const ids = order.map((u) => u.id)
      expect(idsOf(await list(f, { q: '@sort.test', sort, dir: 'asc' }))).toEqual(ids)
      expect(idsOf(await list(f, { q: '@sort.test', sort, dir: 'desc' }))).toEqual([...ids].reverse())
    }
  })
})

describe('findUsers keyset paging', () => {
  let f: Tenant
  let live: number
  const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken']
  const LAST = ['Smith', 'Jones', 'Liskov', 'Knuth', 'Allen']
  beforeAll(async () => {
    f = await tenant()
    // Eight transactions of eight users: creation times tie inside a batch (now() is the transaction's start).
    const created: string[] = []
    for (let batch = 0; batch < 8; batch++) {
      await as(f, async (tx) => {
        for (let i = 0; i < 8; i++) {
          const n = batch * 8 + i
          const user = await createUser(tx, {
            tenantId: f.tenantId,
            email: `${String.fromCharCode(97 + (n % 26))}${unique('p')}@paging.test`,
            fullName: `${FIRST[n % FIRST.length]} ${LAST[n % LAST.length]}`,
          })
          created.push(user.id)
        }
      })
    }
    for (const id of created.slice(0, 3)) await softDelete(f, id)
    await as(f, (tx) => tx.update(users).set({ isActive: false }).where(and(ofTenant(users), eq(users.id, created[10] ?? ''))))
    live = created.length - 3 + 1
  }, 60_000)

  const COLUMNS = { name: 'full_name', email: 'email', created: 'created_at' } as const

  /** The order a plain ORDER BY gives, without any cursor: what the pages must add up to. */
  async function expectedOrder(sort: keyof typeof COLUMNS, dir: 'asc' | 'desc'): Promise<string[]> {
    const rows = rowsOf<{ id: string }>(
      await t.owner.db.execute(
        sql`select id from users where tenant_id = ${f.tenantId} and not is_deleted order by ${sql.raw(COLUMNS[sort])} ${sql.raw(dir)}, id ${sql.raw(dir)}`,
      ),
    )
    return rows.map((r) => r.id)
  }

  for (const sort of ['name', 'email', 'created'] as const) {
    for (const dir of ['asc', 'desc'] as const) {
      it(`walks every live user once by ${sort} ${dir}, forward with nextCursor and back with prevCursor`, async () => {
        const expected = await expectedOrder(sort, dir)
        expect(expected).toHaveLength(live)
        const pageCount = Math.ceil(live / 7)

        const forward: { ids: string[]; prevCursor: string | null }[] = []
        let cursor: string | undefined
        do {
          const page = await list(f, { sort, dir, pageSize: 7, cursor })
          expect(page.total).toBe(live)
          expect(page.items.length).toBeLessThanOrEqual(7)
          if (forward.length === 0) expect(page.prevCursor).toBeNull()
          else expect(page.prevCursor).toEqual(expect.any(String))
          forward.push({ ids: idsOf(page), prevCursor: page.prevCursor })
          cursor = page.nextCursor ?? undefined
        } while (cursor && forward.length <= pageCount)
        expect(forward).toHaveLength(pageCount)
        expect(forward.flatMap((p) => p.ids)).toEqual(expected)

        let back = forward.at(-1)?.prevCursor ?? undefined
        for (let index = pageCount - 2; index >= 0; index--) {
          const page = await list(f, { sort, dir, pageSize: 7, cursor: back })
          expect(idsOf(page)).toEqual(forward[index]?.ids)
          expect(page.total).toBe(live)
          expect(page.nextCursor).toEqual(expect.any(String))
          back = page.prevCursor ?? undefined
          if (index === 0) expect(page.prevCursor).toBeNull()
        }
      })
    }
  }
})

describe('getUserDetail', () => {
  it('returns roles and teams (the history lives in the audit log, tests/integration/audit-log.test.ts)', async () => {
    const user = await addUser(a, 'Detail Person', { roleIds: [a.roleIds.member, a.roleIds.admin] })
    const teamName = unique('Detail team')
    await as(a, async (tx) => {
      const [org] = await tx.insert(organizations).values({ tenantId: a.tenantId, name: unique('Detail org') }).returning()
      if (!org) throw new Error('insert returned no row')
      const [team] = await tx.insert(teams).values({ tenantId: a.tenantId, organizationId: org.id, name: teamName }).returning()
      if (!team) throw new Error('insert returned no row')
      await tx.insert(userTeamLinks).values({ tenantId: a.tenantId, userId: user.id, teamId: team.id, role: 'admin' })
    })
    await as(a, (tx) => tx.update(users).set({ fullName: 'Renamed Person', metadata: { floor: 3 } }).where(and(ofTenant(users), eq(users.id, user.id))))

    const detail = await as(a, (tx) => getUserDetail(tx, user.id))
    expect(detail.user).toMatchObject({ id: user.id, fullName: 'Renamed Person', email: user.email, metadata: { floor: 3 } })
    expect(detail.roles.map((r) => r.systemKey)).toEqual(['admin', 'member'])
    expect(detail.teams).toEqual([expect.objectContaining({ name: teamName, role: 'admin' })])
  })

  it('is a 404 for a soft-deleted user', async () => {
    const user = await addUser(a, 'Soon Gone')
    await softDelete(a, user.id)
    expect(await httpError(as(a, (tx) => getUserDetail(tx, user.id)))).toMatchObject({ status: 404 })
    expect(await as(a, (tx) => requireUserRow(tx, user.id, { deleted: true }))).toMatchObject({ id: user.id, isDeleted: true })
  })
})

describe('assertEmailFree', () => {
  it("refuses a live user's email with a field error, but not the user's own", async () => {
    const email = `${unique('taken')}@example.test`
    const user = await addUser(a, 'Taken Email', { email })
    const error = await httpError(as(a, (tx) => assertEmailFree(tx, email)))
    expect(error.status).toBe(409)
    expect(error.fieldErrors?.email).toEqual(expect.any(String))
    await expect(as(a, (tx) => assertEmailFree(tx, email, user.id))).resolves.toBeUndefined()
  })

  it("frees a soft-deleted user's email, and the address can be used again", async () => {
    const email = `${unique('reused')}@example.test`
    const gone = await addUser(a, 'Deleted Holder', { email })
    await softDelete(a, gone.id)
    await expect(as(a, (tx) => assertEmailFree(tx, email))).resolves.toBeUndefined()
    const again = await addUser(a, 'New Holder', { email })
    expect(again.id).not.toBe(gone.id)
  })

  it("treats another tenant's address as free and reveals nothing about it", async () => {
    const email = `${unique('shared')}@example.test`
    const inA = await addUser(a, 'Tenant A Person', { email })
    await expect(as(b, (tx) => assertEmailFree(tx, email))).resolves.toBeUndefined()
    expect((await list(b, { q: email })).total).toBe(0)
    const inB = await addUser(b, 'Tenant B Person', { email })
    expect(inB.id).not.toBe(inA.id)
    const seenFromB = await probingRls('RLS alone hides tenant A’s row with the same address', () =>
      as(b, (tx) => tx.select({ id: users.id, tenantId: users.tenantId }).from(users).where(eq(users.email, email))),
    )
    expect(seenFromB).toEqual([{ id: inB.id, tenantId: b.tenantId }])
    const owners = rowsOf<{ tenant_id: string }>(await t.owner.db.execute(sql`select tenant_id from users where email = ${email} order by tenant_id`))
    expect(owners.map((r) => r.tenant_id).sort()).toEqual([a.tenantId, b.tenantId].sort())
  })
})

describe('assertNotLastOwner', () => {
  it('keeps the last active owner, counting only live and active other owners', async () => {
    const f = await tenant()
    const error = await httpError(as(f, (tx) => assertNotLastOwner(tx, f.ownerId)))
    expect(error).toMatchObject({ status: 409, code: 'last_owner' })

    const member = await addUser(f, 'Plain Member', { roleIds: [f.roleIds.member] })
    await expect(as(f, (tx) => assertNotLastOwner(tx, member.id))).resolves.toBeUndefined()

    const second = await addUser(f, 'Second Owner', { roleIds: [f.roleIds.owner] })
    await expect(as(f, (tx) => assertNotLastOwner(tx, f.ownerId))).resolves.toBeUndefined()
    await expect(as(f, (tx) => assertNotLastOwner(tx, second.id))).resolves.toBeUndefined()

    await as(f, (tx) => tx.update(users).set({ isActive: false }).where(and(ofTenant(users), eq(users.id, second.id))))
    expect(await httpError(as(f, (tx) => assertNotLastOwner(tx, f.ownerId)))).toMatchObject({ status: 409, code: 'last_owner' })

    await as(f, (tx) => tx.update(users).set({ isActive: true }).where(and(ofTenant(users), eq(users.id, second.id))))
    await softDelete(f, second.id)
    expect(await httpError(as(f, (tx) => assertNotLastOwner(tx, f.ownerId)))).toMatchObject({ status: 409, code: 'last_owner' })
  })

  it('stops lockOut and replaceUserRoles before anything is written when the only owner would go', async () => {
    const f = await tenant()
    const admin = await addUser(f, 'Acting Admin', { roleIds: [f.roleIds.admin] })
    const everyone = { tenantId: f.tenantId, permissions: PERMISSION_KEYS }
    for (const how of ['deactivate', 'delete'] as const) {
      expect(await httpError(as(f, (tx) => lockOut(tx, f.ownerId, admin.id, how)))).toMatchObject({ status: 409, code: 'last_owner' })
    }
    const demotion = as(f, (tx) => replaceUserRoles(tx, everyone, f.ownerId, [f.roleIds.admin]))
    expect(await httpError(demotion)).toMatchObject({ status: 409, code: 'last_owner' })
    const ownerRow = async () => {
      const [row] = await t.owner.db.select({ isActive: users.isActive, isDeleted: users.isDeleted }).from(users).where(eq(users.id, f.ownerId))
      return row
    }
    expect(await ownerRow()).toEqual({ isActive: true, isDeleted: false })
    const held = await t.owner.db.select({ roleId: userRoles.roleId }).from(userRoles).where(eq(userRoles.userId, f.ownerId))
    expect(held).toEqual([{ roleId: f.roleIds.owner }])

    await addUser(f, 'Second Owner', { roleIds: [f.roleIds.owner] })
    await as(f, (tx) => tx.insert(sessions).values({ tenantId: f.tenantId, userId: f.ownerId, token: unique('s'), expiresAt: new Date(Date.now() + 86_400_000) }))
    await as(f, (tx) => lockOut(tx, f.ownerId, admin.id, 'deactivate'))
    expect(await ownerRow()).toEqual({ isActive: false, isDeleted: false })
    expect(await t.owner.db.select().from(sessions).where(eq(sessions.userId, f.ownerId))).toEqual([])
  })
})

describe('userFilterOptions', () => {
  it('marks the roles the viewer may grant: an admin may not grant Owner, whose permissions they lack', async () => {
    const options = await as(a, (tx) => userFilterOptions(tx, SYSTEM_ROLES.admin.permissions))
    const grantable = new Map(options.roles.map((r) => [r.id, r.grantable]))
    expect(grantable.get(a.roleIds.owner)).toBe(false)
    expect(grantable.get(a.roleIds.admin)).toBe(true)
    expect(grantable.get(a.roleIds.member)).toBe(true)
    const asOwner = await as(a, (tx) => userFilterOptions(tx, PERMISSION_KEYS))
    expect(asOwner.roles.every((r) => r.grantable)).toBe(true)
  })
})

describe('assertCanGrantRoles', () => {
  it('refuses a role that carries a permission the actor lacks, naming it', async () => {
    const roleId = await as(a, async (tx) => {
      const [role] = await tx.insert(roles).values({ tenantId: a.tenantId, name: unique('Auditors') }).returning()
      if (!role) throw new Error('insert returned no row')
      await tx.insert(rolePermissions).values(
        (['users:read', 'audit:read'] as const).map((permissionKey) => ({ tenantId: a.tenantId, roleId: role.id, permissionKey })),
      )
      return role.id
    })
    const error = await httpError(as(a, (tx) => assertCanGrantRoles(tx, ['users:read', 'users:write', 'roles:manage'], [roleId])))
    expect(error.status).toBe(403)
    expect(error.message).toContain('audit:read')
    expect(error.message).not.toContain('users:read')

    const admin = await httpError(as(a, (tx) => assertCanGrantRoles(tx, SYSTEM_ROLES.admin.permissions, [a.roleIds.owner])))
    expect(admin.status).toBe(403)
    expect(admin.message).toContain('trash:purge')
    expect(admin.message).toContain('tenant:manage')

    await expect(as(a, (tx) => assertCanGrantRoles(tx, ['users:read', 'audit:read'], [roleId, a.roleIds.member]))).rejects.toThrow(/teams:read/)
    await expect(as(a, (tx) => assertCanGrantRoles(tx, SYSTEM_ROLES.admin.permissions, [roleId, a.roleIds.member]))).resolves.toBeUndefined()

    const target = await addUser(a, 'Would Be Owner')
    const viaReplace = await httpError(
      as(a, (tx) => replaceUserRoles(tx, { tenantId: a.tenantId, permissions: SYSTEM_ROLES.admin.permissions }, target.id, [a.roleIds.owner])),
    )
    expect(viaReplace.status).toBe(403)
    expect(viaReplace.message).toContain('trash:purge')
    expect(await t.owner.db.select().from(userRoles).where(eq(userRoles.userId, target.id))).toEqual([])
  })

  it("cannot see another tenant's role: requireRoles is a 404 and nothing is granted", async () => {
    const foreignRole = b.roleIds.owner
    expect(await httpError(as(a, (tx) => requireRoles(tx, [foreignRole])))).toMatchObject({ status: 404 })
  })
})

describe('endSessions', () => {
  it("deletes every session of the user and no one else's", async () => {
    const user = await addUser(a, 'Many Sessions')
    const inADay = new Date(Date.now() + 86_400_000)
    await as(a, (tx) =>
      tx.insert(sessions).values([
        { tenantId: a.tenantId, userId: user.id, token: unique('s1'), expiresAt: inADay },
        { tenantId: a.tenantId, userId: user.id, token: unique('s2'), expiresAt: inADay },
        { tenantId: a.tenantId, userId: a.ownerId, token: unique('s3'), expiresAt: inADay },
      ]),
    )
    const countFor = async (userId: string) =>
      (await t.owner.db.select({ id: sessions.id }).from(sessions).where(and(eq(sessions.tenantId, a.tenantId), eq(sessions.userId, userId)))).length
    expect(await countFor(user.id)).toBe(2)
    const ownerSessions = await countFor(a.ownerId)
    expect(ownerSessions).toBeGreaterThan(0)
    await as(a, (tx) => endSessions(tx, user.id))
    expect(await countFor(user.id)).toBe(0)
    expect(await countFor(a.ownerId)).toBe(ownerSessions)
  })

  it("from another tenant's scope ends nothing", async () => {
    const user = await addUser(a, 'Kept Session')
    await as(a, (tx) => tx.insert(sessions).values({ tenantId: a.tenantId, userId: user.id, token: unique('kept'), expiresAt: new Date(Date.now() + 86_400_000) }))
    await as(b, (tx) => endSessions(tx, user.id))
    expect(await t.owner.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(1)
  })
})

describe('tenant B with tenant A ids', () => {
  it('is a 404 for requireUserRow and getUserDetail, and an update changes nothing', async () => {
    const victim = await addUser(a, 'Victim Person', { roleIds: [a.roleIds.admin] })
    const before = await t.owner.db.select().from(users).where(eq(users.id, victim.id))
    expect(before).toHaveLength(1)

    expect(await httpError(as(b, (tx) => requireUserRow(tx, victim.id)))).toMatchObject({ status: 404, code: 'not_found' })
    expect(await httpError(as(b, (tx) => getUserDetail(tx, victim.id)))).toMatchObject({ status: 404, code: 'not_found' })
    const missing = await httpError(as(b, (tx) => getUserDetail(tx, randomUUID())))
    expect((await httpError(as(b, (tx) => getUserDetail(tx, victim.id)))).message).toBe(missing.message)

    const { updated, deleted } = await probingRls('RLS alone keeps tenant B from writing tenant A’s user', async () => ({
      updated: await as(b, (tx) =>
        tx.update(users).set({ fullName: 'Hijacked', isActive: false }).where(eq(users.id, victim.id)).returning({ id: users.id }),
      ),
      deleted: await as(b, (tx) => tx.delete(users).where(eq(users.id, victim.id)).returning({ id: users.id })),
    }))
    expect(updated).toHaveLength(0)
    expect(deleted).toHaveLength(0)
    const everyone = { tenantId: b.tenantId, permissions: PERMISSION_KEYS }
    for (const work of [
      (tx: Tx): Promise<unknown> => updateUserRow(tx, victim.id, { fullName: 'Hijacked' }),
      (tx: Tx) => lockOut(tx, victim.id, b.ownerId, 'deactivate'),
      (tx: Tx) => lockOut(tx, victim.id, b.ownerId, 'delete'),
      (tx: Tx) => reactivate(tx, victim.id),
      (tx: Tx) => replaceUserRoles(tx, everyone, victim.id, [b.roleIds.member]),
    ]) {
      expect(await httpError(as(b, work))).toMatchObject({ status: 404, code: 'not_found' })
    }
    expect((await list(b, { q: 'Victim Person' })).total).toBe(0)

    const after = await t.owner.db.select().from(users).where(eq(users.id, victim.id))
    expect(after).toEqual(before)
  })
})
