import { randomUUID } from 'node:crypto'
import { get } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { and, eq, sql } from 'drizzle-orm'
import { serve } from 'srvx/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { config } from '../../app.config'
import { acceptInvitation, createInvitation, signInWithPassword } from '~/features/auth/auth.server'
import { auth } from '~/server/auth.server'
import { auditActors, auditRetention, getAuditEvent, listAuditEvents } from '~/features/audit/audit.server'
import { updateSettingsSchema } from '~/features/settings/settings.schemas'
import { updateSettings } from '~/features/settings/settings.server'
import { auditFilterSchema, type ListAuditInput, listAuditSchema } from '~/features/audit/audit.schemas'
import { entityLink, fieldChanges, valueWords } from '~/features/audit/describe'
import { input } from '~/lib/validate'
import { CSV_COLUMNS, auditExportStream, countAuditEvents, recordExport } from '~/features/audit/export.server'
import { describeReport, runRetention, sealPending, setAuditOwnerDatabase, verifyTenant } from '~/features/audit/chain.server'
import { createUser } from '~/features/users/users.server'
import { HttpError } from '~/lib/errors'
import { rowsOf, type Tx } from '~/server/db/client.server'
import { accounts, auditLog, categories, invitations, sessions, teams, tenants, userRoles, userTeamLinks, users, verifications } from '~/server/db/schema'
import { setActor, type TenantContext, withTenant } from '~/server/db/scope.server'
import { openTestDatabase, type TestDatabase } from '../support/db'
import { english, inEnglish } from '../support/errors'
import { i18nFor, translateRef } from '~/lib/i18n'
import { logRequest, requestEntry, requestIdFrom } from '~/server/request-log.server'
import { createTenantWithData, type TenantData, unique } from '../support/tenant-data'
import { TEST_PASSWORD } from '../support/fixtures'
import { capturedStatements } from '../support/statement-capture'

let t: TestDatabase
let a: TenantData
let b: TenantData

beforeAll(async () => {
  t = await openTestDatabase()
  setAuditOwnerDatabase(t.owner.db)
  a = await createTenantWithData()
  b = await createTenantWithData()
}, 60_000)
afterAll(async () => {
  setAuditOwnerDatabase(undefined)
  await t.close()
})

const ctx = (f: TenantData, extra: Partial<TenantContext> = {}): TenantContext => ({
  tenantId: f.tenantId,
  userId: f.ownerId,
  ip: '198.51.100.1',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  requestId: unique('req'),
  ...extra,
})
const as = <T>(f: TenantData, work: (tx: Tx) => Promise<T>, extra: Partial<TenantContext> = {}) => withTenant(ctx(f, extra), work)

const list = (f: TenantData, filter: Partial<ListAuditInput> = {}) =>
  as(f, (tx) => listAuditEvents(tx, f.tenantId, { pageSize: 100, ...filter }))

/** Every event of a filter, page by page. */
async function all(f: TenantData, filter: Partial<ListAuditInput> = {}) {
  const items = []
  let cursor: string | undefined
  for (;;) {
    const page = await list(f, { ...filter, cursor })
    items.push(...page.items)
    if (!page.nextCursor) return items
    cursor = page.nextCursor
  }
}

async function expectNotFound(work: Promise<unknown>) {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(HttpError)
  expect((error as HttpError).status).toBe(404)
}

