/**
 * Issue 12's people features against a real database: pending invitations (copy, resend, revoke), bulk actions
 * (all or nothing), who granted a role and when, the dashboard's per-permission summary and the CSV export batches.
 */
import { english } from '../support/errors'
import { and, eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { acceptInvitation, createInvitation, findPendingInvitation, invitationParties, pendingInvitationTo } from '~/features/auth/auth.server'
import { cappedCount, dashboardFor } from '~/features/dashboard/dashboard.server'
import { roleWithHolders } from '~/features/roles/role-holders.server'
import { applyBulk } from '~/features/users/bulk.server'
import { userExportBatch } from '~/features/users/export.server'
import { updateSettings } from '~/features/settings/settings.server'
import { updateSettingsSchema } from '~/features/settings/settings.schemas'
import { type Caller, requestLocale } from '~/server/session.server'
import { listPendingInvitations, pendingInvitationLink, resendInvitation, revokeInvitation } from '~/features/users/invitations.server'
import { createUser, replaceUserRoles } from '~/features/users/users.server'
import { HttpError } from '~/lib/errors'
import { PERMISSION_KEYS, type Permission, SYSTEM_ROLES } from '~/lib/permissions'
import { rowsOf, type Tx } from '~/server/db/client.server'
import { invitations, sessions, userRoles, users } from '~/server/db/schema'
import { withTenant } from '~/server/db/scope.server'
import { openTestDatabase, type TestDatabase } from '../support/db'
import { createTestTenant } from '../support/fixtures'
import { unique } from '../support/tenant-data'

type Tenant = { tenantId: string; slug: string; ownerId: string; roleIds: Record<'owner' | 'admin' | 'member', string> }

let t: TestDatabase
let a: Tenant
let b: Tenant

async function tenant(): Promise<Tenant> {
  const { tenant, owner, roleIds } = await createTestTenant()
  return { tenantId: tenant.id, slug: tenant.slug, ownerId: owner.id, roleIds }
}

beforeAll(async () => {
  t = await openTestDatabase()
  a = await tenant()
  b = await tenant()
}, 60_000)
afterAll(() => t.close())

function as<T>(f: Tenant, work: (tx: Tx) => Promise<T>, userId = f.ownerId): Promise<T> {
  return withTenant({ tenantId: f.tenantId, userId, requestId: 'people-test' }, work)
}

async function httpError(work: Promise<unknown>): Promise<HttpError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(HttpError)
  return error as HttpError
}

const addUser = (f: Tenant, fullName: string, roleIds: string[] = []) =>
  as(f, (tx) => createUser(tx, { tenantId: f.tenantId, email: `${unique('p')}@example.test`, fullName, roleIds, assignedById: f.ownerId }))

const invite = (f: Tenant, email: string, roleId: string | null = f.roleIds.member) =>
  as(f, (tx) => createInvitation(tx, { tenantId: f.tenantId, email, fullName: 'Ivy Invited', roleId, invitedById: f.ownerId }))
const find = (f: Tenant, token: string) => withTenant({ tenantId: f.tenantId }, (tx) => findPendingInvitation(tx, f.tenantId, token))
const tokenOf = (link: string) => link.slice(link.lastIndexOf('/') + 1)
const owner = (f: Tenant) => ({ tenant: { id: f.tenantId, slug: f.slug }, userId: f.ownerId, permissions: PERMISSION_KEYS, impersonatorId: null })

