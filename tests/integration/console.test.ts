import { randomUUID } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import { makeSignature } from 'better-auth/crypto'
import { Secret, TOTP } from 'otpauth'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { provisionSchema } from '~/features/console/console.schemas'
import {
  activity,
  findAuditEvents,
  findTenantPeople,
  findTenants,
  getTenantDetail,
  provision,
  purge,
  reactivate,
  readAuditLog,
  restore,
  searchPeople,
  searchUsers,
  softDelete,
  suspend,
} from '~/features/console/console.server'
import { endExpiredImpersonations, prepareImpersonation, redeemHandoff } from '~/features/console/impersonation.server'
import { dueTenants, FIGURES_MAX_AGE_MINUTES, refreshDueFigures } from '~/features/console/tenant-figures.server'
import { setAuditOwnerDatabase } from '~/features/audit/chain.server'
import { updateSettingsSchema } from '~/features/settings/settings.schemas'
import { updateSettings } from '~/features/settings/settings.server'
import {
  assertSteppedUp,
  CODE_LIMITS,
  challengeUser,
  countAttempt,
  createChallenge,
  pendingEnrollment,
  recordStepUp,
  verifyCode,
} from '~/features/console/mfa.server'
import { listAuditEvents } from '~/features/audit/audit.server'
import { listAuditSchema } from '~/features/audit/audit.schemas'
import { provisionTenant } from '~/features/tenants/tenants.server'
import { addPerson, createUser, reactivate as reactivatePerson, replaceUserRoles } from '~/features/users/users.server'
import { applyPermissionMatrix } from '~/features/roles/roles.server'
import { applyBulk } from '~/features/users/bulk.server'
import { restoreItem } from '~/features/trash/trash.server'
import { invitePerson, pendingInvitationLink, resendInvitation } from '~/features/users/invitations.server'
import { PERMISSION_KEYS } from '~/lib/permissions'
import { CONSOLE_SLUG } from '~/lib/enums'
import { HttpError, unauthorized } from '~/lib/errors'
import { config } from '../../app.config'
import { type Actor, withTenantSession } from '~/server/session.server'
import { auth } from '~/server/auth.server'
import { rowsOf, type Tx } from '~/server/db/client.server'
import { auditLog, categories, invitations, rolePermissions, roles, sessions, tenantFigures, tenants, userMfa, userRoles, users } from '~/server/db/schema'
import { withConsole, withTenant } from '~/server/db/scope.server'
import { openTestDatabase, type TestDatabase } from '../support/db'
import { english, expectPgError, SQLSTATE } from '../support/errors'
import { i18nFor, translateRef } from '~/lib/i18n'
import { createTestTenant, testPasswordHash, uniqueSlug } from '../support/fixtures'
import { probingRls } from '../support/statement-capture'

type Tenant = { id: string; slug: string; ownerId: string }

let t: TestDatabase
let consoleId: string
let rootId: string
let a: Tenant
let b: Tenant

async function tenant(): Promise<Tenant> {
  const { tenant, owner } = await createTestTenant()
  return { id: tenant.id, slug: tenant.slug, ownerId: owner.id }
}

beforeAll(async () => {
  t = await openTestDatabase()
  const hash = await testPasswordHash()
  const platform = await withConsole({ requestId: 'console-test' }, (tx) =>
    provisionTenant(tx, {
      name: 'Haven Console',
      slug: CONSOLE_SLUG,
      owner: { email: 'root@haven.test', fullName: 'Root Operator', isSuperuser: true, password: { hash } },
    }),
  )
  consoleId = platform.tenant.id
  rootId = platform.owner.id
  a = await tenant()
  b = await tenant()
}, 60_000)
afterAll(() => t.close())

/** The console's scope as requireSuperuser opens it: haven_console, the console tenant in context, root as actor. */
function asConsole<T>(work: (scope: { tx: Tx; consoleTenantId: string }) => Promise<T>): Promise<T> {
  return withConsole({ tenantId: consoleId, userId: rootId, requestId: `console-${randomUUID().slice(0, 8)}` }, (tx) =>
    work({ tx, consoleTenantId: consoleId }),
  )
}

async function failure(work: Promise<unknown>): Promise<HttpError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(HttpError)
  return error as HttpError
}

const totp = (secret: string) => new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) })
/** The code of a time step `offset` steps from now (the server accepts one step either side, each step once). */
const code = (secret: string, offset = 0) => totp(secret).generate({ timestamp: Date.now() + offset * 30_000 })

/** A console session of `userId` (root by default), as a sign-in creates it. */
async function consoleSession(userId = rootId): Promise<string> {
  const [row] = await withTenant({ tenantId: consoleId }, (tx) =>
    tx.insert(sessions).values({ tenantId: consoleId, userId, token: randomUUID(), expiresAt: sql`now() + interval '1 day'` }).returning({ id: sessions.id }),
  )
  if (!row) throw new Error('no session')
  return row.id
}

async function eventsOf(tenantId: string, requestFilter?: string) {
  const rows = await t.owner.db.select().from(auditLog).where(eq(auditLog.tenantId, tenantId))
  return requestFilter ? rows.filter((r) => r.requestId === requestFilter) : rows
}