describe('the viewer query', () => {
  it('describes events in words, newest first, with the actor as they were', async () => {
    const requestId = unique('rename')
    await as(a, (tx) => tx.update(teams).set({ name: 'Web' }).where(and(eq(teams.tenantId, a.tenantId), eq(teams.id, a.teamId))))
    await as(a, (tx) => tx.update(teams).set({ name: 'Web Platform' }).where(and(eq(teams.tenantId, a.tenantId), eq(teams.id, a.teamId))), { requestId })
    const { items } = await list(a, { requestId })
    expect(items).toHaveLength(1)
    const [event] = items
    expect(event).toMatchObject({ action: 'UPDATE', tableName: 'teams', entityExists: true })
    expect(english(event?.summary)).toBe('changed name of team Web')
    expect(translateRef(i18nFor('de'), event?.summary ?? '')).toBe('hat Name von Team Web geändert')
    expect(event?.actor?.name).toMatch(/^Owner of /)
    expect(event?.changes).toEqual([expect.objectContaining({ path: 'name', from: 'Web', to: 'Web Platform' })])
    expect(event?.changes.map((c) => english(c.label))).toEqual(['name'])
    const newest = await list(a, { pageSize: 5 })
    const times = newest.items.map((i) => i.createdAt)
    expect([...times].sort().reverse()).toEqual(times)
  })

  it('says "moved category … from … to …" when a category changes parent, and names created people and granted roles', async () => {
    const requestId = unique('move')
    const [laptops] = await as(a, (tx) => tx.insert(categories).values({ tenantId: a.tenantId, name: 'Laptops', parentId: a.rootCategoryId }).returning())
    if (!laptops) throw new Error('no category')
    await as(a, (tx) => tx.update(categories).set({ parentId: a.childCategoryId }).where(and(eq(categories.tenantId, a.tenantId), eq(categories.id, laptops.id))), { requestId })
    const moved = await list(a, { requestId })
    expect(moved.items.map((i) => english(i.summary))).toContain('moved category Laptops from Root to Child')
    // With a subtree: the categories below follow (their paths change), and only the move itself is shown.
    const [gaming] = await as(a, (tx) => tx.insert(categories).values({ tenantId: a.tenantId, name: 'Gaming', parentId: laptops.id }).returning())
    if (!gaming) throw new Error('no category')
    await as(a, (tx) => tx.insert(categories).values({ tenantId: a.tenantId, name: 'Ultrabooks', parentId: gaming.id }).returning())
    const subtree = unique('move-subtree')
    await as(a, (tx) => tx.update(categories).set({ parentId: a.rootCategoryId }).where(and(eq(categories.tenantId, a.tenantId), eq(categories.id, laptops.id))), {
      requestId: subtree,
    })
    expect((await list(a, { requestId: subtree })).items.map((i) => english(i.summary))).toEqual(['moved category Laptops from Child to Root'])
    expect(await as(a, (tx) => countAuditEvents(tx, a.tenantId, { requestId: subtree }))).toBe(1)

    const personRequest = unique('person')
    const ada = await as(a, (tx) => createUser(tx, { tenantId: a.tenantId, email: `${unique('ada')}@example.test`, fullName: 'Ada Rossi' }), { requestId: personRequest })
    await as(a, (tx) => tx.insert(userRoles).values({ tenantId: a.tenantId, userId: ada.id, roleId: a.roleIds.admin }), { requestId: personRequest })
    const summaries = (await list(a, { requestId: personRequest })).items.map((i) => english(i.summary))
    expect(summaries).toContain('created person Ada Rossi')
    expect(summaries).toContain('granted role Admin to Ada Rossi')
    // A system role is named in the reader's language; the person keeps their own name.
    await as(a, (tx) => tx.insert(userRoles).values({ tenantId: a.tenantId, userId: ada.id, roleId: a.roleIds.member }), { requestId: personRequest })
    const german = (await list(a, { requestId: personRequest })).items.map((i) => translateRef(i18nFor('de'), i.summary))
    expect(german).toContain('hat Ada Rossi die Rolle Mitglied gegeben')
  })

  it('applies every filter, alone and together', async () => {
    const impersonator = randomUUID()
    const ip = '203.0.113.99'
    const requestId = unique('filters')
    await as(a, (tx) => tx.update(teams).set({ description: unique('d') }).where(and(eq(teams.tenantId, a.tenantId), eq(teams.id, a.emptyTeamId))), {
      userId: a.freeUserId,
      impersonatorId: impersonator,
      ip,
      requestId,
    })
    const mine = await all(a, { actor: a.freeUserId })
    expect(mine.length).toBeGreaterThan(0)
    expect(mine.every((i) => i.actor?.id === a.freeUserId)).toBe(true)
    expect((await all(a, { ip })).map((i) => i.recordId)).toEqual([a.emptyTeamId])
    expect((await all(a, { requestId })).map((i) => i.recordId)).toEqual([a.emptyTeamId])
    const impersonated = await all(a, { impersonated: true })
    expect(impersonated.map((i) => i.requestId)).toEqual([requestId])
    expect(impersonated[0]?.impersonator?.id).toBe(impersonator)
    const updatesOfTeams = await all(a, { entity: 'teams', action: 'UPDATE' })
    expect(updatesOfTeams.length).toBeGreaterThanOrEqual(3)
    expect(updatesOfTeams.every((i) => i.tableName === 'teams' && i.action === 'UPDATE')).toBe(true)
    const record = await all(a, { entity: 'teams', record: a.emptyTeamId })
    expect(record.map((i) => i.action).sort()).toEqual(['CREATE', 'UPDATE'])
    const creates = await all(a, { action: 'CREATE', entity: 'categories' })
    expect(creates.every((i) => i.action === 'CREATE' && i.tableName === 'categories')).toBe(true)
    const future = new Date(Date.now() + 3_600_000).toISOString()
    expect(await all(a, { from: future })).toEqual([])
    const everything = await all(a)
    expect(await all(a, { to: future })).toHaveLength(everything.length)
    expect(await all(a, { to: new Date(0).toISOString() })).toEqual([])
    expect(await all(a, { actor: a.freeUserId, ip, entity: 'teams', action: 'UPDATE', impersonated: true, requestId })).toHaveLength(1)
  })

  it('a record\'s history with its links: role grants and memberships on the person, the role, the team; teams on the organization', async () => {
    const requestId = unique('links')
    await as(a, (tx) => tx.insert(userRoles).values({ tenantId: a.tenantId, userId: a.freeUserId, roleId: a.freeRoleId }), { requestId })
    await as(a, (tx) => tx.insert(userTeamLinks).values({ tenantId: a.tenantId, userId: a.freeUserId, teamId: a.emptyTeamId, role: 'member' }), { requestId })
    const history = (entity: ListAuditInput['entity'], record: string, related = true) =>
      all(a, { entity, record, related }).then((items) => items.filter((i) => i.requestId === requestId).map((i) => i.tableName).sort())
    expect(await history('users', a.freeUserId)).toEqual(['user_roles', 'user_team_links'])
    expect(await history('users', a.freeUserId, false)).toEqual([])
    expect(await history('roles', a.freeRoleId)).toEqual(['user_roles'])
    expect(await history('teams', a.emptyTeamId)).toEqual(['user_team_links'])
    // Someone else's links stay out, and so do the record's namesakes of another kind.
    expect(await history('users', a.ownerId)).toEqual([])
    const person = await all(a, { entity: 'users', record: a.freeUserId, related: true })
    expect(person.map((i) => english(i.summary))).toContainEqual(expect.stringMatching(/^granted role Unassigned-\S+ to Free User$/))
    expect(person.some((i) => i.tableName === 'users' && i.action === 'CREATE')).toBe(true)
    const [team] = await as(a, (tx) => tx.select().from(teams).where(and(eq(teams.tenantId, a.tenantId), eq(teams.id, a.emptyTeamId))))
    const orgHistory = await all(a, { entity: 'organizations', record: team?.organizationId ?? '', related: true })
    expect(orgHistory.map((i) => [i.tableName, i.recordId])).toContainEqual(['teams', a.emptyTeamId])
    // The other tenant sees none of it through the same ids.
    expect(await all(b, { entity: 'users', record: a.freeUserId, related: true })).toEqual([])
  })

  it('keeps pages stable while new events arrive (keyset)', async () => {
    const before = await all(a)
    const first = await list(a, { pageSize: 5 })
    for (let i = 0; i < 7; i++) {
      await as(a, (tx) => tx.update(teams).set({ description: `churn ${i}` }).where(and(eq(teams.tenantId, a.tenantId), eq(teams.id, a.teamId))))
    }
    const seen = [...first.items]
    let cursor = first.nextCursor
    while (cursor) {
      const page = await list(a, { pageSize: 5, cursor })
      seen.push(...page.items)
      cursor = page.nextCursor
    }
    expect(seen.map((i) => i.id)).toEqual(before.map((i) => i.id))
    // A damaged page link is refused with a reason rather than silently showing page 1 (decision 014).
    await expect(list(a, { pageSize: 5, cursor: 'not-a-cursor' })).rejects.toMatchObject({ status: 400, code: 'invalid_cursor' })
  })

  it('shows secrets as redacted and hides bookkeeping in the diff', async () => {
    const token = unique('secret-token')
    const requestId = unique('session')
    const [session] = await as(a, (tx) =>
      tx.insert(sessions).values({ tenantId: a.tenantId, userId: a.ownerId, token, expiresAt: new Date(Date.now() + 86_400_000), userAgent: 'one' }).returning(),
    )
    if (!session) throw new Error('no session')
    await as(a, (tx) => tx.update(sessions).set({ token: unique('rotated'), userAgent: 'two' }).where(and(eq(sessions.tenantId, a.tenantId), eq(sessions.id, session.id))), { requestId })
    const [update] = (await list(a, { requestId })).items
    expect(update?.changes.map((c) => c.path)).toEqual(['user_agent'])
    const detail = await as(a, (tx) => getAuditEvent(tx, a.tenantId, update?.id ?? ''))
    expect(detail.newValues?.token).toBe('[redacted]')
    expect(JSON.stringify(detail)).not.toContain(token)
    expect(JSON.stringify(await all(a, { entity: 'sessions' }))).not.toContain(token)
  })

  it('names what people changed in their words: no derived keys, names for ids, in either language', async () => {
    const requestId = unique('rename-category')
    const [shelf] = await as(a, (tx) => tx.insert(categories).values({ tenantId: a.tenantId, name: 'Shelf', parentId: a.rootCategoryId }).returning())
    if (!shelf) throw new Error('no category')
    const where = and(eq(categories.tenantId, a.tenantId), eq(categories.id, shelf.id))
    await as(a, (tx) => tx.update(categories).set({ name: 'Shelves' }).where(where), { requestId })
    const [rename] = (await list(a, { requestId })).items
    expect(english(rename?.summary)).toBe('changed name of category Shelf')
    expect(rename?.changes.map((c) => c.path)).toEqual(['name'])
    const both = unique('name-and-description')
    await as(a, (tx) => tx.update(categories).set({ name: 'Racks', description: 'Metal' }).where(where), { requestId: both })
    const [twoFields] = (await list(a, { requestId: both })).items
    expect(english(twoFields?.summary)).toBe('changed name and description of category Shelves')
    expect(translateRef(i18nFor('de'), twoFields?.summary ?? '')).toBe('hat Name und Beschreibung von Kategorie Shelves geändert')
    // Moved to the trash: the person who did it is named, not their id.
    const trash = unique('trash')
    await as(a, (tx) => tx.update(categories).set({ isDeleted: true, deletedAt: new Date(), deletedById: a.ownerId }).where(where), { requestId: trash })
    const [trashed] = (await list(a, { requestId: trash })).items
    expect(english(trashed?.summary)).toBe('deleted category Racks (moved to the trash)')
    const deletedBy = trashed?.changes.find((c) => c.path === 'deleted_by_id')
    expect(english(deletedBy?.label)).toBe('deleted by')
    expect(trashed?.names[a.ownerId]?.name).toMatch(/^Owner of /)
  })

  it('a changed secret (a password) is said so, although both sides are stored redacted', async () => {
    const requestId = unique('password')
    await as(
      a,
      (tx) => tx.update(accounts).set({ password: `hash-${randomUUID()}` }).where(and(eq(accounts.tenantId, a.tenantId), eq(accounts.userId, a.ownerId))),
      { requestId },
    )
    const items = await all(a, { requestId })
    expect(items.map((i) => english(i.summary)).sort()).toEqual([
      'changed a hidden value (such as a password) of sign-in method',
      expect.stringMatching(/^set a new password for Owner of /),
    ])
  })

  it('folds the sign-in time into the sign-in event: one "signed in", no bookkeeping row', async () => {
    const requestId = unique('sign-in')
    await as(
      a,
      async (tx) => {
        await tx.update(users).set({ lastSignInAt: sql`now()` }).where(and(eq(users.tenantId, a.tenantId), eq(users.id, a.freeUserId)))
        await tx.execute(sql`select haven_audit_event('SIGN_IN', 'users', ${a.freeUserId}::uuid, '{"method":"password"}'::jsonb)`)
      },
      { userId: a.freeUserId, requestId },
    )
    const items = await all(a, { requestId })
    expect(items.map((i) => [i.action, english(i.summary)])).toEqual([['SIGN_IN', 'signed in']])
    // Its detail: the method in words, and no "before" side (the detail shows a column only for a side it has).
    const detail = await as(a, (tx) => getAuditEvent(tx, a.tenantId, items[0]?.id ?? ''))
    expect(detail.oldValues).toBeNull()
    const shown = fieldChanges(detail.oldValues, detail.newValues, { all: true })
    expect(shown.map((c) => [english(c.label), translateRef(i18nFor('de'), c.label), c.to])).toEqual([['sign-in method', 'Anmeldemethode', 'password']])
    expect(await as(a, (tx) => countAuditEvents(tx, a.tenantId, { requestId }))).toBe(1)
    // A real change of the person in the same request is still shown.
    const renamed = unique('rename-at-sign-in')
    await as(a, (tx) => tx.update(users).set({ lastSignInAt: sql`now()`, fullName: unique('Renamed') }).where(and(eq(users.tenantId, a.tenantId), eq(users.id, a.freeUserId))), {
      requestId: renamed,
    })
    expect((await all(a, { requestId: renamed })).map((i) => i.action)).toEqual(['UPDATE'])
  })

  it("folds a session's start into the event of its request that says it: a sign-in, an accepted invitation, an impersonation", async () => {
    const f = await createTenantWithData()
    const headers = new Headers({ host: `${f.slug}.${config().rootDomain}` })
    const said = async (requestId: string) => (await all(f, { requestId })).map((i) => english(i.summary))
    const [free] = await as(f, (tx) => tx.select({ email: users.email }).from(users).where(and(eq(users.tenantId, f.tenantId), eq(users.id, f.freeUserId))))
    if (!free) throw new Error('no free user')

    // A password sign-in: better-auth's session row (written before the person is known, so the system's) is folded.
    const signIn = unique('sign-in')
    await signInWithPassword(
      { tenantId: f.tenantId, ip: '198.51.100.7', userAgent: 'vitest', requestId: signIn },
      { email: free.email, password: TEST_PASSWORD, rememberMe: false, headers, requireSuperuser: false },
    )
    expect(await said(signIn)).toEqual(['signed in'])
    expect(await as(f, (tx) => countAuditEvents(tx, f.tenantId, { requestId: signIn }))).toBe(1)
    // It stays in the log (and so in the chain).
    const kept = await t.owner.db
      .select({ userId: auditLog.userId })
      .from(auditLog)
      .where(and(eq(auditLog.tenantId, f.tenantId), eq(auditLog.requestId, signIn), eq(auditLog.tableName, 'sessions'), eq(auditLog.action, 'CREATE')))
    expect(kept).toEqual([{ userId: null }])

    // Accepting an invitation signs the new person in, as the server function does, in the same request.
    const email = `${unique('joiner')}@example.test`
    const { token } = await as(f, (tx) => createInvitation(tx, { tenantId: f.tenantId, email, fullName: 'Jo Joiner', roleId: null, invitedById: f.ownerId }))
    const accept = unique('accept')
    await withTenant({ tenantId: f.tenantId, requestId: accept }, async (tx) => {
      await acceptInvitation(tx, { tenantId: f.tenantId, token, fullName: 'Jo Joiner', password: 'joiner-password-1' })
      await auth().api.signInEmail({ body: { email, password: 'joiner-password-1', rememberMe: true }, headers })
    })
    const accepted = await said(accept)
    expect(accepted).toContain('accepted an invitation and signed in')
    expect(accepted.filter((s) => s.includes('session'))).toEqual([])

    // An impersonation's handoff, as redeemImpersonation does it: the session is the person's, by the operator.
    const operator = randomUUID()
    const handoff = unique('handoff')
    await withTenant({ tenantId: f.tenantId, requestId: handoff }, async (tx) => {
      await setActor(tx, f.freeUserId, operator)
      await auth().api.createHavenSession({
        body: { userId: f.freeUserId, impersonatorId: operator, impersonatorName: 'Root Operator', impersonationReason: 'Ticket 7', expiresInSeconds: 600 },
        headers,
      })
      const details = JSON.stringify({ reason: 'Ticket 7', minutes: 10, operatorName: 'Root Operator', operatorEmail: 'root@haven.test' })
      await tx.execute(sql`select haven_audit_event('IMPERSONATION_STARTED', 'users', ${f.freeUserId}::uuid, ${details}::jsonb)`)
    })
    expect(await said(handoff)).toEqual(['started impersonating Free User (Ticket 7)'])

    // A session started with no such event in its request still shows, and so does one of another person.
    const bare = unique('bare-session')
    await as(f, (tx) => tx.insert(sessions).values({ tenantId: f.tenantId, userId: f.freeUserId, token: unique('token'), expiresAt: new Date(Date.now() + 60_000) }), {
      requestId: bare,
    })
    expect(await said(bare)).toEqual(['started a session for Free User'])
    const other = unique('other-session')
    await as(
      f,
      async (tx) => {
        await tx.insert(sessions).values({ tenantId: f.tenantId, userId: f.ownerId, token: unique('token'), expiresAt: new Date(Date.now() + 60_000) })
        await tx.execute(sql`select haven_audit_event('SIGN_IN', 'users', ${f.freeUserId}::uuid, '{"method":"password"}'::jsonb)`)
      },
      { userId: f.freeUserId, requestId: other },
    )
    expect((await said(other)).sort()).toEqual(['signed in', expect.stringMatching(/^started a session for Owner of /)])
  })

  it('says the values Haven defines in words, in either language, and shows any other value as stored', async () => {
    const f = await createTenantWithData()
    const de = i18nFor('de')
    const words = (c: { label: string; to: unknown; toWords?: string }, i18n = i18nFor('en')) => [
      translateRef(i18n, c.label),
      c.toWords ? translateRef(i18n, c.toWords) : c.to,
    ]
    const detailOf = async (requestId: string) => {
      const [event] = (await list(f, { requestId })).items
      const detail = await as(f, (tx) => getAuditEvent(tx, f.tenantId, event?.id ?? ''))
      return fieldChanges(detail.oldValues, detail.newValues, { all: true })
    }
    // A console sign-in's method and a boolean, in the detail.
    const signIn = unique('method')
    await as(f, (tx) => tx.execute(sql`select haven_audit_event('SIGN_IN', 'users', ${f.freeUserId}::uuid, '{"method":"password+totp","enrolled":false}'::jsonb)`), {
      userId: f.freeUserId,
      requestId: signIn,
    })
    const method = await detailOf(signIn)
    expect(method.map((c) => words(c))).toEqual([
      ['sign-in method', 'password and authenticator code'],
      ['second factor set up', 'no'],
    ])
    expect(method.map((c) => words(c, de))).toEqual([
      ['Anmeldemethode', 'Passwort und Authenticator-Code'],
      ['zweiter Faktor eingerichtet', 'nein'],
    ])
    // An invitation's status, before and after, in the list's change lines.
    const revoke = unique('revoke')
    await as(f, (tx) => tx.update(invitations).set({ status: 'revoked' }).where(and(eq(invitations.tenantId, f.tenantId), eq(invitations.status, 'pending'))), {
      requestId: revoke,
    })
    const [revoked] = (await list(f, { requestId: revoke })).items
    expect(revoked?.changes.map((c) => [english(c.label), english(c.fromWords), english(c.toWords)])).toEqual([['status', 'pending', 'revoked']])
    expect(revoked?.changes.map((c) => [translateRef(de, c.fromWords ?? ''), translateRef(de, c.toWords ?? '')])).toEqual([['ausstehend', 'widerrufen']])
    // An export's stage and format, and a team role, in the detail; the filter's action and kind of record too.
    const exported = unique('export-words')
    await as(f, (tx) => recordExport(tx, 'ndjson', { action: 'UPDATE', entity: 'teams' }, 3, 'started'), { requestId: exported })
    expect(Object.fromEntries((await detailOf(exported)).map((c) => words(c, de)))).toMatchObject({
      Format: 'NDJSON',
      Stand: 'begonnen',
      'Filter › Aktion': 'Geändert',
      'Filter › Art des Eintrags': 'Teams',
    })
    // Unknown values, and values in keys people type themselves, stay as stored.
    expect(valueWords(['method'], 'carrier-pigeon')).toBeUndefined()
    expect(valueWords(['metadata', 'status'], 'pending')).toBeUndefined()
    expect(valueWords(['reason'], 'Customer ticket 42')).toBeUndefined()
    expect(english(valueWords(['metadata', 'vip'], true))).toBe('yes')
    // In sentences: a failed code, an impersonation ended from the console, an export's format.
    const sentences = unique('sentences')
    await as(
      f,
      async (tx) => {
        await tx.execute(sql`select haven_audit_event('SIGN_IN_FAILED', 'users', ${f.freeUserId}::uuid, '{"reason":"wrong_code"}'::jsonb)`)
        await tx.execute(sql`select haven_audit_event('IMPERSONATION_ENDED', 'sessions', null, '{"reason":"ended_by_console"}'::jsonb)`)
      },
      { requestId: sentences },
    )
    const summaries = (await list(f, { requestId: sentences })).items.map((i) => i.summary)
    expect(summaries.map(english).sort()).toEqual(['impersonation ended from the console', 'sign-in failed (wrong code)'])
    expect(summaries.map((s) => translateRef(de, s)).sort()).toEqual(['Anmeldung fehlgeschlagen (falscher Code)', 'Identitätswechsel über die Konsole beendet'])
  })

  it('orders events of one instant by id, in the query and across a page edge', async () => {
    const requestId = unique('same-instant')
    // One statement in one transaction: every row's created_at is the same now().
    await as(
      a,
      (tx) => tx.insert(categories).values(Array.from({ length: 7 }, (_, i) => ({ tenantId: a.tenantId, name: `Tie ${i}`, parentId: a.rootCategoryId }))),
      { requestId },
    )
    const first = await list(a, { requestId, pageSize: 5 })
    expect(first.items).toHaveLength(5)
    expect(new Set(first.items.map((i) => i.createdAt)).size).toBe(1)
    const second = await list(a, { requestId, pageSize: 5, cursor: first.nextCursor ?? undefined })
    expect(second.nextCursor).toBeNull()
    const ids = [...first.items, ...second.items].map((i) => i.id)
    expect(ids).toHaveLength(7)
    expect(ids).toEqual([...ids].sort().reverse())
    const again = await list(a, { requestId, pageSize: 5 })
    expect(again.items.map((i) => i.id)).toEqual(first.items.map((i) => i.id))
  })

  it("shows a person's details (JSON) field by field with labels, never as raw JSON, in either language", async () => {
    const created = unique('details-created')
    const metadata = { department: 'Sales', office: { city: 'Berlin', floor: 3 } }
    const person = await as(
      a,
      (tx) => createUser(tx, { tenantId: a.tenantId, email: `${unique('details')}@example.test`, fullName: 'Dee Tails', metadata }),
      { requestId: created },
    )
    const [create] = (await list(a, { requestId: created, entity: 'users' })).items
    const detail = await as(a, (tx) => getAuditEvent(tx, a.tenantId, create?.id ?? ''))
    const shown = fieldChanges(detail.oldValues, detail.newValues, { all: true })
    // An empty object (no preferences yet) is one row that reads "(empty)"; nothing with keys is left as JSON.
    expect(shown.filter((c) => typeof c.to === 'object' && c.to !== null && Object.keys(c.to).length > 0)).toEqual([])
    const rows = Object.fromEntries(shown.map((c) => [english(c.label), c.to]))
    expect(rows).toMatchObject({ 'details › department': 'Sales', 'details › office › city': 'Berlin', 'details › office › floor': 3 })
    expect(Object.keys(rows)).not.toContain('details')
    const german = shown.map((c) => translateRef(i18nFor('de'), c.label))
    expect(german).toContain('Details › department')

    const changed = unique('details-changed')
    await as(
      a,
      (tx) =>
        tx
          .update(users)
          .set({ metadata: { department: 'Sales', office: { city: 'Hamburg', floor: 3 } }, preferences: { theme: 'dark' } })
          .where(and(eq(users.tenantId, a.tenantId), eq(users.id, person.id))),
      { requestId: changed },
    )
    const [update] = (await list(a, { requestId: changed })).items
    expect(update?.changes.map((c) => [english(c.label), c.from ?? null, c.to ?? null])).toEqual([
      ['details › office › city', 'Berlin', 'Hamburg'],
      ['preferences › theme', null, 'dark'],
    ])
    expect(translateRef(i18nFor('de'), update?.changes[1]?.label ?? '')).toBe('Einstellungen › Design')
  })

  it('refuses a "to" day before the "from" day in the shared filter, with a field error', () => {
    const from = '2026-03-10T00:00:00+01:00'
    const before = '2026-03-09T00:00:00+01:00'
    for (const schema of [listAuditSchema, auditFilterSchema]) {
      let caught: unknown
      try {
        input(schema)({ from, to: before })
      } catch (error) {
        caught = error
      }
      expect(inEnglish(caught)).toMatchObject({ status: 400, fieldErrors: { to: 'Choose a “To” day on or after the “From” day' } })
      expect(translateRef(i18nFor('de'), (caught as HttpError).fieldErrors?.to ?? '')).toBe('Wählen Sie als „Bis“ den „Von“-Tag oder einen späteren Tag')
      expect(input(schema)({ from: before, to: from })).toMatchObject({ from: before, to: from })
    }
  })

  it("keeps an actor's name readable after the person is deleted for good", async () => {
    const requestId = unique('ghost')
    const ghost = await as(a, (tx) => createUser(tx, { tenantId: a.tenantId, email: `${unique('ghost')}@example.test`, fullName: 'Gone Person' }))
    await as(a, (tx) => tx.update(teams).set({ description: 'by a ghost' }).where(and(eq(teams.tenantId, a.tenantId), eq(teams.id, a.teamId))), { userId: ghost.id, requestId })
    await as(a, (tx) => tx.update(users).set({ isDeleted: true, deletedAt: new Date() }).where(and(eq(users.tenantId, a.tenantId), eq(users.id, ghost.id))))
    expect((await list(a, { requestId })).items[0]?.actor).toMatchObject({ name: 'Gone Person', deleted: true })
    await as(a, (tx) => tx.delete(users).where(and(eq(users.tenantId, a.tenantId), eq(users.id, ghost.id))))
    const [event] = (await list(a, { requestId })).items
    expect(event?.actor).toMatchObject({ name: 'Gone Person', gone: true })
    const people = await as(a, (tx) => auditActors(tx, a.tenantId))
    expect(people.map((p) => p.id)).toContain(a.ownerId)
    expect(people.map((p) => p.id)).not.toContain(b.ownerId)
  })

  it('names the actor with the name and email they had at the time of each event', async () => {
    const f = await createTenantWithData()
    const mallory = await as(f, (tx) => createUser(tx, { tenantId: f.tenantId, email: `${unique('mallory')}@example.test`, fullName: 'Mallory Member' }))
    const before = unique('before')
    await as(f, (tx) => tx.update(teams).set({ description: 'before' }).where(and(eq(teams.tenantId, f.tenantId), eq(teams.id, f.teamId))), { userId: mallory.id, requestId: before })
    const first = (await list(f, { requestId: before })).items[0]
    await as(f, (tx) => tx.update(users).set({ fullName: 'Olivia Owner', email: `${unique('olivia')}@example.test` }).where(and(eq(users.tenantId, f.tenantId), eq(users.id, mallory.id))), { userId: mallory.id })
    const after = unique('after')
    await as(f, (tx) => tx.update(teams).set({ description: 'after' }).where(and(eq(teams.tenantId, f.tenantId), eq(teams.id, f.teamId))), { userId: mallory.id, requestId: after })
    expect((await list(f, { requestId: before })).items[0]?.actor).toMatchObject({ id: mallory.id, name: 'Mallory Member', email: mallory.email })
    expect((await list(f, { requestId: after })).items[0]?.actor).toMatchObject({ id: mallory.id, name: 'Olivia Owner', email: expect.stringMatching(/^olivia/) })
    // Every event of the page, each with its own time; the export says the same.
    const page = await list(f, { actor: mallory.id })
    expect(page.items.map((i) => i.actor?.name)).toEqual(expect.arrayContaining(['Mallory Member', 'Olivia Owner']))
    expect(first?.actor?.email).toBe(mallory.email)
    const csv = await readAll(auditExportStream(ctx(f), { requestId: before }, 'csv'))
    expect(csv).toContain(`,Mallory Member,${mallory.email},`)
    // Each event's time comes from the page in the VALUES list: the lookup reads the log once, not also each event again.
    const asOf = capturedStatements().filter((s) => s.sql.includes('from (values') && s.sql.includes('e.person'))
    expect(asOf.length).toBeGreaterThan(0)
    for (const s of asOf) expect(s.sql.match(/\baudit_log\b/g)).toHaveLength(1)
  })

  it('links every kind of record that has a page: person, team, role, category, organization', () => {
    const id = randomUUID()
    expect(entityLink('users', id)).toEqual({ to: '/tenant/admin/users/$userId', params: { userId: id } })
    expect(entityLink('teams', id)).toEqual({ to: '/tenant/admin/teams/$teamId', params: { teamId: id } })
    expect(entityLink('roles', id)).toEqual({ to: '/tenant/admin/roles/$roleId', params: { roleId: id } })
    expect(entityLink('categories', id)).toEqual({ to: '/tenant/categories/$id', params: { id } })
    expect(entityLink('organizations', id)).toEqual({ to: '/tenant/admin/teams', params: {}, search: { org: id } })
    expect(entityLink('sessions', id)).toBeUndefined()
    expect(entityLink('roles', null)).toBeUndefined()
  })

  it("gives another tenant's events a 404 and never lists them", async () => {
    const [foreign] = (await list(b, { pageSize: 5 })).items
    if (!foreign) throw new Error('b has no events')
    await expectNotFound(as(a, (tx) => getAuditEvent(tx, a.tenantId, foreign.id)))
    await expectNotFound(as(a, (tx) => getAuditEvent(tx, a.tenantId, randomUUID())))
    expect(await all(a, { record: b.teamId })).toEqual([])
    expect(await all(a, { actor: b.ownerId })).toEqual([])
    const own = await as(b, (tx) => getAuditEvent(tx, b.tenantId, foreign.id))
    expect(own.id).toBe(foreign.id)
  })
})

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text()
}