describe('pending invitations', () => {
  it('lists pending invitations with role, inviter and expiry, newest first; narrows by address; leaves others out', async () => {
    const older = `${unique('older')}@example.test`
    const newer = `${unique('newer')}@example.test`
    await invite(a, older, a.roleIds.admin)
    await invite(a, newer, null)
    const accepted = `${unique('accepted')}@example.test`
    const { token } = await invite(a, accepted)
    await withTenant({ tenantId: a.tenantId }, (tx) => acceptInvitation(tx, { tenantId: a.tenantId, token, fullName: 'Accepted', password: 'accepted-pass-1' }))
    await invite(b, `${unique('elsewhere')}@example.test`)

    const listed = await as(a, (tx) => listPendingInvitations(tx, a.tenantId))
    const emails = listed.map((i) => i.email)
    expect(emails.indexOf(newer)).toBeLessThan(emails.indexOf(older))
    expect(emails).not.toContain(accepted)
    expect(listed.every((i) => !i.email.includes('elsewhere'))).toBe(true)
    expect(listed.find((i) => i.email === older)).toMatchObject({ roleName: 'Admin', invitedBy: `Owner of ${a.slug}`, expired: false })
    expect(listed.find((i) => i.email === newer)?.roleName).toBeNull()

    const narrowed = await as(a, (tx) => listPendingInvitations(tx, a.tenantId, { q: older.slice(0, 12).toUpperCase() }))
    expect(narrowed.map((i) => i.email)).toEqual([older])
  })

  it('shows the same link again, which accepts; an expired one is 410 and an unknown or foreign id 404', async () => {
    const email = `${unique('copy')}@example.test`
    const { invitation, token } = await invite(a, email)
    const shown = await as(a, (tx) => pendingInvitationLink(tx, owner(a), invitation.id))
    expect(shown.link).toMatch(new RegExp(`^https?://${a.slug}\\.[^/]+/invite/${token}$`))
    expect(await find(a, tokenOf(shown.link))).toMatchObject({ id: invitation.id })
    expect((await httpError(as(b, (tx) => pendingInvitationLink(tx, owner(b), invitation.id)))).status).toBe(404)
    await t.owner.db.update(invitations).set({ expiresAt: sql`now() - interval '1 minute'` }).where(eq(invitations.id, invitation.id))
    expect((await httpError(as(a, (tx) => pendingInvitationLink(tx, owner(a), invitation.id)))).status).toBe(410)
    expect((await as(a, (tx) => listPendingInvitations(tx, a.tenantId, { q: email }))).map((i) => i.expired)).toEqual([true])
  })

  it('cannot show a link whose token was not derived (made before links were derivable): 409, resend instead', async () => {
    const email = `${unique('legacy')}@example.test`
    const { invitation } = await invite(a, email)
    await t.owner.db.update(invitations).set({ tokenHash: 'f'.repeat(64) }).where(eq(invitations.id, invitation.id))
    const error = await httpError(as(a, (tx) => pendingInvitationLink(tx, owner(a), invitation.id)))
    expect(error).toMatchObject({ status: 409, code: 'link_unavailable' })
  })

  it('resend makes a new link from the resender and kills the old one; revoke ends it; both are 404 afterwards', async () => {
    const email = `${unique('resend')}@example.test`
    const { invitation, token } = await invite(a, email, a.roleIds.admin)
    const admin = await addUser(a, 'Ada Resender', [a.roleIds.admin])
    const resent = await as(
      a,
      (tx) => resendInvitation(tx, { ...owner(a), userId: admin.id, permissions: SYSTEM_ROLES.admin.permissions }, invitation.id),
      admin.id,
    )
    expect(resent.id).not.toBe(invitation.id)
    expect(await find(a, token)).toBeNull()
    expect(await find(a, tokenOf(resent.link))).toMatchObject({ email, roleId: a.roleIds.admin, invitedById: admin.id, fullName: 'Ivy Invited' })
    expect((await httpError(as(a, (tx) => resendInvitation(tx, owner(a), invitation.id)))).status).toBe(404)

    expect(await as(a, (tx) => revokeInvitation(tx, a.tenantId, resent.id))).toEqual({ email })
    expect(await find(a, tokenOf(resent.link))).toBeNull()
    expect((await httpError(as(a, (tx) => revokeInvitation(tx, a.tenantId, resent.id)))).status).toBe(404)
  })

  it("resending checks the role as a fresh grant: someone without the role's permissions cannot", async () => {
    const { invitation, token } = await invite(a, `${unique('owner-invite')}@example.test`, a.roleIds.owner)
    const limited = { ...owner(a), permissions: SYSTEM_ROLES.admin.permissions }
    expect((await httpError(as(a, (tx) => resendInvitation(tx, limited, invitation.id)))).status).toBe(403)
    expect(await find(a, token)).toMatchObject({ id: invitation.id })
  })

  it('another tenant cannot revoke or resend', async () => {
    const { invitation, token } = await invite(a, `${unique('foreign')}@example.test`)
    expect((await httpError(as(b, (tx) => revokeInvitation(tx, b.tenantId, invitation.id)))).status).toBe(404)
    expect((await httpError(as(b, (tx) => resendInvitation(tx, owner(b), invitation.id)))).status).toBe(404)
    expect(await find(a, token)).toMatchObject({ id: invitation.id })
  })

  it('a replacement without a name keeps the name typed the first time', async () => {
    const email = `${unique('renamed')}@example.test`
    await invite(a, email)
    const { invitation } = await as(a, (tx) => createInvitation(tx, { tenantId: a.tenantId, email, fullName: '', roleId: null, invitedById: a.ownerId }))
    expect(invitation.fullName).toBe('Ivy Invited')
  })

  it('finds the pending invitation to an address, and tells the accept page who invited to which role', async () => {
    const email = `${unique('pending')}@example.test`
    expect(await as(a, (tx) => pendingInvitationTo(tx, a.tenantId, email))).toBeNull()
    const { invitation } = await invite(a, email, a.roleIds.admin)
    expect(await as(a, (tx) => pendingInvitationTo(tx, a.tenantId, email))).toMatchObject({ id: invitation.id })
    expect(await as(b, (tx) => pendingInvitationTo(tx, b.tenantId, email))).toBeNull()
    expect(await as(a, (tx) => invitationParties(tx, a.tenantId, invitation))).toEqual({ invitedBy: `Owner of ${a.slug}`, roleName: 'Admin' })
  })

  it('accepting records the inviter as the one who granted the role', async () => {
    const email = `${unique('granted')}@example.test`
    const { token } = await invite(a, email, a.roleIds.admin)
    const { user } = await withTenant({ tenantId: a.tenantId }, (tx) =>
      acceptInvitation(tx, { tenantId: a.tenantId, token, fullName: 'Gran Ted', password: 'granted-pass-1' }),
    )
    const [link] = await t.owner.db.select().from(userRoles).where(eq(userRoles.userId, user.id))
    expect(link).toMatchObject({ roleId: a.roleIds.admin, assignedById: a.ownerId })
    expect(link?.assignedAt).toBeInstanceOf(Date)
  })
})