describe('console MFA', () => {
  let secret: string
  let recovery: string[]
  let lastUsed: { code: string; step: number }
  const root = () => ({ userId: rootId, email: 'root@haven.test' })

  it('enrols: the secret is stored encrypted, the first right code confirms it and yields ten hashed recovery codes', async () => {
    const setup = await asConsole(({ tx }) => pendingEnrollment(tx, consoleId, root()))
    secret = setup.secret
    expect(setup.uri).toMatch(/^otpauth:\/\/totp\/Haven%20console:root%40haven\.test\?/)
    expect(setup.qr).toMatch(/^data:image\/png;base64,/)
    // Reloading the enrolment page shows the same pending key.
    expect((await asConsole(({ tx }) => pendingEnrollment(tx, consoleId, root()))).secret).toBe(secret)

    const wrong = await failure(asConsole(({ tx }) => verifyCode(tx, consoleId, root(), '000000' === code(secret) ? '111111' : '000000', null)))
    expect(wrong.status).toBe(401)
    const confirmed = await asConsole(({ tx }) => verifyCode(tx, consoleId, root(), code(secret), null))
    recovery = confirmed.recoveryCodes ?? []
    expect(recovery).toHaveLength(10)

    const [stored] = await t.owner.db.select().from(userMfa).where(eq(userMfa.userId, rootId))
    expect(stored?.confirmedAt).not.toBeNull()
    expect(stored?.secret).not.toContain(secret)
    expect(stored?.recoveryCodes).toHaveLength(10)
    for (const c of recovery) expect(stored?.recoveryCodes.join(' ')).not.toContain(c.replace('-', ''))
    // Enrolling again is refused: the key can be shown once only.
    expect((await failure(asConsole(({ tx }) => pendingEnrollment(tx, consoleId, root())))).status).toBe(409)
  })

  it('a later code signs in without new recovery codes; a recovery code works exactly once', async () => {
    lastUsed = { code: code(secret, 1), step: Math.floor(Date.now() / 30_000) + 1 }
    expect(await asConsole(({ tx }) => verifyCode(tx, consoleId, root(), lastUsed.code, null))).toEqual({ method: 'totp' })
    const one = recovery[0] ?? ''
    expect(await asConsole(({ tx }) => verifyCode(tx, consoleId, root(), one.toUpperCase(), null))).toEqual({ method: 'recovery' })
    expect((await failure(asConsole(({ tx }) => verifyCode(tx, consoleId, root(), one, null)))).code).toBe('invalid_code')
    const [stored] = await t.owner.db.select().from(userMfa).where(eq(userMfa.userId, rootId))
    expect(stored?.recoveryCodes).toHaveLength(9)
  })

  it('refuses a code whose time step was used already, also an older one, and two concurrent uses of one code', async () => {
    const replay = await failure(asConsole(({ tx }) => verifyCode(tx, consoleId, root(), lastUsed.code, null)))
    expect(replay).toMatchObject({ status: 401, code: 'invalid_code' })
    expect(english(replay.fieldErrors?.code)).toBe('Code already used')
    // The current and the previous step are older than the step taken: refused too, though inside the window.
    for (const older of [code(secret), code(secret, -1)]) {
      expect((await failure(asConsole(({ tx }) => verifyCode(tx, consoleId, root(), older, null)))).status).toBe(401)
    }
    const [stored] = await t.owner.db.select({ step: userMfa.lastTotpStep }).from(userMfa).where(eq(userMfa.userId, rootId))
    expect(stored?.step).toBe(lastUsed.step)
    // A fresh factor whose next code two requests present at once: exactly one of them gets in.
    const other = await withTenant({ tenantId: consoleId }, (tx) =>
      createUser(tx, { tenantId: consoleId, email: `${uniqueSlug('op')}@haven.test`, fullName: 'Second Operator', isSuperuser: true }),
    )
    const who = { userId: other.id, email: other.email }
    const { secret: theirs } = await asConsole(({ tx }) => pendingEnrollment(tx, consoleId, who))
    await asConsole(({ tx }) => verifyCode(tx, consoleId, who, code(theirs, -1), null))
    const both = await Promise.allSettled([0, 1].map(() => asConsole(({ tx }) => verifyCode(tx, consoleId, who, code(theirs), null))))
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
  })

  it('step-up: refused until a code is entered in this session, and only for this session', async () => {
    const session = await consoleSession()
    expect((await failure(asConsole(({ tx }) => assertSteppedUp(tx, consoleId, rootId, session)))).code).toBe('step_up_required')
    await asConsole(({ tx }) => recordStepUp(tx, consoleId, rootId, session))
    await asConsole(({ tx }) => assertSteppedUp(tx, consoleId, rootId, session))
    expect((await failure(asConsole(({ tx }) => assertSteppedUp(tx, consoleId, rootId, randomUUID())))).status).toBe(403)
    await t.owner.db.update(sessions).set({ stepUpAt: sql`now() - interval '11 minutes'` }).where(eq(sessions.id, session))
    expect((await failure(asConsole(({ tx }) => assertSteppedUp(tx, consoleId, rootId, session)))).status).toBe(403)
  })

  it('step-up: two sessions of one operator step up independently, and neither authorizes the other', async () => {
    const [first, second] = [await consoleSession(), await consoleSession()]
    const steppedUp = async (session: string) =>
      asConsole(({ tx }) => assertSteppedUp(tx, consoleId, rootId, session)).then(
        () => true,
        (e: unknown) => (e instanceof HttpError && e.code === 'step_up_required' ? false : Promise.reject(e)),
      )
    await asConsole(({ tx }) => recordStepUp(tx, consoleId, rootId, first))
    expect([await steppedUp(first), await steppedUp(second)]).toEqual([true, false])
    // The second browser steps up too: the first keeps its own (stored per person, this cancelled it).
    await asConsole(({ tx }) => recordStepUp(tx, consoleId, rootId, second))
    expect([await steppedUp(first), await steppedUp(second)]).toEqual([true, true])
    // Each lapses on its own clock.
    await t.owner.db.update(sessions).set({ stepUpAt: sql`now() - interval '11 minutes'` }).where(eq(sessions.id, first))
    expect([await steppedUp(first), await steppedUp(second)]).toEqual([false, true])
    // A session id of another operator, or a step-up recorded under someone else's name, authorizes nothing.
    const other = await withTenant({ tenantId: consoleId }, (tx) =>
      createUser(tx, { tenantId: consoleId, email: `${uniqueSlug('op')}@haven.test`, fullName: 'Other Operator', isSuperuser: true }),
    )
    const theirs = await consoleSession(other.id)
    await asConsole(({ tx }) => recordStepUp(tx, consoleId, rootId, theirs))
    expect(await steppedUp(theirs)).toBe(false)
    const [stored] = await t.owner.db.select({ at: sessions.stepUpAt }).from(sessions).where(eq(sessions.id, theirs))
    expect(stored?.at).toBeNull()
  })

  it('throttles code attempts per user', async () => {
    const user = randomUUID()
    for (let i = 0; i < CODE_LIMITS.perUser; i++) await asConsole(({ tx }) => countAttempt(tx, user, `203.0.113.${i}`))
    const limited = await failure(asConsole(({ tx }) => countAttempt(tx, user, '203.0.113.99')))
    expect(limited.status).toBe(429)
    expect(limited.retryAfterSeconds).toBeGreaterThan(0)
  })

  it('a challenge names a superuser who passed the password step, and nobody else', async () => {
    const token = await withTenant({ tenantId: consoleId }, (tx) => createChallenge(tx, consoleId, rootId))
    expect(await withTenant({ tenantId: consoleId }, (tx) => challengeUser(tx, consoleId, token))).toEqual({ userId: rootId, email: 'root@haven.test' })
    expect(await withTenant({ tenantId: consoleId }, (tx) => challengeUser(tx, consoleId, 'forged'))).toBeNull()
    const plain = await withTenant({ tenantId: consoleId }, (tx) =>
      createUser(tx, { tenantId: consoleId, email: `${uniqueSlug('plain')}@haven.test`, fullName: 'Not Super' }),
    )
    const theirs = await withTenant({ tenantId: consoleId }, (tx) => createChallenge(tx, consoleId, plain.id))
    expect(await withTenant({ tenantId: consoleId }, (tx) => challengeUser(tx, consoleId, theirs))).toBeNull()
    // A challenge is not readable from another tenant's scope.
    expect(await withTenant({ tenantId: a.id }, (tx) => challengeUser(tx, a.id, token))).toBeNull()
  })
})