describe('export', () => {
  it('streams exactly the filtered view, in its order, across batches, with each event\'s chain hash', async () => {
    const f = await createTenantWithData()
    await as(f, (tx) =>
      tx.insert(categories).values(Array.from({ length: 1100 }, (_, i) => ({ tenantId: f.tenantId, name: `Bulk ${i}`, parentId: f.rootCategoryId }))),
    )
    await sealPending({ tenantId: f.tenantId })
    const filter = { entity: 'categories' as const, action: 'CREATE' as const }
    const view = await all(f, filter)
    expect(view.length).toBe(1103)
    const ndjson = await readAll(auditExportStream(ctx(f), filter, 'ndjson'))
    const events = ndjson
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; description: string; chainHash: string | null; chainSeq: number | null })
    expect(events.map((e) => e.id)).toEqual(view.map((v) => v.id))
    expect(events.map((e) => e.description)).toEqual(view.map((v) => english(v.summary)))
    expect(events.every((e) => typeof e.chainHash === 'string' && e.chainHash.length === 64)).toBe(true)

    const csv = await readAll(auditExportStream(ctx(f), filter, 'csv'))
    const lines = csv.trim().split('\n')
    expect(lines[0]).toBe(CSV_COLUMNS.join(','))
    expect(lines.slice(1).map((l) => l.slice(0, 36))).toEqual(view.map((v) => v.id))
    expect(await as(f, (tx) => countAuditEvents(tx, f.tenantId, filter))).toBe(1103)

    const empty = await readAll(auditExportStream(ctx(f), { ...filter, ip: '192.0.2.250' }, 'csv'))
    expect(empty.trim()).toBe(CSV_COLUMNS.join(','))
    expect(await readAll(auditExportStream(ctx(f), { ...filter, ip: '192.0.2.250' }, 'ndjson'))).toBe('')

    // In the language of the request: German column headers and descriptions.
    const german = (await readAll(auditExportStream(ctx(f), filter, 'csv', { locale: 'de' }))).trim().split('\n')
    expect(german[0]).toBe(CSV_COLUMNS.map((c) => i18nFor('de').t(`csv.audit.${c}`)).join(','))
    expect(german[0]).toMatch(/^Ereignis-ID,Zeit,Person,/)
    expect(german[1]).toContain(translateRef(i18nFor('de'), view[0]?.summary ?? ''))
    expect(german[1]).not.toContain(english(view[0]?.summary ?? ''))
  })

  it('writes names that start like formulas as text in every column (actor, record name, changes), never as formulas', async () => {
    const f = await createTenantWithData()
    const formula = '=HYPERLINK("https://evil.example/","Olivia")'
    await as(f, (tx) => tx.update(users).set({ fullName: formula }).where(and(eq(users.tenantId, f.tenantId), eq(users.id, f.ownerId))))
    await as(f, (tx) => tx.update(teams).set({ name: '+SUM(1,2)', description: '@cmd' }).where(and(eq(teams.tenantId, f.tenantId), eq(teams.id, f.teamId))))
    const csv = await readAll(auditExportStream(ctx(f), { entity: 'teams', action: 'UPDATE' }, 'csv'))
    const [, line] = csv.trim().split('\n')
    expect(line).toContain(`,"'=HYPERLINK(""https://evil.example/"",""Olivia"")",`)
    expect(line).toContain(`,"'+SUM(1,2)",`)
    expect(csv).not.toMatch(/(^|,)"?[=+@]/m)
    const own = await readAll(auditExportStream(ctx(f), { entity: 'users', record: f.ownerId, action: 'UPDATE' }, 'csv'))
    expect(own).toContain(`"'=HYPERLINK(`)
    expect(own).not.toMatch(/(^|,)"?[=+@]/m)
  })

  it("records what the server knows of an export's end: every row sent, or cancelled by the reader after the rows it took", async () => {
    const f = await createTenantWithData()
    const expiresAt = new Date(Date.now() + 3_600_000)
    await as(f, (tx) => tx.insert(verifications).values(Array.from({ length: 1001 }, (_, i) => ({ tenantId: f.tenantId, identifier: `row-${i}`, value: 'v', expiresAt }))))
    const exports = async () => (await list(f, { action: 'EXPORT' })).items.map((i) => english(i.summary))
    const filter = { entity: 'verifications' as const }
    const total = await as(f, (tx) => countAuditEvents(tx, f.tenantId, filter))
    const cancelled = auditExportStream(ctx(f), filter, 'csv', { record: true }).getReader()
    expect((await cancelled.read()).done).toBe(false)
    await cancelled.cancel()
    expect(await exports()).toEqual(['cancelled exporting the audit log as CSV after 1,000 rows'])
    await readAll(auditExportStream(ctx(f), filter, 'csv', { record: true }))
    const [sent, ...rest] = await exports()
    expect(sent).toBe(`exported the audit log as CSV (export sent: ${total.toLocaleString('en')} rows)`)
    expect(rest).toEqual(['cancelled exporting the audit log as CSV after 1,000 rows'])
    // Recorded once: a reader that cancels after the end adds nothing.
    const late = auditExportStream(ctx(f), { ...filter, ip: '192.0.2.251' }, 'ndjson', { record: true }).getReader()
    expect((await late.read()).done).toBe(true)
    await late.cancel()
    expect((await exports()).slice(0, 2)).toEqual(['exported the audit log as NDJSON (export sent: 0 rows)', sent])
    // Exports recorded before the outcome was split ("finished") meant sent, and say so.
    const legacy = unique('legacy-export')
    await as(f, (tx) => tx.execute(sql`select haven_audit_event('EXPORT', 'audit_log', null, '{"format":"csv","events":12,"phase":"finished"}'::jsonb)`), { requestId: legacy })
    expect((await list(f, { requestId: legacy })).items.map((i) => english(i.summary))).toEqual(['exported the audit log as CSV (export sent: 12 rows)'])
  })

  it('records a download the client abandons mid-stream over HTTP as cancelled, with the rows the server had sent', async () => {
    const f = await createTenantWithData()
    const expiresAt = new Date(Date.now() + 3_600_000)
    await as(f, (tx) => tx.insert(verifications).values(Array.from({ length: 2000 }, (_, i) => ({ tenantId: f.tenantId, identifier: `row-${i}`, value: 'v', expiresAt }))))
    const filter = { entity: 'verifications' as const }
    const total = await as(f, (tx) => countAuditEvents(tx, f.tenantId, filter))
    // Served the way the production server serves (nitro's node preset runs srvx), on a Unix socket: its small
    // buffers hold far less than the file (about 2 MB), so the server cannot have sent it all when the client leaves.
    const path = join(tmpdir(), `haven-export-${randomUUID()}.sock`)
    const server = serve({
      node: { path },
      silent: true,
      gracefulShutdown: false,
      fetch: () => new Response(auditExportStream(ctx(f), filter, 'ndjson', { record: true, batch: 10 })),
    })
    try {
      await server.ready()
      // A client that takes the first bytes and goes away (a closed tab, a cancelled download).
      const firstBytes = await new Promise<number>((resolve, reject) => {
        const request = get({ socketPath: path, path: '/' }, (response) => {
          response.once('data', (chunk: Buffer) => {
            request.destroy()
            resolve(chunk.length)
          })
        })
        request.on('error', reject)
      })
      expect(firstBytes).toBeGreaterThan(0)
      await expect.poll(async () => (await list(f, { action: 'EXPORT' })).items.length, { timeout: 15_000 }).toBe(1)
      const [event] = (await list(f, { action: 'EXPORT' })).items
      const detail = await as(f, (tx) => getAuditEvent(tx, f.tenantId, event?.id ?? ''))
      expect(detail.newValues).toMatchObject({ phase: 'cancelled', format: 'ndjson' })
      const rows = Number(detail.newValues?.events)
      expect(rows).toBeGreaterThanOrEqual(10)
      expect(rows).toBeLessThan(total)
      expect(english(event?.summary)).toBe(`cancelled exporting the audit log as NDJSON after ${rows.toLocaleString('en')} rows`)
    } finally {
      await server.close(true)
    }
  })

  it('records the export as an event, and never exports another tenant\'s events', async () => {
    await as(a, (tx) => recordExport(tx, 'csv', { entity: 'teams' }, 12, 'started'))
    const [event] = (await list(a, { action: 'EXPORT', pageSize: 5 })).items
    expect(event).toMatchObject({ actor: expect.objectContaining({ id: a.ownerId }) })
    expect(english(event?.summary)).toBe('started exporting the audit log as CSV')
    const foreign = await readAll(auditExportStream(ctx(a), { record: b.teamId }, 'ndjson'))
    expect(foreign).toBe('')
  })
})