describe('bulk actions', () => {
  const isActive = async (id: string) => (await t.owner.db.select({ v: users.isActive }).from(users).where(eq(users.id, id)))[0]?.v
  const run = (f: Tenant, input: Parameters<typeof applyBulk>[2], permissions: readonly Permission[] = PERMISSION_KEYS) =>
    as(f, (tx) => applyBulk(tx, { tenantId: f.tenantId, userId: f.ownerId, permissions }, input))

  it('deactivates everyone selected and ends their sessions', async () => {
    const [x, y] = [await addUser(a, 'Bulk X'), await addUser(a, 'Bulk Y')]
    await t.owner.db.insert(sessions).values({ tenantId: a.tenantId, userId: x.id, token: unique('tok'), expiresAt: new Date(Date.now() + 60_000) })
    expect(await run(a, { action: 'deactivate', ids: [x.id, y.id, x.id] })).toBe(2)
    expect([await isActive(x.id), await isActive(y.id)]).toEqual([false, false])
    expect(await t.owner.db.select().from(sessions).where(eq(sessions.userId, x.id))).toHaveLength(0)
  })

  it('changes nobody when one person is refused, and names them', async () => {
    const x = await addUser(a, 'Bulk Kept')
    const error = await httpError(run(a, { action: 'deactivate', ids: [x.id, a.ownerId] }))
    expect(error.status).toBe(409)
    expect(english(error.message)).toContain(`Owner of ${a.slug}`)
    expect(english(error.message)).toContain('Nothing was changed')
    expect(await isActive(x.id)).toBe(true)
  })

  it('refuses people the actor may not manage, and ids of another tenant (404), all or nothing', async () => {
    const x = await addUser(a, 'Bulk Plain')
    const strong = await addUser(a, 'Bulk Strong', [a.roleIds.owner])
    expect((await httpError(run(a, { action: 'delete', ids: [x.id, strong.id] }, SYSTEM_ROLES.admin.permissions))).status).toBe(403)
    const foreign = await addUser(b, 'Bulk Foreign')
    expect((await httpError(run(a, { action: 'delete', ids: [x.id, foreign.id] }))).status).toBe(404)
    const [row] = await t.owner.db.select({ isDeleted: users.isDeleted }).from(users).where(eq(users.id, x.id))
    expect(row?.isDeleted).toBe(false)
  })

  it('moves to the trash and assigns a role, recording who granted it; each change is audited', async () => {
    const [x, y] = [await addUser(a, 'Bulk Role X'), await addUser(a, 'Bulk Role Y', [a.roleIds.member])]
    expect(await run(a, { action: 'assignRole', ids: [x.id, y.id], roleId: a.roleIds.member })).toBe(2)
    const links = await t.owner.db
      .select({ userId: userRoles.userId, by: userRoles.assignedById })
      .from(userRoles)
      .where(and(eq(userRoles.tenantId, a.tenantId), eq(userRoles.roleId, a.roleIds.member)))
    expect(links.filter((l) => l.userId === x.id || l.userId === y.id)).toHaveLength(2)
    expect(links.find((l) => l.userId === x.id)?.by).toBe(a.ownerId)

    await run(a, { action: 'delete', ids: [x.id, y.id] })
    const rows = await t.owner.db.select({ isDeleted: users.isDeleted }).from(users).where(sql`${users.id} in (${x.id}, ${y.id})`)
    expect(rows.map((r) => r.isDeleted)).toEqual([true, true])
    const audited = rowsOf<{ record_id: string }>(
      await t.owner.db.execute(
        sql`select distinct record_id from audit_log where tenant_id = ${a.tenantId} and table_name = 'users' and action = 'UPDATE' and record_id in (${x.id}, ${y.id})`,
      ),
    )
    expect(audited.map((r) => r.record_id).sort()).toEqual([x.id, y.id].sort())
  })
})