describe('tenants', () => {
  it('lists customer tenants with figures, never the console, with search, status and keyset pages', async () => {
    await refreshDueFigures()
    const all = await asConsole(({ tx }) => findTenants(tx, { status: 'all', sort: 'created', dir: 'desc', pageSize: 100 }))
    expect(all.items.map((x) => x.slug)).not.toContain(CONSOLE_SLUG)
    const rowA = all.items.find((x) => x.id === a.id)
    expect(rowA).toMatchObject({ slug: a.slug, people: 1, categories: 0, isActive: true })
    expect(rowA?.events30).toBeGreaterThan(0)
    expect(all.asOf).not.toBeNull()

    const found = await asConsole(({ tx }) => findTenants(tx, { q: a.slug, status: 'all', sort: 'name', dir: 'asc', pageSize: 10 }))
    expect(found.items.map((x) => x.id)).toEqual([a.id])
    expect(found.total).toBe(1)

    const seen: string[] = []
    let cursor: string | undefined
    do {
      const page = await asConsole(({ tx }) => findTenants(tx, { status: 'all', sort: 'slug', dir: 'asc', pageSize: 1, cursor }))
      seen.push(...page.items.map((x) => x.slug))
      cursor = page.nextCursor ?? undefined
    } while (cursor)
    expect(seen).toEqual([...seen].sort())
    expect(new Set(seen).size).toBe(all.items.length)
  })

  it('sorts by every figure both ways, keyset pages agreeing with one long page, from the stored figures', async () => {
    // Tenants whose figures differ: c has three more people and two categories, d one category, and d signed in.
    const [c, d] = [await tenant(), await tenant()]
    for (const n of [1, 2, 3]) {
      await withTenant({ tenantId: c.id }, (tx) => createUser(tx, { tenantId: c.id, email: `p${n}@${c.slug}.test`, fullName: `Person ${n}` }))
    }
    await withTenant({ tenantId: c.id }, (tx) => tx.insert(categories).values([{ tenantId: c.id, name: 'One' }, { tenantId: c.id, name: 'Two' }]))
    await withTenant({ tenantId: d.id }, (tx) => tx.insert(categories).values({ tenantId: d.id, name: 'Only' }))
    await withTenant({ tenantId: d.id, userId: d.ownerId }, (tx) =>
      tx.update(users).set({ lastSignInAt: sql`now()` }).where(and(eq(users.tenantId, d.id), eq(users.id, d.ownerId))),
    )
    await refreshDueFigures()
    const sorts = ['people', 'active30', 'categories', 'events30', 'lastActivity', 'created', 'name', 'slug'] as const
    const value = (row: Awaited<ReturnType<typeof findTenants>>['items'][number], sort: Exclude<(typeof sorts)[number], 'name' | 'slug'>) =>
      sort === 'lastActivity' || sort === 'created' ? new Date(sort === 'created' ? row.createdAt : row.lastActivity).getTime() : row[sort]
    for (const sort of sorts) {
      for (const dir of ['asc', 'desc'] as const) {
        const whole = await asConsole(({ tx }) => findTenants(tx, { status: 'all', sort, dir, pageSize: 100 }))
        // Names and slugs follow the database's collation; the figures and times are checked here.
        if (sort !== 'name' && sort !== 'slug') {
          const values = whole.items.map((r) => value(r, sort))
          const ordered = [...values].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))
          expect(values, `${sort} ${dir}`).toEqual(dir === 'asc' ? ordered : ordered.reverse())
        }
        const paged: string[] = []
        let cursor: string | undefined
        do {
          const page = await asConsole(({ tx }) => findTenants(tx, { status: 'all', sort, dir, pageSize: 2, cursor }))
          paged.push(...page.items.map((r) => r.id))
          cursor = page.nextCursor ?? undefined
        } while (cursor)
        expect(paged, `${sort} ${dir} by pages`).toEqual(whole.items.map((r) => r.id))
      }
    }
    const byPeople = await asConsole(({ tx }) => findTenants(tx, { status: 'all', sort: 'people', dir: 'desc', pageSize: 100 }))
    const rowOf = (id: string) => byPeople.items.find((r) => r.id === id)
    expect(rowOf(c.id)).toMatchObject({ people: 4, categories: 2, active30: 0 })
    expect(rowOf(d.id)).toMatchObject({ people: 1, categories: 1, active30: 1 })
    expect(byPeople.items.findIndex((r) => r.id === c.id)).toBeLessThan(byPeople.items.findIndex((r) => r.id === d.id))
    // A cursor whose value does not fit the sort is a damaged page link (400), not a database error.
    const wrong = encodeURIComponent(Buffer.from(JSON.stringify({ v: 'Acme', id: c.id })).toString('base64url'))
    expect((await failure(asConsole(({ tx }) => findTenants(tx, { status: 'all', sort: 'people', dir: 'desc', pageSize: 2, cursor: wrong }))))).toMatchObject({
      status: 400,
      code: 'invalid_cursor',
    })
  })

  it('figures are the stored ones until the job counts the tenants that changed, and only those', async () => {
    // Without the allowance for late commits, "changed" means exactly: an event after the last count.
    const exactly = { lateCommitMinutes: 0 }
    const due = () => asConsole(({ tx }) => dueTenants(tx, exactly))
    const c = await tenant()
    await refreshDueFigures()
    const stored = async () => (await asConsole(({ tx }) => findTenants(tx, { q: c.slug, status: 'all', sort: 'name', dir: 'asc', pageSize: 5 }))).items[0]
    const before = await stored()
    expect(before?.people).toBe(1)
    expect(await due()).toEqual([])

    await withTenant({ tenantId: c.id }, (tx) => createUser(tx, { tenantId: c.id, email: `late@${c.slug}.test`, fullName: 'Late Person' }))
    // The list does not count per request: it shows the stored figures, as of when they were counted.
    const lagging = await stored()
    expect(lagging).toMatchObject({ people: 1, refreshedAt: before?.refreshedAt })
    expect(await due()).toEqual([c.id])
    expect(await refreshDueFigures(exactly)).toBe(1)
    expect((await stored())?.people).toBe(2)
    expect(await due()).toEqual([])
    // An event stamped before a count can commit after it (a transaction's rows carry its start time): by default a
    // tenant with events shortly before its count is counted again.
    expect(await asConsole(({ tx }) => dueTenants(tx))).toContain(c.id)

    // Past the maximum age every tenant is counted again (the 30-day windows move without activity), oldest first.
    await t.owner.db
      .update(tenantFigures)
      .set({ refreshedAt: sql`now() - make_interval(mins => ${FIGURES_MAX_AGE_MINUTES + 1})`, lastActivity: sql`now() - interval '1 year'` })
      .where(eq(tenantFigures.tenantId, b.id))
    expect(await due()).toEqual([b.id])
    // A tenant without figures (none was made with it) is due first.
    await t.owner.db.delete(tenantFigures).where(eq(tenantFigures.tenantId, a.id))
    expect(await due()).toEqual([a.id, b.id])
    expect(await refreshDueFigures(exactly)).toBe(2)
    expect(await due()).toEqual([])
    const [bAgain] = await t.owner.db.select().from(tenantFigures).where(eq(tenantFigures.tenantId, b.id))
    expect(bAgain?.lastActivity.getTime()).toBeGreaterThan(Date.now() - 3_600_000)
  })

  it("a tenant reads its own figures only, and cannot write them", async () => {
    const own = await withTenant({ tenantId: a.id }, (tx) => tx.select().from(tenantFigures).where(eq(tenantFigures.tenantId, a.id)))
    expect(own.map((f) => f.tenantId)).toEqual([a.id])
    const foreign = await probingRls('RLS hides another tenant’s figures', () =>
      withTenant({ tenantId: a.id }, (tx) => tx.select().from(tenantFigures).where(eq(tenantFigures.tenantId, b.id))),
    )
    expect(foreign).toEqual([])
    await expectPgError(
      withTenant({ tenantId: a.id }, (tx) => tx.update(tenantFigures).set({ people: 1_000_000 }).where(eq(tenantFigures.tenantId, a.id))),
      SQLSTATE.insufficientPrivilege,
    )
    const [after] = await t.owner.db.select().from(tenantFigures).where(eq(tenantFigures.tenantId, a.id))
    expect(after?.people).not.toBe(1_000_000)
  })

  it('provisions: reserved slugs are refused by the schema, taken ones with a field error; the owner is invited', async () => {
    const reserved = provisionSchema.safeParse({ name: 'X', slug: 'console', ownerEmail: 'x@example.test' })
    expect(reserved.success).toBe(false)
    const taken = await failure(asConsole((scope) => provision(scope, { name: 'Dup', slug: a.slug, ownerEmail: 'x@example.test', ownerName: '' }, rootId)))
    expect(taken.status).toBe(409)
    expect(english(taken.fieldErrors?.slug)).toBe('This name is taken')

    const slug = uniqueSlug('new')
    const made = await asConsole((scope) => provision(scope, { name: 'New Co', slug, ownerEmail: `boss@${slug}.test`, ownerName: 'Bea' }, rootId))
    const systemRoles = await t.owner.db.select().from(roles).where(eq(roles.tenantId, made.tenantId))
    expect(systemRoles.map((r) => r.systemKey).sort()).toEqual(['admin', 'member', 'owner'])
    const [invitation] = await t.owner.db.select().from(invitations).where(eq(invitations.tenantId, made.tenantId))
    expect(invitation).toMatchObject({ email: `boss@${slug}.test`, status: 'pending', roleId: systemRoles.find((r) => r.systemKey === 'owner')?.id })
    expect(invitation?.tokenHash).not.toBe(made.token)
    const events = await eventsOf(made.tenantId)
    expect(events.find((e) => e.action === 'CONSOLE_ACCESS')).toMatchObject({ userId: rootId, newValues: { action: 'provision' } })
  })

  it('suspends with a reason (ending that tenant’s sessions only), reactivates, each recorded in the tenant', async () => {
    const expires = sql`now() + interval '1 day'`
    await withTenant({ tenantId: a.id }, (tx) => tx.insert(sessions).values({ tenantId: a.id, userId: a.ownerId, token: randomUUID(), expiresAt: expires }))
    await withTenant({ tenantId: b.id }, (tx) => tx.insert(sessions).values({ tenantId: b.id, userId: b.ownerId, token: randomUUID(), expiresAt: expires }))
    await asConsole((scope) => suspend(scope, a.id, 'Unpaid invoices'))
    const [row] = await t.owner.db.select().from(tenants).where(eq(tenants.id, a.id))
    expect(row).toMatchObject({ isActive: false, suspensionReason: 'Unpaid invoices' })
    expect(await t.owner.db.select().from(sessions).where(eq(sessions.tenantId, a.id))).toHaveLength(0)
    expect((await t.owner.db.select().from(sessions).where(eq(sessions.tenantId, b.id))).length).toBeGreaterThan(0)
    expect((await failure(asConsole((scope) => suspend(scope, a.id, 'Again please')))).status).toBe(409)

    await asConsole((scope) => reactivate(scope, a.id))
    const [back] = await t.owner.db.select().from(tenants).where(eq(tenants.id, a.id))
    expect(back).toMatchObject({ isActive: true, suspensionReason: null })
    const actions = (await eventsOf(a.id)).filter((e) => e.action === 'CONSOLE_ACCESS').map((e) => (e.newValues as { action?: string }).action)
    expect(actions).toEqual(expect.arrayContaining(['suspend', 'reactivate']))
  })

  it('deletes softly, restores, and purges only a deleted tenant whose slug was typed, leaving others intact', async () => {
    const doomed = await tenant()
    await asConsole((scope) => softDelete(scope, doomed.id, rootId))
    await asConsole((scope) => restore(scope, doomed.id))
    expect((await failure(asConsole((scope) => purge(scope, doomed.id, doomed.slug)))).status).toBe(409)
    await asConsole((scope) => softDelete(scope, doomed.id, rootId))
    // Within the grace period the tenant can still be restored, so it cannot be purged, slug typed or not.
    const early = await failure(asConsole((scope) => purge(scope, doomed.id, doomed.slug)))
    expect(early).toMatchObject({ status: 409, code: 'grace_period' })
    expect(english(early.message)).toMatch(/restorable for 30 days: it can be purged from \d{4}-\d{2}-\d{2}\./)
    await t.owner.db.update(tenants).set({ deletedAt: sql`now() - interval '29 days 23 hours'` }).where(eq(tenants.id, doomed.id))
    expect((await failure(asConsole((scope) => purge(scope, doomed.id, doomed.slug)))).code).toBe('grace_period')
    expect(await t.owner.db.select().from(tenants).where(eq(tenants.id, doomed.id))).toHaveLength(1)
    await t.owner.db.update(tenants).set({ deletedAt: sql`now() - interval '30 days 1 minute'` }).where(eq(tenants.id, doomed.id))
    const mismatch = await failure(asConsole((scope) => purge(scope, doomed.id, 'not-it')))
    expect(mismatch.fieldErrors?.confirmSlug).toBeDefined()
    await asConsole((scope) => purge(scope, doomed.id, doomed.slug))
    expect(await t.owner.db.select().from(tenants).where(eq(tenants.id, doomed.id))).toHaveLength(0)
    expect(await t.owner.db.select().from(users).where(eq(users.tenantId, doomed.id))).toHaveLength(0)
    expect(await t.owner.db.select().from(users).where(eq(users.tenantId, b.id))).toHaveLength(1)
    const purged = (await eventsOf(consoleId)).find((e) => e.recordId === doomed.id)
    expect(purged?.newValues).toMatchObject({ action: 'purge', slug: doomed.slug })
  })

  it('a tenant page and its people are audited reads; the console tenant and unknown ids are 404', async () => {
    const requestId = `read-${randomUUID().slice(0, 8)}`
    const detail = await withConsole({ tenantId: consoleId, userId: rootId, requestId }, (tx) => getTenantDetail({ tx, consoleTenantId: consoleId }, b.id))
    expect(detail).toMatchObject({ slug: b.slug, figures: { people: 1 } })
    const people = await withConsole({ tenantId: consoleId, userId: rootId, requestId }, (tx) =>
      findTenantPeople({ tx, consoleTenantId: consoleId }, { id: b.id, status: 'all' }),
    )
    expect(people.items.map((p) => p.id)).toEqual([b.ownerId])
    const reads = await eventsOf(b.id, requestId)
    expect(reads.map((e) => [e.action, e.tableName, e.userId])).toEqual(
      expect.arrayContaining([
        ['CONSOLE_ACCESS', 'tenants', rootId],
        ['CONSOLE_ACCESS', 'users', rootId],
      ]),
    )
    for (const id of [consoleId, randomUUID()]) {
      expect((await failure(asConsole((scope) => getTenantDetail(scope, id)))).status).toBe(404)
    }
    // The reads went to b's log and nowhere else.
    expect(await eventsOf(a.id, requestId)).toHaveLength(0)
  })

  it('activity counts events per day over 30 days, per tenant and overall', async () => {
    const perTenant = await asConsole(({ tx }) => activity(tx, a.id))
    expect(perTenant).toHaveLength(30)
    const today = perTenant.at(-1)
    const [{ n } = { n: 0 }] = rowsOf<{ n: number }>(
      await t.owner.db.execute(sql`select count(*)::int as n from audit_log where tenant_id = ${a.id} and (created_at at time zone 'UTC')::date = (now() at time zone 'UTC')::date`),
    )
    expect(today?.events).toBe(n)
    const overall = await asConsole(({ tx }) => activity(tx))
    expect(overall.at(-1)?.events).toBeGreaterThanOrEqual(n)
  })
})