/** The owner (superuser on both drivers in tests) changing audit rows behind the app's back. */
async function asOwner(statement: ReturnType<typeof sql>) {
  return rowsOf<Record<string, unknown>>(await t.owner.db.execute(statement))
}

async function sealedTenant() {
  const f = await createTenantWithData()
  for (let i = 0; i < 3; i++) {
    await as(f, (tx) => tx.update(teams).set({ description: `v${i}` }).where(and(eq(teams.tenantId, f.tenantId), eq(teams.id, f.teamId))))
  }
  await sealPending({ tenantId: f.tenantId, batch: 7 })
  return f
}

describe('the hash chain', () => {
  it('seals every event in order and verifies intact; a later event waits to be sealed', async () => {
    const f = await sealedTenant()
    const [counts] = await asOwner(sql`select count(*)::int as n, count(chain_seq)::int as sealed, max(chain_seq)::int as head from audit_log where tenant_id = ${f.tenantId}`)
    expect(counts).toMatchObject({ n: counts?.sealed, head: counts?.n })
    const report = await verifyTenant(f.tenantId)
    expect(report).toMatchObject({ status: 'intact', checked: counts?.n, intactThrough: counts?.n, unsealed: 0, break: null })
    expect(describeReport(report)).toMatch(new RegExp(`^Intact through event ${counts?.n}, sealed up to `))
    await as(f, (tx) => tx.update(teams).set({ description: 'later' }).where(and(eq(teams.tenantId, f.tenantId), eq(teams.id, f.teamId))))
    expect((await verifyTenant(f.tenantId)).unsealed).toBe(1)
    expect(await sealPending({ tenantId: f.tenantId })).toBe(1)
    expect(await verifyTenant(f.tenantId)).toMatchObject({ status: 'intact', unsealed: 0, intactThrough: Number(counts?.n) + 1 })
  })

  it('catches an UPDATE made as the database owner', async () => {
    const f = await sealedTenant()
    await asOwner(sql`update audit_log set new_values = new_values || '{"description":"forged"}'::jsonb where tenant_id = ${f.tenantId} and chain_seq = 5`)
    const report = await verifyTenant(f.tenantId)
    expect(report).toMatchObject({ status: 'broken', intactThrough: 4, break: { seq: 5, reason: expect.stringMatching(/does not match its hash/) } })
    expect(describeReport(report)).toMatch(/^Chain broken at event 5/)
  })

  it('catches an edit whose hash was recomputed: the next event no longer links', async () => {
    const f = await sealedTenant()
    await asOwner(sql`update audit_log set ip_address = '10.0.0.1' where tenant_id = ${f.tenantId} and chain_seq = 3`)
    await asOwner(sql`update audit_log a set chain_hash = encode(sha256(convert_to((select chain_hash from audit_log where tenant_id = ${f.tenantId} and chain_seq = 2) || haven_audit_canonical(a), 'UTF8')), 'hex') where tenant_id = ${f.tenantId} and chain_seq = 3`)
    expect(await verifyTenant(f.tenantId)).toMatchObject({ status: 'broken', intactThrough: 3, break: { seq: 4 } })
  })

  it('catches a DELETE made as the database owner', async () => {
    const f = await sealedTenant()
    await asOwner(sql`delete from audit_log where tenant_id = ${f.tenantId} and chain_seq = 4`)
    expect(await verifyTenant(f.tenantId)).toMatchObject({ status: 'broken', intactThrough: 3, break: { seq: 5, reason: 'event 4 is missing (deleted)' } })
    const g = await sealedTenant()
    await asOwner(sql`delete from audit_log where tenant_id = ${g.tenantId} and chain_seq <= 2`)
    expect(await verifyTenant(g.tenantId)).toMatchObject({ status: 'broken', intactThrough: 0, break: { seq: 3, reason: 'events 1–2 are missing (deleted)' } })
  })

  it('catches an INSERT made as the database owner', async () => {
    const f = await sealedTenant()
    const [head] = await asOwner(sql`select max(chain_seq)::int as head, max(chain_hash) as h from audit_log where tenant_id = ${f.tenantId}`)
    const next = Number(head?.head) + 1
    await asOwner(sql`
      insert into audit_log (tenant_id, table_name, record_id, action, new_values, chain_seq, chain_hash)
      values (${f.tenantId}, 'users', ${f.ownerId}, 'SIGN_IN', '{}'::jsonb, ${next}, ${'f'.repeat(64)})`)
    expect(await verifyTenant(f.tenantId)).toMatchObject({ status: 'broken', intactThrough: next - 1, break: { seq: next } })
    const g = await sealedTenant()
    await asOwner(sql`drop index audit_log_tenant_chain_idx`)
    try {
      await asOwner(sql`
        insert into audit_log (tenant_id, table_name, record_id, action, new_values, chain_seq, chain_hash)
        select tenant_id, table_name, record_id, action, '{"planted":true}'::jsonb, chain_seq, chain_hash from audit_log where tenant_id = ${g.tenantId} and chain_seq = 3`)
      const report = await verifyTenant(g.tenantId)
      expect(report.status).toBe('broken')
      expect(report.break?.seq).toBe(3)
    } finally {
      await asOwner(sql`delete from audit_log where tenant_id = ${g.tenantId} and new_values = '{"planted":true}'::jsonb`)
      await asOwner(sql`create unique index audit_log_tenant_chain_idx on audit_log (tenant_id, chain_seq) where chain_seq is not null`)
    }
  })

  it('a forged retention checkpoint above edited events hides nothing: every event present is verified', async () => {
    const f = await sealedTenant()
    await asOwner(sql`update audit_log set new_values = new_values || '{"description":"forged"}'::jsonb where tenant_id = ${f.tenantId} and chain_seq = 5`)
    const [head] = await asOwner(sql`select chain_seq::int as seq, chain_hash as hash from audit_log where tenant_id = ${f.tenantId} and chain_seq is not null order by chain_seq desc limit 1`)
    await asOwner(
      sql`insert into audit_log (tenant_id, table_name, action, new_values, request_id) values (${f.tenantId}, 'audit_log', 'RETENTION', ${JSON.stringify({ retentionDays: 30, events: head?.seq, throughSeq: head?.seq, throughHash: head?.hash })}::jsonb, 'audit-retention')`,
    )
    await sealPending({ tenantId: f.tenantId })
    expect(await verifyTenant(f.tenantId)).toMatchObject({ status: 'broken', intactThrough: 4, break: { seq: 5, reason: expect.stringMatching(/does not match its hash/) } })
    // A checkpoint that does not end exactly before the first event present does not excuse the missing ones.
    const g = await sealedTenant()
    await asOwner(sql`delete from audit_log where tenant_id = ${g.tenantId} and chain_seq <= 3`)
    const [gHead] = await asOwner(sql`select chain_seq::int as seq, chain_hash as hash from audit_log where tenant_id = ${g.tenantId} and chain_seq is not null order by chain_seq desc limit 1`)
    await asOwner(
      sql`insert into audit_log (tenant_id, table_name, action, new_values, request_id) values (${g.tenantId}, 'audit_log', 'RETENTION', ${JSON.stringify({ retentionDays: 30, events: gHead?.seq, throughSeq: gHead?.seq, throughHash: gHead?.hash })}::jsonb, 'audit-retention')`,
    )
    await sealPending({ tenantId: g.tenantId })
    expect(await verifyTenant(g.tenantId)).toMatchObject({ status: 'broken', intactThrough: 0, break: { seq: 4, reason: 'events 1–3 are missing (deleted)' } })
  })

  it('leaves the runtime roles unable to seal, edit or delete', async () => {
    await expect(as(a, (tx) => tx.execute(sql`update audit_log set chain_seq = 1 where tenant_id = ${a.tenantId}`))).rejects.toThrow()
    await expect(as(a, (tx) => tx.execute(sql`delete from audit_log where tenant_id = ${a.tenantId}`))).rejects.toThrow()
  })
})