describe('role holders', () => {
  it('lists live holders with who granted the role and when; a foreign role is 404', async () => {
    const admin = await addUser(a, 'Holder Granter', [a.roleIds.admin])
    const x = await addUser(a, 'Holder X')
    await as(a, (tx) => replaceUserRoles(tx, { tenantId: a.tenantId, permissions: PERMISSION_KEYS, user: { id: admin.id } }, x.id, [a.roleIds.admin]), admin.id)
    const gone = await addUser(a, 'Holder Gone', [a.roleIds.admin])
    await t.owner.db.update(users).set({ isDeleted: true, deletedAt: sql`now()` }).where(eq(users.id, gone.id))

    const page = await as(a, (tx) => roleWithHolders(tx, a.tenantId, a.roleIds.admin))
    expect(page.role).toMatchObject({ name: 'Admin', isSystem: true })
    expect(page.role.permissions).toContain('users:write')
    const ids = page.holders.map((h) => h.id)
    expect(ids).toContain(x.id)
    expect(ids).not.toContain(gone.id)
    expect(page.total).toBe(page.holders.length)
    expect(page.holders.find((h) => h.id === x.id)).toMatchObject({ grantedById: admin.id, grantedBy: 'Holder Granter' })
    expect(page.holders.find((h) => h.id === x.id)?.grantedAt).toBeInstanceOf(Date)
    expect(page.holders.find((h) => h.id === admin.id)).toMatchObject({ grantedBy: `Owner of ${a.slug}` })
    expect((await httpError(as(b, (tx) => roleWithHolders(tx, b.tenantId, a.roleIds.admin)))).status).toBe(404)
  })
})

describe('dashboard', () => {
  it('shows each part only with the permission its page needs', async () => {
    const full = await as(a, (tx) => dashboardFor(tx, a.tenantId, PERMISSION_KEYS))
    expect(full.people?.n).toBeGreaterThan(0)
    expect(full.teams).toEqual({ n: 0, capped: false })
    expect(full.categories).toEqual({ n: 0, capped: false })
    expect(full.pending?.total.n).toBeGreaterThan(0)
    expect(full.pending?.newest.length).toBeLessThanOrEqual(5)
    expect(full.activity?.length).toBeGreaterThan(0)
    expect(full.activity?.[0]).toMatchObject({ summary: expect.any(String) })

    const member = await as(a, (tx) => dashboardFor(tx, a.tenantId, SYSTEM_ROLES.member.permissions))
    expect(member).toMatchObject({ pending: null, activity: null })
    expect(member.people?.n).toBe(full.people?.n)
    expect(await as(a, (tx) => dashboardFor(tx, a.tenantId, []))).toEqual({ people: null, teams: null, categories: null, pending: null, activity: null })
  })

  it('counts its own tenant only, and stops at the cap', async () => {
    const countOf = (f: Tenant, cap?: number) =>
      as(f, (tx) => cappedCount(tx, users, and(eq(users.tenantId, f.tenantId), eq(users.isDeleted, false)), cap))
    const [inA, inB] = [await countOf(a), await countOf(b)]
    expect(inA.n).not.toBe(inB.n)
    expect(await countOf(a, 2)).toEqual({ n: 2, capped: true })
    expect(await countOf(a, inA.n)).toEqual({ n: inA.n, capped: false })
  })
})