describe('people search and the global audit log', () => {
  it('finds people of every tenant by email or name, paged by keyset', async () => {
    const marker = `needle${randomUUID().slice(0, 6)}`
    for (const x of [a, b]) {
      await withTenant({ tenantId: x.id }, (tx) => createUser(tx, { tenantId: x.id, email: `${marker}@${x.slug}.test`, fullName: 'Same Name' }))
    }
    const byEmail = await asConsole(({ tx }) => searchUsers(tx, { q: marker }))
    expect(byEmail.items.map((u) => u.tenantSlug).sort()).toEqual([a.slug, b.slug].sort())
    const first = await asConsole(({ tx }) => searchUsers(tx, { q: marker }, 1))
    const second = await asConsole(({ tx }) => searchUsers(tx, { q: marker, cursor: first.nextCursor ?? undefined }, 1))
    expect([...first.items, ...second.items].map((u) => u.id)).toEqual(byEmail.items.map((u) => u.id))
    expect(second.nextCursor).toBeNull()
  })

  it('the tenant’s own audit viewer names the operator behind a console read, in the reader’s language', async () => {
    const c = await tenant()
    const requestId = `look-${randomUUID().slice(0, 8)}`
    await withConsole({ tenantId: consoleId, userId: rootId, requestId }, (tx) => getTenantDetail({ tx, consoleTenantId: consoleId }, c.id))
    // Read as c's owner reads /admin/audit: in c's scope, where the console's people are out of reach.
    const page = await withTenant({ tenantId: c.id, userId: c.ownerId }, (tx) => listAuditEvents(tx, c.id, listAuditSchema.parse({ requestId })))
    const look = page.items.find((e) => e.action === 'CONSOLE_ACCESS')
    expect(look?.actor?.id).toBe(rootId)
    expect(english(look?.actor?.name)).toBe('Root Operator (console)')
    expect(translateRef(i18nFor('de'), look?.actor?.name ?? '')).toBe('Root Operator (Konsole)')
    expect(english(look?.summary)).toBe('opened this workspace from the console')
    // An operator no event here names (events written before they carried the name): still no "Unknown person".
    const anonymous = `anon-${randomUUID().slice(0, 8)}`
    await withConsole({ tenantId: consoleId, userId: randomUUID(), requestId: anonymous }, (tx) => getTenantDetail({ tx, consoleTenantId: consoleId }, c.id))
    const unnamed = await withTenant({ tenantId: c.id, userId: c.ownerId }, (tx) => listAuditEvents(tx, c.id, listAuditSchema.parse({ requestId: anonymous })))
    expect(unnamed.items.map((e) => english(e.actor?.name))).toEqual(['A Haven console operator'])
  })

  it('a search across tenants and the unfiltered audit log are looks into each tenant they show, recorded there', async () => {
    const marker = `seen${randomUUID().slice(0, 6)}`
    await withTenant({ tenantId: a.id }, (tx) => createUser(tx, { tenantId: a.id, email: `${marker}@${a.slug}.test`, fullName: 'Seen Person' }))
    const looks = async (tenantId: string, requestId: string) =>
      (await eventsOf(tenantId, requestId)).filter((e) => e.action === 'CONSOLE_ACCESS').map((e) => [e.tableName, e.userId, e.newValues])
    // Each look carries the operator's name and email, by which the tenant's own viewer names them.
    const by = { operatorName: 'Root Operator', operatorEmail: 'root@haven.test' }

    const searched = `search-${randomUUID().slice(0, 8)}`
    const hits = await withConsole({ tenantId: consoleId, userId: rootId, requestId: searched }, (tx) =>
      searchPeople({ tx, consoleTenantId: consoleId }, { q: marker }),
    )
    expect(hits.items.map((u) => u.tenantId)).toEqual([a.id])
    expect(await looks(a.id, searched)).toEqual([['users', rootId, { view: 'people-search', q: marker, ...by }]])
    // b had nobody on the page: nothing was read there, and nothing is recorded.
    expect(await looks(b.id, searched)).toEqual([])

    const read = `audit-${randomUUID().slice(0, 8)}`
    const page = await withConsole({ tenantId: consoleId, userId: rootId, requestId: read }, (tx) =>
      readAuditLog({ tx, consoleTenantId: consoleId }, {}, 1000),
    )
    const shown = new Set(page.items.map((e) => e.tenantId))
    expect([...shown]).toEqual(expect.arrayContaining([a.id, b.id, consoleId]))
    for (const x of [a, b]) expect(await looks(x.id, read)).toEqual([['audit_log', rootId, { view: 'audit', ...by }]])
    // The console's own events are its own: no look recorded there.
    expect(await looks(consoleId, read)).toEqual([])

    const filtered = `audit-a-${randomUUID().slice(0, 8)}`
    await withConsole({ tenantId: consoleId, userId: rootId, requestId: filtered }, (tx) => readAuditLog({ tx, consoleTenantId: consoleId }, { tenantId: a.id }, 5))
    expect(await looks(a.id, filtered)).toEqual([['audit_log', rootId, { view: 'audit', ...by }]])
    expect(await looks(b.id, filtered)).toEqual([])

    // The operators' own events alone ('console'): only the console's rows, and no tenant records a look.
    const own = `audit-own-${randomUUID().slice(0, 8)}`
    const ownPage = await withConsole({ tenantId: consoleId, userId: rootId, requestId: own }, (tx) =>
      readAuditLog({ tx, consoleTenantId: consoleId }, { tenantId: 'console' }, 50),
    )
    expect(ownPage.items.length).toBeGreaterThan(0)
    expect(ownPage.items.every((e) => e.tenantId === consoleId)).toBe(true)
    for (const x of [a, b]) expect(await looks(x.id, own)).toEqual([])
  })

  it('filters the audit log by tenant and pages it newest first', async () => {
    const onlyA = await asConsole(({ tx }) => findAuditEvents(tx, { tenantId: a.id }, 5))
    expect(onlyA.items.every((e) => e.tenantId === a.id)).toBe(true)
    const next = await asConsole(({ tx }) => findAuditEvents(tx, { tenantId: a.id, cursor: onlyA.nextCursor ?? undefined }, 5))
    const ids = [...onlyA.items, ...next.items].map((e) => e.id)
    expect(new Set(ids).size).toBe(ids.length)
    const times = [...onlyA.items, ...next.items].map((e) => e.createdAt)
    expect(times).toEqual([...times].sort().reverse())
    // In the tenant viewer's words: the superuser named as an operator, as acme's own admins read it.
    const looks = (await asConsole(({ tx }) => findAuditEvents(tx, { tenantId: a.id }, 100))).items.filter((e) => e.action === 'CONSOLE_ACCESS')
    expect(looks.length).toBeGreaterThan(0)
    for (const e of looks) expect({ ...e.actor, name: english(e.actor?.name) }).toMatchObject({ id: rootId, name: 'Root Operator (console)', email: 'root@haven.test' })
    expect(looks.map((e) => english(e.summary))).toEqual(
      expect.arrayContaining(['suspended this workspace from the console (Unpaid invoices)', 'reactivated this workspace from the console']),
    )
  })
})