describe('retention', () => {
  async function setRetention(f: TenantData, settings: Record<string, unknown>) {
    await as(f, (tx) => tx.update(tenants).set({ settings: sql`${tenants.settings} || ${JSON.stringify(settings)}::jsonb` }).where(eq(tenants.id, f.tenantId)))
  }

  it('removes sealed events older than the setting in batches, records its run, and what remains still verifies', async () => {
    const f = await createTenantWithData()
    await asOwner(sql`update audit_log set created_at = created_at - interval '100 days' where tenant_id = ${f.tenantId} and chain_seq is null`)
    const [old] = await asOwner(sql`select count(*)::int as n from audit_log where tenant_id = ${f.tenantId}`)
    await sealPending({ tenantId: f.tenantId })
    for (let i = 0; i < 3; i++) {
      await as(f, (tx) => tx.update(teams).set({ description: `recent ${i}` }).where(and(eq(teams.tenantId, f.tenantId), eq(teams.id, f.teamId))))
    }
    await setRetention(f, { auditRetentionDays: 30 })
    const [result] = await runRetention({ tenantId: f.tenantId, batch: 4 })
    expect(result).toMatchObject({ outcome: 'deleted', deleted: old?.n, throughSeq: old?.n })
    const [left] = await asOwner(sql`select count(*)::int as n, min(created_at) > now() - interval '1 day' as recent from audit_log where tenant_id = ${f.tenantId}`)
    expect(left).toMatchObject({ recent: true })
    const events = await all(f, { action: 'RETENTION' })
    expect(events).toHaveLength(1)
    expect(english(events[0]?.summary)).toBe(`removed ${old?.n} events older than 30 days (retention)`)
    await sealPending({ tenantId: f.tenantId })
    const report = await verifyTenant(f.tenantId)
    expect(report).toMatchObject({ status: 'intact', checkpoint: { seq: old?.n }, unsealed: 0 })
    expect(report.checked).toBe(Number(left?.n))
    expect(await runRetention({ tenantId: f.tenantId })).toEqual([expect.objectContaining({ outcome: 'nothing_old', deleted: 0 })])
  })

  it('verifies after a run that stopped half-way, and a legal hold suspends it', async () => {
    const f = await createTenantWithData()
    await asOwner(sql`update audit_log set created_at = created_at - interval '100 days' where tenant_id = ${f.tenantId} and chain_seq is null`)
    await setRetention(f, { auditRetentionDays: 30, auditLegalHold: true })
    expect(await runRetention({ tenantId: f.tenantId })).toEqual([expect.objectContaining({ outcome: 'legal_hold', deleted: 0 })])
    const [kept] = await asOwner(sql`select count(*)::int as n from audit_log where tenant_id = ${f.tenantId} and action <> 'UPDATE'`)
    expect(Number(kept?.n)).toBeGreaterThan(5)
    await setRetention(f, { auditLegalHold: false })
    await runRetention({ tenantId: f.tenantId })
    const again = await createTenantWithData()
    await asOwner(sql`update audit_log set created_at = created_at - interval '100 days' where tenant_id = ${again.tenantId} and chain_seq is null`)
    await sealPending({ tenantId: again.tenantId })
    // A crash after the checkpoint and part of the deletes: the first events are gone, the checkpoint covers them.
    const [head] = await asOwner(sql`select max(chain_seq)::int as head, (select chain_hash from audit_log where tenant_id = ${again.tenantId} and chain_seq = (select max(chain_seq) from audit_log where tenant_id = ${again.tenantId})) as hash from audit_log where tenant_id = ${again.tenantId}`)
    // The checkpoint as the retention job writes it: as the owner (the runtime roles may not write one).
    await asOwner(
      sql`insert into audit_log (tenant_id, table_name, action, new_values, request_id) values (${again.tenantId}, 'audit_log', 'RETENTION', ${JSON.stringify({ retentionDays: 30, events: head?.head, throughSeq: head?.head, throughHash: head?.hash })}::jsonb, 'audit-retention')`,
    )
    // The run deletes newest first: the oldest events stay and still chain from event 1, the gap ends at the checkpoint.
    await asOwner(sql`delete from audit_log where tenant_id = ${again.tenantId} and chain_seq > 3 and chain_seq <= ${head?.head}`)
    await sealPending({ tenantId: again.tenantId })
    expect(await verifyTenant(again.tenantId)).toMatchObject({ status: 'intact', checkpoint: { seq: head?.head } })
    // An event still present below the checkpoint is verified: editing it is caught.
    await asOwner(sql`update audit_log set ip_address = '10.9.9.9' where tenant_id = ${again.tenantId} and chain_seq = 2`)
    expect(await verifyTenant(again.tenantId)).toMatchObject({ status: 'broken', intactThrough: 1, break: { seq: 2 } })
  })

  it('continues the chain from the checkpoint when a run removed every sealed event, run after run', async () => {
    const f = await createTenantWithData()
    await setRetention(f, { auditRetentionDays: 30 })
    for (let round = 1; round <= 2; round++) {
      await as(f, (tx) => tx.update(teams).set({ description: `round ${round}` }).where(and(eq(teams.tenantId, f.tenantId), eq(teams.id, f.teamId))))
      await sealPending({ tenantId: f.tenantId })
      await asOwner(sql`update audit_log set created_at = created_at - interval '100 days' where tenant_id = ${f.tenantId}`)
      const [head] = await asOwner(sql`select max(chain_seq)::int as n from audit_log where tenant_id = ${f.tenantId}`)
      const [result] = await runRetention({ tenantId: f.tenantId })
      expect(result).toMatchObject({ outcome: 'deleted', throughSeq: head?.n })
      // Nothing sealed is left: the run's own event is the next link, numbered after the checkpoint, not event 1.
      await sealPending({ tenantId: f.tenantId })
      const [left] = await asOwner(sql`select min(chain_seq)::int as first, count(*)::int as n from audit_log where tenant_id = ${f.tenantId}`)
      expect(left).toEqual({ first: Number(head?.n) + 1, n: 1 })
      expect(await verifyTenant(f.tenantId)).toMatchObject({ status: 'intact', checked: 1, intactThrough: Number(head?.n) + 1, checkpoint: { seq: head?.n } })
    }
    // Editing the one event after the checkpoint is still caught.
    await asOwner(sql`update audit_log set new_values = new_values || '{"events": 1}'::jsonb where tenant_id = ${f.tenantId}`)
    expect(await verifyTenant(f.tenantId)).toMatchObject({ status: 'broken' })
  })

  it('takes the setting through the workspace settings: 30, 90 or 365 days or forever, and a legal hold', async () => {
    expect(updateSettingsSchema.safeParse({ settings: { auditRetentionDays: 45 } }).success).toBe(false)
    const saved = await as(b, (tx) => updateSettings(tx, b.tenantId, updateSettingsSchema.parse({ settings: { auditRetentionDays: 90, auditLegalHold: true } })))
    expect(saved.settings).toMatchObject({ auditRetentionDays: 90, auditLegalHold: true })
    expect(await as(b, (tx) => auditRetention(tx, b.tenantId))).toEqual({ retentionDays: 90, legalHold: true })
    expect(await runRetention({ tenantId: b.tenantId })).toEqual([expect.objectContaining({ outcome: 'legal_hold' })])
    await as(b, (tx) => updateSettings(tx, b.tenantId, updateSettingsSchema.parse({ settings: { auditRetentionDays: null, auditLegalHold: false } })))
    const [change] = (await list(b, { entity: 'tenants', action: 'UPDATE', pageSize: 5 })).items
    expect(english(change?.summary)).toMatch(/^changed settings of workspace /)
  })

  it('keeps everything when the setting is "forever" (the default)', async () => {
    expect(await runRetention({ tenantId: b.tenantId })).toEqual([expect.objectContaining({ outcome: 'keep_forever', deleted: 0 })])
  })
})