describe('CSV export batches', () => {
  it('exports the filtered list in keyset batches, header once, with roles and status', async () => {
    const tag = unique('export')
    for (const name of ['C', 'A', 'B']) await addUser(a, `${tag} ${name}`, name === 'A' ? [a.roleIds.admin, a.roleIds.member] : [])
    const filter = { q: tag, status: 'all' as const }
    const first = await as(a, (tx) => userExportBatch(tx, a.tenantId, filter, undefined, true, 2))
    expect(first.done).toBe(false)
    const lines = first.text.trim().split('\n')
    expect(lines[0]).toBe('name,email,status,roles,last_active,added,id')
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual([`${tag} A`, `${tag} B`])
    expect(lines[1]).toContain(',active,Admin; Member,')
    const second = await as(a, (tx) => userExportBatch(tx, a.tenantId, filter, first.next, false, 2))
    expect(second.done).toBe(true)
    expect(second.text.trim().split('\n').map((l) => l.split(',')[0])).toEqual([`${tag} C`])
    const elsewhere = await as(b, (tx) => userExportBatch(tx, b.tenantId, filter, undefined, true, 2))
    expect(elsewhere.text.trim().split('\n')).toHaveLength(1)
  })

  it('writes a name that starts like a formula as text (a leading quote), never as a formula', async () => {
    const tag = unique('formula')
    await addUser(a, `=HYPERLINK("https://evil.example/?${tag}","Click")`)
    const batch = await as(a, (tx) => userExportBatch(tx, a.tenantId, { q: tag, status: 'all' as const }, undefined, false, 10))
    expect(batch.text).toContain(`"'=HYPERLINK(""https://evil.example/?${tag}"",""Click"")"`)
    expect(batch.text).not.toMatch(/(^|,)"?=/m)
  })

  it('writes the header row and the status in the language of the request', async () => {
    const tag = unique('export-de')
    await addUser(a, `${tag} Jana`)
    const filter = { q: tag, status: 'all' as const }
    const german = await as(a, (tx) => userExportBatch(tx, a.tenantId, filter, undefined, true, 10, 'de'))
    const [head, line] = german.text.trim().split('\n')
    expect(head).toBe('Name,E-Mail,Status,Rollen,Zuletzt aktiv,Hinzugefügt,ID')
    expect(line).toContain(',aktiv,')
  })

  it('takes the language from the person, then the workspace, then the browser', async () => {
    const caller = (language?: string): Caller => ({
      user: { id: a.ownerId, email: 'x@example.test', fullName: 'X', isSuperuser: false, preferences: language ? { language } : {} },
      sessionId: 's',
      impersonatorId: null,
      permissions: [],
    })
    const browser = (value: string) => new Headers({ 'accept-language': value })
    expect(await as(a, (tx) => requestLocale(tx, a.tenantId, caller(), browser('de-AT,de;q=0.9')))).toBe('de')
    expect(await as(a, (tx) => requestLocale(tx, a.tenantId, caller(), browser('fr')))).toBe('en')
    await as(a, (tx) => updateSettings(tx, a.tenantId, updateSettingsSchema.parse({ settings: { defaultLanguage: 'de' } })))
    try {
      expect(await as(a, (tx) => requestLocale(tx, a.tenantId, caller(), browser('en')))).toBe('de')
      expect(await as(a, (tx) => requestLocale(tx, a.tenantId, caller('en'), browser('de')))).toBe('en')
    } finally {
      await as(a, (tx) => updateSettings(tx, a.tenantId, updateSettingsSchema.parse({ settings: { defaultLanguage: '' } })))
    }
  })
})