describe('impersonation', () => {
  const grant = { reason: 'Customer ticket 42', minutes: 30 }
  const superuser = () => ({ id: rootId, fullName: 'Root Operator' })

  /** An impersonation session of `userId` by root, as redeemImpersonation creates it, and the cookie that carries it. */
  async function impersonationSession(tenantId: string, userId: string, expiresAt = sql`now() + interval '30 minutes'`) {
    const token = randomUUID()
    const [session] = await withTenant({ tenantId }, (tx) =>
      tx
        .insert(sessions)
        .values({ tenantId, userId, token, expiresAt, impersonatorId: rootId, impersonatorName: 'Root Operator', impersonationReason: grant.reason })
        .returning(),
    )
    if (!session) throw new Error('no session')
    const signed = `${token}.${await makeSignature(token, config().authSecret)}`
    return { session, headers: new Headers({ cookie: `haven.session_token=${encodeURIComponent(signed)}` }) }
  }

  const endsOf = async (tenantId: string) => (await eventsOf(tenantId)).filter((e) => e.action === 'IMPERSONATION_ENDED')

  /** Max-Age of each cookie the response sets, by name. */
  const maxAges = (headers: Headers) =>
    Object.fromEntries(headers.getSetCookie().map((c) => [c.slice(0, c.indexOf('=')), Number(/;\s*Max-Age=(\d+)/i.exec(c)?.[1] ?? Number.NaN)]))

  it('gives the impersonation’s cookies the time it has left, not the week a sign-in gets', async () => {
    const c = await tenant()
    const minutes = 15
    const started = Date.now()
    const handoff = await withTenant({ tenantId: c.id }, () =>
      auth().api.createHavenSession({
        body: { userId: c.ownerId, impersonatorId: rootId, impersonatorName: 'Root Operator', impersonationReason: grant.reason, expiresInSeconds: minutes * 60 },
        headers: new Headers(),
        returnHeaders: true,
      }),
    )
    const ages = maxAges(handoff.headers)
    const [session] = await t.owner.db.select().from(sessions).where(eq(sessions.id, handoff.response.sessionId))
    const left = Math.floor(((session?.expiresAt.getTime() ?? 0) - started) / 1000)
    expect(Object.keys(ages).sort()).toEqual(['haven.dont_remember', 'haven.session_token'])
    for (const [name, age] of Object.entries(ages)) {
      expect(age, name).toBeLessThanOrEqual(minutes * 60)
      expect(age, name).toBeGreaterThanOrEqual(left - 5)
    }
    // A console sign-in's session keeps better-auth's week.
    const signIn = await withTenant({ tenantId: consoleId }, () =>
      auth().api.createHavenSession({ body: { userId: rootId }, headers: new Headers(), returnHeaders: true }),
    )
    expect(maxAges(signIn.headers)).toEqual({ 'haven.session_token': 7 * 24 * 3600 })
  })

  it('never refreshes an impersonation session: its row stays as granted, whatever cookies the browser sends', async () => {
    const c = await tenant()
    const { session, headers } = await impersonationSession(c.id, c.ownerId)
    await withTenantSession({ tenantId: c.id, requestId: `seen-${randomUUID().slice(0, 8)}` }, async (_tx, caller) => expect(caller?.impersonatorId).toBe(rootId), headers)
    const [after] = await t.owner.db.select().from(sessions).where(eq(sessions.id, session.id))
    expect([after?.expiresAt.getTime(), after?.updatedAt.getTime()]).toEqual([session.expiresAt.getTime(), session.updatedAt.getTime()])
  })

  it('is refused without consent, of a superuser, and of someone who is not in that tenant', async () => {
    const denied = await failure(asConsole((scope) => prepareImpersonation(scope, { tenantId: b.id, userId: b.ownerId, ...grant }, superuser())))
    expect(denied).toMatchObject({ status: 403, code: 'impersonation_not_allowed' })

    await t.owner.db.update(tenants).set({ settings: { allowImpersonation: true } }).where(eq(tenants.id, a.id))
    const odd = await withTenant({ tenantId: a.id }, (tx) =>
      createUser(tx, { tenantId: a.id, email: `${uniqueSlug('su')}@x.test`, fullName: 'Odd Superuser', isSuperuser: true }),
    )
    expect((await failure(asConsole((scope) => prepareImpersonation(scope, { tenantId: a.id, userId: odd.id, ...grant }, superuser())))).status).toBe(403)
    // b's person through a's consent: not found, exactly like a missing id.
    for (const userId of [b.ownerId, randomUUID()]) {
      expect((await failure(asConsole((scope) => prepareImpersonation(scope, { tenantId: a.id, userId, ...grant }, superuser())))).status).toBe(404)
    }
  })

  it('hands off once, at its own tenant only; the session is capped and its end is audited', async () => {
    const { token } = await asConsole((scope) => prepareImpersonation(scope, { tenantId: a.id, userId: a.ownerId, ...grant }, superuser()))
    expect((await failure(withTenant({ tenantId: b.id }, (tx) => redeemHandoff(tx, b.id, token)))).status).toBe(410)
    const handoff = await withTenant({ tenantId: a.id }, (tx) => redeemHandoff(tx, a.id, token))
    expect(handoff).toMatchObject({ userId: a.ownerId, impersonatorId: rootId, reason: grant.reason, minutes: 30 })
    expect((await failure(withTenant({ tenantId: a.id }, (tx) => redeemHandoff(tx, a.id, token)))).status).toBe(410)

    const [session] = await withTenant({ tenantId: a.id }, (tx) =>
      tx
        .insert(sessions)
        .values({ tenantId: a.id, userId: a.ownerId, token: randomUUID(), expiresAt: sql`now() + interval '30 minutes'`, impersonatorId: rootId })
        .returning(),
    )
    if (!session) throw new Error('no session')
    await withTenant({ tenantId: a.id }, (tx) =>
      tx.update(sessions).set({ expiresAt: sql`now() + interval '7 days'`, impersonatorId: null }).where(and(eq(sessions.tenantId, a.id), eq(sessions.id, session.id))),
    )
    const [capped] = await t.owner.db.select().from(sessions).where(eq(sessions.id, session.id))
    expect(capped?.impersonatorId).toBe(rootId)
    expect(capped?.expiresAt.getTime()).toBeLessThanOrEqual(session.expiresAt.getTime())

    const requestId = `stop-${randomUUID().slice(0, 8)}`
    await withTenant({ tenantId: a.id, requestId }, (tx) => tx.delete(sessions).where(and(eq(sessions.tenantId, a.id), eq(sessions.id, session.id))))
    const ended = (await eventsOf(a.id, requestId)).find((e) => e.action === 'IMPERSONATION_ENDED')
    expect(ended?.newValues).toMatchObject({ reason: 'stopped', impersonatorId: rootId })
  })

  it('records an impersonation that ran out as expired when its session is next seen, even by a request that fails', async () => {
    const token = randomUUID()
    const [session] = await withTenant({ tenantId: a.id }, (tx) =>
      tx
        .insert(sessions)
        .values({ tenantId: a.id, userId: a.ownerId, token, expiresAt: sql`now() - interval '1 minute'`, impersonatorId: rootId })
        .returning(),
    )
    const signed = `${token}.${await makeSignature(token, config().authSecret)}`
    const headers = new Headers({ cookie: `haven.session_token=${encodeURIComponent(signed)}` })
    const requestId = `expired-${randomUUID().slice(0, 8)}`
    // The request the person makes next is refused (the session is over), and its transaction rolls back.
    const refused = await failure(
      withTenantSession({ tenantId: a.id, requestId }, async (_tx, caller) => {
        expect(caller).toBeNull()
        throw unauthorized()
      }, headers),
    )
    expect(refused.status).toBe(401)
    expect(await t.owner.db.select().from(sessions).where(eq(sessions.id, session?.id ?? ''))).toHaveLength(0)
    const ended = (await eventsOf(a.id, requestId)).filter((e) => e.action === 'IMPERSONATION_ENDED')
    expect(ended.map((e) => e.newValues)).toEqual([expect.objectContaining({ reason: 'expired', impersonatorId: rootId, userId: a.ownerId })])
    // Nobody was signed in when it ran out, and still the row names the person and the operator as its actors.
    expect(ended.map((e) => [e.userId, e.impersonatorId, e.tenantId])).toEqual([[a.ownerId, rootId, a.id]])
  })

  it('an impersonated admin, who may invite, add, restore, reactivate and grant, still cannot: 403 impersonating and nothing written', async () => {
    const c = await createTestTenant()
    await t.owner.db.update(tenants).set({ settings: { allowImpersonation: true } }).where(eq(tenants.id, c.tenant.id))
    const tenantRef = { id: c.tenant.id, slug: c.tenant.slug }
    const [adminRole] = await t.owner.db
      .select({ id: roles.id })
      .from(roles)
      .where(and(eq(roles.tenantId, c.tenant.id), eq(roles.systemKey, 'admin')))
    const admin = await withTenant({ tenantId: c.tenant.id }, (tx) =>
      createUser(tx, { tenantId: c.tenant.id, email: `admin@${c.tenant.slug}.test`, fullName: 'Ada Admin', roleIds: [adminRole?.id ?? ''] }),
    )
    // A pending invitation from the owner, not impersonated: the same call goes through for them.
    const owner = { tenant: tenantRef, userId: c.owner.id, permissions: PERMISSION_KEYS, impersonatorId: null }
    const pending = await withTenant({ tenantId: c.tenant.id, userId: c.owner.id }, (tx) =>
      invitePerson(tx, owner, { email: `pending@${c.tenant.slug}.test`, fullName: '', roleId: null, replace: false }),
    )
    // People an account could come back to (one of them may be the operator's old address), and one to raise.
    const person = (name: string) =>
      withTenant({ tenantId: c.tenant.id }, (tx) => createUser(tx, { tenantId: c.tenant.id, email: `${name}@${c.tenant.slug}.test`, fullName: name }))
    const gone = await person('gone')
    const off = await person('off')
    const plain = await person('plain')
    await t.owner.db.update(users).set({ isDeleted: true, deletedAt: sql`now()` }).where(eq(users.id, gone.id))
    await t.owner.db.update(users).set({ isActive: false }).where(eq(users.id, off.id))
    const adminRoleId = adminRole?.id ?? ''
    // A custom role without permissions: adding one would raise whoever holds it.
    const [helpers] = await t.owner.db.insert(roles).values({ tenantId: c.tenant.id, name: 'Helpers' }).returning({ id: roles.id })
    const { headers } = await impersonationSession(c.tenant.id, admin.id)
    const invitee = `new@${c.tenant.slug}.test`
    const attempts: Record<string, (tx: Tx, actor: Actor) => Promise<unknown>> = {
      invite: (tx, actor) => invitePerson(tx, actor, { email: invitee, fullName: 'New Person', roleId: null, replace: false }),
      'create with a password': (tx, actor) =>
        addPerson(tx, actor, { email: invitee, fullName: 'New Person', password: 'a-door-for-later-1', roleIds: [], metadata: {} }),
      // Without a password the operator would ask for a reset link at their own address after the impersonation.
      'create without a password': (tx, actor) =>
        addPerson(tx, actor, { email: invitee, fullName: 'New Person', password: undefined, roleIds: [], metadata: {} }),
      'resend an invitation': (tx, actor) => resendInvitation(tx, actor, pending.id),
      'show an invitation link': (tx, actor) => pendingInvitationLink(tx, actor, pending.id),
      'restore a person from the trash': (tx, actor) => restoreItem(tx, 'user', gone.id, actor.permissions, actor),
      'reactivate a person': (tx, actor) => reactivatePerson(tx, off.id, actor),
      'grant a role': (tx, actor) => replaceUserRoles(tx, { tenantId: c.tenant.id, permissions: actor.permissions, caller: actor }, plain.id, [adminRoleId]),
      'add a permission to a role': (tx, actor) =>
        applyPermissionMatrix(tx, { tenantId: c.tenant.id, userId: actor.userId, permissions: actor.permissions, impersonatorId: actor.impersonatorId }, [
          { id: helpers?.id ?? '', permissions: ['users:read'] },
        ]),
      'grant a role to many': (tx, actor) =>
        applyBulk(tx, { tenantId: c.tenant.id, userId: actor.userId, permissions: actor.permissions, impersonatorId: actor.impersonatorId }, { action: 'assignRole', ids: [plain.id], roleId: adminRoleId }),
    }
    for (const [what, attempt] of Object.entries(attempts)) {
      const requestId = `lasting-${randomUUID().slice(0, 8)}`
      const refused = await failure(
        withTenantSession(
          { tenantId: c.tenant.id, requestId },
          (tx, caller) => {
            if (!caller) throw new Error('no caller')
            // The refusal is about the impersonation, not a missing permission: the person holds it.
            expect(caller.permissions).toContain('users:write')
            expect(caller.impersonatorId).toBe(rootId)
            return attempt(tx, { tenant: tenantRef, userId: caller.user.id, permissions: caller.permissions, impersonatorId: caller.impersonatorId })
          },
          headers,
        ),
      )
      expect(refused, what).toMatchObject({ status: 403, code: 'impersonating' })
      expect(english(refused.message), what).toMatch(/^Not possible while impersonating/)
      expect((await eventsOf(c.tenant.id, requestId)).map((e) => `${e.action} ${e.tableName}`), what).toEqual([])
    }
    // Nothing written: no person, no invitation to the new address, the pending one as it was (no new link).
    expect(await t.owner.db.select().from(users).where(and(eq(users.tenantId, c.tenant.id), eq(users.email, invitee)))).toHaveLength(0)
    const left = await t.owner.db.select().from(invitations).where(eq(invitations.tenantId, c.tenant.id))
    expect(left.map((i) => [i.id, i.email, i.status])).toEqual([[pending.id, `pending@${c.tenant.slug}.test`, 'pending']])
    const states = await t.owner.db.select({ id: users.id, isDeleted: users.isDeleted, isActive: users.isActive }).from(users).where(eq(users.tenantId, c.tenant.id))
    expect(states.find((u) => u.id === gone.id)?.isDeleted).toBe(true)
    expect(states.find((u) => u.id === off.id)?.isActive).toBe(false)
    expect(await t.owner.db.select().from(userRoles).where(and(eq(userRoles.tenantId, c.tenant.id), eq(userRoles.userId, plain.id)))).toHaveLength(0)
    expect(await t.owner.db.select().from(rolePermissions).where(and(eq(rolePermissions.tenantId, c.tenant.id), eq(rolePermissions.roleId, helpers?.id ?? '')))).toHaveLength(0)
  })

  it('a change made while impersonating is the person’s, by the operator, in the tenant’s own audit viewer', async () => {
    const c = await tenant()
    const { headers } = await impersonationSession(c.id, c.ownerId)
    const requestId = `as-${randomUUID().slice(0, 8)}`
    // The path every tenant request takes: the session read makes the person the actor and the operator the impersonator.
    await withTenantSession(
      { tenantId: c.id, requestId },
      async (tx, caller) => {
        expect(caller?.impersonatorId).toBe(rootId)
        const details = JSON.stringify({ reason: grant.reason, minutes: 30, operatorName: 'Root Operator', operatorEmail: 'root@haven.test' })
        await tx.execute(sql`select haven_audit_event('IMPERSONATION_STARTED', 'users', ${c.ownerId}::uuid, ${details}::jsonb)`)
        await tx.update(users).set({ fullName: 'Olga Owner' }).where(and(eq(users.tenantId, c.id), eq(users.id, c.ownerId)))
      },
      headers,
    )
    const page = await withTenant({ tenantId: c.id, userId: c.ownerId }, (tx) => listAuditEvents(tx, c.id, listAuditSchema.parse({ requestId })))
    const change = page.items.find((e) => e.action === 'UPDATE' && e.tableName === 'users')
    expect(change?.actor).toMatchObject({ id: c.ownerId, name: 'Olga Owner' })
    expect(change?.impersonator).toMatchObject({ id: rootId, email: 'root@haven.test' })
    expect(english(change?.impersonator?.name)).toBe('Root Operator (console)')
  })

  it('suspending or deleting the tenant ends its impersonations with an event naming person, operator and tenant', async () => {
    const c = await tenant()
    const first = await impersonationSession(c.id, c.ownerId)
    await asConsole((scope) => suspend(scope, c.id, 'Chargeback'))
    await asConsole((scope) => reactivate(scope, c.id))
    const second = await impersonationSession(c.id, c.ownerId)
    await asConsole((scope) => softDelete(scope, c.id, rootId))

    const ends = await endsOf(c.id)
    expect(ends.map((e) => [e.recordId, e.userId, e.impersonatorId, (e.newValues as { reason?: string }).reason])).toEqual(
      expect.arrayContaining([
        [first.session.id, c.ownerId, rootId, 'tenant_suspended'],
        [second.session.id, c.ownerId, rootId, 'tenant_deleted'],
      ]),
    )
    expect(ends).toHaveLength(2)
    for (const e of ends) expect(e.newValues).toMatchObject({ operatorName: 'Root Operator', impersonatorId: rootId, userId: c.ownerId })
    // Not in the console's own log: the end belongs to the tenant whose session it was.
    expect((await endsOf(consoleId)).filter((e) => e.userId === c.ownerId)).toHaveLength(0)
    // Read in words, each end says why it ended.
    const described = (await asConsole(({ tx }) => findAuditEvents(tx, { tenantId: c.id }, 100))).items.filter((e) => e.action === 'IMPERSONATION_ENDED')
    expect(described.map((e) => english(e.summary)).sort()).toEqual([
      'impersonation ended (the workspace was deleted)',
      'impersonation ended (the workspace was suspended)',
    ])
  })

  it('withdrawing consent ends the running impersonations at once, in the same transaction, and says why', async () => {
    const c = await tenant()
    await t.owner.db.update(tenants).set({ settings: { allowImpersonation: true } }).where(eq(tenants.id, c.id))
    const [plain] = await withTenant({ tenantId: c.id }, (tx) =>
      tx.insert(sessions).values({ tenantId: c.id, userId: c.ownerId, token: randomUUID(), expiresAt: sql`now() + interval '1 day'` }).returning(),
    )
    const running = await impersonationSession(c.id, c.ownerId)
    const off = updateSettingsSchema.parse({ settings: { allowImpersonation: false } })
    const left = async () => (await t.owner.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.tenantId, c.id))).map((r) => r.id).sort()

    // A request that fails after the change rolls the end back with it: both or neither.
    await expect(
      withTenant({ tenantId: c.id, userId: c.ownerId }, async (tx) => {
        await updateSettings(tx, c.id, off)
        throw new Error('later failure')
      }),
    ).rejects.toThrow('later failure')
    expect(await left()).toEqual([plain?.id, running.session.id].sort())

    const requestId = `consent-${randomUUID().slice(0, 8)}`
    await withTenant({ tenantId: c.id, userId: c.ownerId, requestId }, (tx) => updateSettings(tx, c.id, off))
    expect(await left()).toEqual([plain?.id])
    const ends = (await eventsOf(c.id, requestId)).filter((e) => e.action === 'IMPERSONATION_ENDED')
    expect(ends.map((e) => [e.recordId, e.userId, e.impersonatorId, (e.newValues as { reason?: string }).reason])).toEqual([
      [running.session.id, c.ownerId, rootId, 'consent_withdrawn'],
    ])
    expect(ends[0]?.newValues).toMatchObject({ operatorName: 'Root Operator' })
    const described = (await asConsole(({ tx }) => findAuditEvents(tx, { tenantId: c.id }, 100))).items.filter((e) => e.action === 'IMPERSONATION_ENDED')
    expect(described.map((e) => english(e.summary))).toEqual(['impersonation ended (the workspace withdrew its consent)'])
    expect(described.map((e) => translateRef(i18nFor('de'), e.summary))).toEqual(['Identitätswechsel beendet (der Arbeitsbereich hat seine Zustimmung zurückgezogen)'])
  })

  it('the scheduled sweep ends impersonations that ran out with a closed tab, each logged once whoever sees it first', async () => {
    const c = await tenant()
    setAuditOwnerDatabase(t.owner.db)
    try {
      const past = sql`now() - interval '1 minute'`
      const closedTab = await impersonationSession(c.id, c.ownerId, past)
      const cameBack = await impersonationSession(c.id, c.ownerId, past)
      const running = await impersonationSession(c.id, c.ownerId)
      const [plainExpired] = await withTenant({ tenantId: c.id }, (tx) =>
        tx.insert(sessions).values({ tenantId: c.id, userId: c.ownerId, token: randomUUID(), expiresAt: past }).returning(),
      )
      // The browser of one comes back first: better-auth removes its session and the end is logged then.
      await withTenantSession({ tenantId: c.id, requestId: `back-${randomUUID().slice(0, 8)}` }, async (_tx, caller) => expect(caller).toBeNull(), cameBack.headers)

      expect(await endExpiredImpersonations()).toBeGreaterThanOrEqual(1)
      expect(await endExpiredImpersonations()).toBe(0)
      const left = (await t.owner.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.tenantId, c.id))).map((r) => r.id).sort()
      // Only impersonations are the sweep's: an ordinary expired session waits for better-auth as before.
      expect(left).toEqual([running.session.id, plainExpired?.id].sort())
      const ends = await endsOf(c.id)
      expect(ends.map((e) => [e.recordId, e.userId, e.impersonatorId, (e.newValues as { reason?: string }).reason]).sort()).toEqual(
        [
          [closedTab.session.id, c.ownerId, rootId, 'expired'],
          [cameBack.session.id, c.ownerId, rootId, 'expired'],
        ].sort(),
      )
      expect(ends.find((e) => e.recordId === closedTab.session.id)?.requestId).toBe('impersonation-sweep')
    } finally {
      setAuditOwnerDatabase(undefined)
    }
  })

  it('a session refresh is no audit event; a real change of a session still is', async () => {
    const c = await tenant()
    const plain = await withTenant({ tenantId: c.id }, (tx) =>
      tx.insert(sessions).values({ tenantId: c.id, userId: c.ownerId, token: randomUUID(), expiresAt: sql`now() + interval '1 day'` }).returning(),
    )
    const impersonating = await impersonationSession(c.id, c.ownerId)
    const requestId = `refresh-${randomUUID().slice(0, 8)}`
    await withTenant({ tenantId: c.id, requestId }, async (tx) => {
      // What better-auth's daily refresh writes: a later expiry (the cap keeps an impersonation's as it was).
      for (const id of [plain[0]?.id ?? '', impersonating.session.id]) {
        await tx.update(sessions).set({ expiresAt: sql`now() + interval '7 days'` }).where(and(eq(sessions.tenantId, c.id), eq(sessions.id, id)))
      }
    })
    expect(await eventsOf(c.id, requestId)).toHaveLength(0)
    const changed = `agent-${randomUUID().slice(0, 8)}`
    await withTenant({ tenantId: c.id, requestId: changed }, (tx) =>
      tx.update(sessions).set({ userAgent: 'Other browser' }).where(and(eq(sessions.tenantId, c.id), eq(sessions.id, plain[0]?.id ?? ''))),
    )
    expect((await eventsOf(c.id, changed)).map((e) => `${e.action} ${e.tableName}`)).toEqual(['UPDATE sessions'])
  })
})