describe('the request id', () => {
  const chosen = new Headers({ 'x-request-id': 'client-chosen-id' })

  it("never takes the client's x-request-id unless a trusted proxy sets it, and then only a short safe token", async () => {
    expect(requestIdFrom(chosen, false)).not.toBe('client-chosen-id')
    expect(requestIdFrom(chosen, false)).toMatch(/^[0-9a-f-]{36}$/)
    expect(requestIdFrom(chosen, true)).toBe('client-chosen-id')
    for (const bad of ['x'.repeat(65), 'a b', '<script>', "id'; drop"]) {
      expect(requestIdFrom(new Headers({ 'x-request-id': bad }), true)).toMatch(/^[0-9a-f-]{36}$/)
    }
    // The request entry, whose id the audit log records (describeRequest), follows the configuration: no proxy here.
    let seen: string | undefined
    await logRequest(new Request('http://acme.localhost/', { headers: chosen }), async () => {
      seen = requestEntry()?.requestId
      return new Response(null, { status: 204 })
    })
    expect(seen).toMatch(/^[0-9a-f-]{36}$/)
    // Recorded as the request id of a change made in that request.
    const f = a
    const requestId = seen ?? ''
    await as(f, (tx) => tx.update(teams).set({ description: 'request id' }).where(and(eq(teams.tenantId, f.tenantId), eq(teams.id, f.teamId))), { requestId })
    expect((await list(f, { requestId })).items).toHaveLength(1)
    expect((await list(f, { requestId: 'client-chosen-id' })).items).toHaveLength(0)
  })
})
