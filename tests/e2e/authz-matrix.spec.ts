/**
 * The authorization matrix: every server function, called over HTTP by every kind of caller, answers with the
 * status written here. Server functions are public endpoints, so this is what anyone can get from them, whatever
 * the UI shows. The functions are discovered from the source: a new one fails this suite until it has a row.
 *
 * HTTP only (no browser), so it uses Playwright's plain `test`.
 */
import { randomUUID } from 'node:crypto'
import { expect, test } from '@playwright/test'
import { SYSTEM_ROLES } from '~/lib/permissions'
import { uniqueEmail } from './accounts'
import { DEMO_PASSWORD } from './fixtures'
import { callOverHttp, discoverServerFunctions, type Method, resultOf, type ServerFnResponse, sessionCookie } from './server-fn'

const CALLERS = ['anonymous', 'member', 'admin', 'owner', 'otherTenant', 'superuser'] as const
type Caller = (typeof CALLERS)[number]
type SignedInCaller = Exclude<Caller, 'anonymous'>

/** Who signs in where. `otherTenant` and `superuser` send their cookies to a host they do not belong to. */
const ACCOUNTS: Record<SignedInCaller, { host: string; email: string; fullName: string }> = {
  member: { host: 'acme', email: 'member@acme.test', fullName: 'Mia Member' },
  admin: { host: 'acme', email: 'admin@acme.test', fullName: 'Adam Admin' },
  owner: { host: 'acme', email: 'owner@acme.test', fullName: 'Olivia Owner' },
  otherTenant: { host: 'globex', email: 'owner@globex.test', fullName: 'Hank Scorpio' },
  superuser: { host: 'console', email: 'root@haven.test', fullName: 'Root Operator' },
}

type Statuses = Record<Caller, number>
const everyone = (status: number): Statuses => ({
  anonymous: status,
  member: status,
  admin: status,
  owner: status,
  otherTenant: status,
  superuser: status,
})
/** A signed-in person of this tenant; a session of another tenant or of the console counts as none here. */
const signedIn: Statuses = { ...everyone(401), member: 200, admin: 200, owner: 200 }
/** Which of acme's system roles hold the permission the function needs (see SYSTEM_ROLES). */
const allowed = (...roles: Array<'member' | 'admin' | 'owner'>): Statuses => ({
  ...everyone(401),
  member: roles.includes('member') ? 200 : 403,
  admin: roles.includes('admin') ? 200 : 403,
  owner: roles.includes('owner') ? 200 : 403,
})
const readers = allowed('member', 'admin', 'owner')
const writers = allowed('admin', 'owner')
const ownerOnly = allowed('owner')
/** Console functions: a superuser's session at the console host; every tenant session counts as none there. */
const superuserOnly: Statuses = { ...everyone(401), superuser: 200 }

/** Records a call acts on, made by acme's owner on first use (per test, or per caller with `targetPerCaller`). */
type Targets = {
  user(): Promise<string>
  role(): Promise<string>
  organization(): Promise<string>
  team(): Promise<string>
  /** A team with `user()` in it. */
  membership(): Promise<{ teamId: string; userId: string }>
  /** A user in the trash. */
  trashedUser(): Promise<string>
  /** A top-level category with one child. */
  category(): Promise<string>
  /** A category in the trash. */
  trashedCategory(): Promise<string>
}
type Ids = {
  globexCategory: string
  memberRole: string
  globexUser: string
  globexRole: string
  globexTeam: string
  globexOrganization: string
  acmeAuditEvent: string
  globexAuditEvent: string
}
type DataContext = { caller: Caller; make: Targets; ids: Ids }
type CallContext = DataContext & { cookie: string | null; response: ServerFnResponse }

type Entry = {
  method: Method
  /** Tenant functions are called at acme, console functions at the console host. */
  realm: 'tenant' | 'console'
  /** A valid payload. */
  data?: unknown | ((ctx: DataContext) => unknown)
  status: Statuses
  /** What the landing host (no tenant there) answers an anonymous caller. */
  landing: number
  /** A payload the validator refuses: 400 for a caller past authorization; others get the same refusal as before. */
  invalid?: unknown
  /** The permission depends on the input (the kind of item), so it is checked after validation: bad input is a 400. */
  permissionAfterInput?: boolean
  /** The call ends the caller's session, so each caller makes it with a session of its own. */
  freshSession?: boolean
  /** The call uses its target up, so each caller gets targets of its own. */
  targetPerCaller?: boolean
  /** More to prove about the answer than its status. */
  check?: (ctx: CallContext) => Promise<void>
}

const BOGUS_TOKEN = 'x'.repeat(43)
/** Names of what the matrix makes sort after the demo data, so the first page of lists other tests read stays the same. */
const unique = (label: string) => `Zz matrix ${label} ${randomUUID().slice(0, 8)}`
const PERSON = 'Zz Matrix person'

const MATRIX: Record<string, Entry> = {
  'auth.getRealm': { method: 'GET', realm: 'tenant', status: everyone(200), landing: 200 },
  'auth.getTenantSession': {
    method: 'GET',
    realm: 'tenant',
    status: everyone(200),
    landing: 404,
    // Everyone may ask; only this tenant's own sessions are anybody.
    check: async ({ caller, response }) => {
      const { user, tenant } = resultOf<{ user: { email: string } | null; tenant: { slug: string } }>(response)
      expect(tenant.slug).toBe('acme')
      const own = caller === 'member' || caller === 'admin' || caller === 'owner'
      expect(user?.email ?? null, caller).toBe(own ? ACCOUNTS[caller].email : null)
    },
  },
  'auth.getConsoleSession': {
    method: 'GET',
    realm: 'console',
    status: everyone(200),
    landing: 404,
    check: async ({ caller, response }) => {
      const { user } = resultOf<{ user: { email: string } | null }>(response)
      expect(user?.email ?? null, caller).toBe(caller === 'superuser' ? 'root@haven.test' : null)
    },
  },
  'auth.signIn': {
    method: 'POST',
    realm: 'tenant',
    data: { email: 'member@acme.test', password: DEMO_PASSWORD, rememberMe: true },
    status: everyone(200),
    landing: 404,
    invalid: { email: 'not-an-email', password: 'x' },
  },
  'auth.signOut': {
    method: 'POST',
    realm: 'tenant',
    status: everyone(200),
    landing: 404,
    freshSession: true,
    // It ends the caller's session here, and cannot end a session of another host.
    check: async ({ caller, cookie }) => {
      if (caller === 'anonymous' || !cookie) return
      const home = ACCOUNTS[caller].host
      const id = home === 'console' ? 'auth.getConsoleSession' : 'auth.getTenantSession'
      const { user } = resultOf<{ user: unknown }>(await callOverHttp({ host: home, method: 'GET', id, cookie }))
      if (home === 'acme') expect(user, `${caller}'s session after signing out`).toBeNull()
      else expect(user, `${caller}'s ${home} session after a sign-out at acme`).not.toBeNull()
    },
  },
  'auth.requestPasswordReset': {
    method: 'POST',
    realm: 'tenant',
    data: { email: 'nobody@acme.test' },
    status: everyone(200),
    landing: 404,
    invalid: { email: 'nobody' },
  },
  'auth.resetPassword': {
    method: 'POST',
    realm: 'tenant',
    data: { token: BOGUS_TOKEN, password: 'a-new-password' },
    status: everyone(410),
    landing: 404,
    invalid: { token: BOGUS_TOKEN, password: 'short' },
  },
  'auth.getResetLinkStatus': {
    method: 'GET',
    realm: 'tenant',
    data: { token: BOGUS_TOKEN },
    status: everyone(200),
    landing: 404,
    invalid: { token: 'x' },
  },
  'auth.getInvitation': {
    method: 'GET',
    realm: 'tenant',
    data: { token: BOGUS_TOKEN },
    status: everyone(410),
    landing: 404,
    invalid: { token: 'x' },
  },
  'auth.acceptInvitation': {
    method: 'POST',
    realm: 'tenant',
    data: { token: BOGUS_TOKEN, fullName: 'Mallory', password: 'a-new-password' },
    status: everyone(410),
    landing: 404,
    invalid: { token: BOGUS_TOKEN, fullName: '', password: 'a-new-password' },
  },
  'auth.inviteUser': {
    method: 'POST',
    realm: 'tenant',
    data: () => ({ email: uniqueEmail('matrix-invitee'), fullName: PERSON }),
    status: writers,
    landing: 404,
    invalid: { email: 'matrix-invitee' },
  },

  'profile.updateProfile': {
    method: 'POST',
    realm: 'tenant',
    // Each caller's own name again, so the dashboards other tests read do not change.
    data: ({ caller }: DataContext) => ({ fullName: caller === 'anonymous' ? 'Nobody' : ACCOUNTS[caller].fullName }),
    status: signedIn,
    landing: 404,
    invalid: { fullName: '   ' },
  },
  'profile.updatePreferences': {
    method: 'POST',
    realm: 'tenant',
    // Back to no language of one's own, so the German tests that sign in these people later see German.
    data: { language: 'default' },
    status: signedIn,
    landing: 404,
    invalid: { theme: 'purple' },
  },
  'profile.changePassword': {
    method: 'POST',
    realm: 'tenant',
    // The same password again, and no session revoked: other tests keep signing in with it.
    data: { currentPassword: DEMO_PASSWORD, newPassword: DEMO_PASSWORD, signOutOthers: false },
    status: signedIn,
    landing: 404,
    invalid: { currentPassword: DEMO_PASSWORD, newPassword: 'short', signOutOthers: false },
  },

  'users.listUsers': {
    method: 'GET',
    realm: 'tenant',
    data: { q: 'same' },
    status: readers,
    landing: 404,
    invalid: { pageSize: 1000 },
    // The same address exists at globex; only acme's person is listed.
    check: async ({ response }) => {
      if (response.status !== 200) return
      const { items } = resultOf<{ items: { fullName: string }[] }>(response)
      expect(items.map((u) => u.fullName)).toEqual(['Sam Acme'])
    },
  },
  'users.getUserFilterOptions': { method: 'GET', realm: 'tenant', status: readers, landing: 404 },
  'users.getUser': {
    method: 'GET',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ id: await make.user() }),
    status: readers,
    landing: 404,
    invalid: { id: 'not-a-uuid' },
  },
  'users.getDeletedUser': {
    method: 'GET',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ id: await make.trashedUser() }),
    status: readers,
    landing: 404,
    invalid: { id: 'not-a-uuid' },
  },
  'users.createUser': {
    method: 'POST',
    realm: 'tenant',
    data: () => ({ email: uniqueEmail('matrix-created'), fullName: PERSON }),
    status: writers,
    landing: 404,
    invalid: { email: 'matrix-created', fullName: PERSON },
  },
  'users.updateUser': {
    method: 'POST',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ id: await make.user(), data: { fullName: `${PERSON} renamed` } }),
    status: writers,
    landing: 404,
    invalid: { id: 'not-a-uuid', data: {} },
  },
  'users.deactivateUser': {
    method: 'POST',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ id: await make.user() }),
    status: writers,
    landing: 404,
    invalid: { id: 'not-a-uuid' },
    targetPerCaller: true,
    check: async ({ make, response }) => {
      const { user } = await ownerCalls<{ user: { isActive: boolean } }>('GET', 'users.getUser', { id: await make.user() })
      expect(user.isActive, 'the target is active unless the call succeeded').toBe(response.status !== 200)
    },
  },
  'users.reactivateUser': {
    method: 'POST',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ id: await make.user() }),
    status: writers,
    landing: 404,
    invalid: { id: 'not-a-uuid' },
  },
  'users.deleteUser': {
    method: 'POST',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ id: await make.user() }),
    status: writers,
    landing: 404,
    invalid: { id: 'not-a-uuid' },
    targetPerCaller: true,
    check: async ({ make, response }) => {
      const read = await ownerCall('GET', 'users.getUser', { id: await make.user() })
      expect(read.status, 'the target is there unless the call succeeded').toBe(response.status === 200 ? 404 : 200)
    },
  },
  'users.setUserRoles': {
    method: 'POST',
    realm: 'tenant',
    data: async ({ make, ids }: DataContext) => ({ id: await make.user(), roleIds: [ids.memberRole] }),
    status: allowed('admin', 'owner'),
    landing: 404,
    invalid: { id: 'not-a-uuid', roleIds: [] },
  },

  'users.listInvitations': { method: 'GET', realm: 'tenant', status: writers, landing: 404 },
  'users.getInvitationLink': {
    method: 'GET',
    realm: 'tenant',
    data: async () => ({ id: await ownerInvites() }),
    status: writers,
    landing: 404,
    invalid: { id: 'not-a-uuid' },
  },
  'users.resendInvitationLink': {
    method: 'POST',
    realm: 'tenant',
    data: async () => ({ id: await ownerInvites() }),
    status: writers,
    landing: 404,
    invalid: { id: 'not-a-uuid' },
  },
  'users.revokeInvitationLink': {
    method: 'POST',
    realm: 'tenant',
    data: async () => ({ id: await ownerInvites() }),
    status: writers,
    landing: 404,
    invalid: { id: 'not-a-uuid' },
  },
  'users.bulkUpdateUsers': {
    method: 'POST',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ action: 'deactivate', ids: [await make.user()] }),
    status: writers,
    landing: 404,
    invalid: { action: 'deactivate', ids: [] },
    targetPerCaller: true,
    check: async ({ make, response }) => {
      const { user } = await ownerCalls<{ user: { isActive: boolean } }>('GET', 'users.getUser', { id: await make.user() })
      expect(user.isActive, 'the target is active unless the call succeeded').toBe(response.status !== 200)
    },
  },
  'dashboard.getDashboard': {
    method: 'GET',
    realm: 'tenant',
    status: signedIn,
    landing: 404,
    // Each part only with its page's permission: a member sees people but not the audit log or invitations.
    check: async ({ caller, response }) => {
      if (response.status !== 200) return
      const data = resultOf<{ people: unknown; activity: unknown; pending: unknown }>(response)
      expect(data.people, caller).not.toBeNull()
      expect(data.activity === null, caller).toBe(caller === 'member')
      expect(data.pending === null, caller).toBe(caller === 'member')
    },
  },
  'roles.getRole': {
    method: 'GET',
    realm: 'tenant',
    data: async ({ ids }: DataContext) => ({ id: ids.memberRole }),
    status: writers,
    landing: 404,
    invalid: { id: 'not-a-uuid' },
  },
  'roles.listRoles': { method: 'GET', realm: 'tenant', status: writers, landing: 404 },
  'roles.createRole': {
    method: 'POST',
    realm: 'tenant',
    data: () => ({ name: unique('role'), permissions: ['categories:read'] }),
    status: writers,
    landing: 404,
    invalid: { name: '' },
  },
  'roles.updateRole': {
    method: 'POST',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ id: await make.role(), data: { description: 'Described by the matrix' } }),
    status: writers,
    landing: 404,
    invalid: { id: 'not-a-uuid', data: {} },
  },
  'roles.deleteRole': {
    method: 'POST',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ id: await make.role() }),
    status: writers,
    landing: 404,
    invalid: { id: 'not-a-uuid' },
    targetPerCaller: true,
  },
  'roles.savePermissionMatrix': {
    method: 'POST',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ roles: [{ id: await make.role(), permissions: ['categories:read'] }] }),
    status: writers,
    landing: 404,
    invalid: { roles: [] },
  },

  'trash.listTrash': {
    method: 'GET',
    realm: 'tenant',
    data: {},
    // Each kind of item needs its write permission; a member has none of them.
    status: writers,
    landing: 404,
    permissionAfterInput: true,
    invalid: { pageSize: 1 },
  },
  'trash.restoreFromTrash': {
    method: 'POST',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ type: 'user', id: await make.trashedUser() }),
    status: writers,
    landing: 404,
    permissionAfterInput: true,
    invalid: { type: 'planet', id: randomUUID() },
    targetPerCaller: true,
  },
  'trash.getPurgeImpact': {
    method: 'GET',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ type: 'user', id: await make.trashedUser() }),
    // Permanent deletion needs trash:purge, which only the owner holds.
    status: ownerOnly,
    landing: 404,
    permissionAfterInput: true,
    invalid: { type: 'user', id: 'not-a-uuid' },
  },
  'trash.purgeFromTrash': {
    method: 'POST',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ type: 'user', id: await make.trashedUser() }),
    status: ownerOnly,
    landing: 404,
    permissionAfterInput: true,
    invalid: { type: 'user', id: 'not-a-uuid' },
    targetPerCaller: true,
  },

  'audit.listAudit': { method: 'GET', realm: 'tenant', data: { pageSize: 5 }, status: writers, landing: 404, invalid: { pageSize: 1 } },
  'audit.getAuditEvent': {
    method: 'GET',
    realm: 'tenant',
    data: ({ ids }: DataContext) => ({ id: ids.acmeAuditEvent }),
    status: writers,
    landing: 404,
    invalid: { id: 'not-a-uuid' },
  },
  'audit.getAuditOptions': { method: 'GET', realm: 'tenant', status: writers, landing: 404 },
  'audit.verifyAuditChain': { method: 'GET', realm: 'tenant', status: writers, landing: 404 },
  'settings.getSettings': { method: 'GET', realm: 'tenant', status: ownerOnly, landing: 404 },
  'settings.updateSettings': {
    method: 'POST',
    realm: 'tenant',
    // The default language again (each visitor's browser language), and no new name: other tests read the workspace
    // name, and the sign-in page's language follows Accept-Language only while no fixed language is set.
    data: { settings: { defaultLanguage: '' } },
    status: ownerOnly,
    landing: 404,
    invalid: { settings: {} },
  },

  'teams.listOrganizations': { method: 'GET', realm: 'tenant', data: {}, status: readers, landing: 404, invalid: { pageSize: 1 } },
  'teams.createOrganization': {
    method: 'POST',
    realm: 'tenant',
    data: () => ({ name: unique('organization') }),
    status: writers,
    landing: 404,
    invalid: { name: '' },
  },
  'teams.updateOrganization': {
    method: 'POST',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ id: await make.organization(), data: { description: 'Described by the matrix' } }),
    status: writers,
    landing: 404,
    invalid: { id: 'not-a-uuid', data: {} },
  },
  'teams.deleteOrganization': {
    method: 'POST',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ id: await make.organization() }),
    status: writers,
    landing: 404,
    invalid: { id: 'not-a-uuid' },
    targetPerCaller: true,
  },
  'teams.listTeams': { method: 'GET', realm: 'tenant', data: {}, status: readers, landing: 404, invalid: { pageSize: 1 } },
  'teams.getTeam': {
    method: 'GET',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ id: await make.team() }),
    status: readers,
    landing: 404,
    invalid: { id: 'not-a-uuid' },
  },
  'teams.createTeam': {
    method: 'POST',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ organizationId: await make.organization(), name: unique('team') }),
    status: writers,
    landing: 404,
    invalid: { organizationId: 'not-a-uuid', name: 'A team' },
  },
  'teams.updateTeam': {
    method: 'POST',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ id: await make.team(), data: { description: 'Described by the matrix' } }),
    status: writers,
    landing: 404,
    invalid: { id: 'not-a-uuid', data: {} },
  },
  'teams.deleteTeam': {
    method: 'POST',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ id: await make.team() }),
    status: writers,
    landing: 404,
    invalid: { id: 'not-a-uuid' },
    targetPerCaller: true,
  },
  'teams.listTeamMembers': {
    method: 'GET',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ teamId: (await make.membership()).teamId }),
    status: readers,
    landing: 404,
    invalid: { teamId: 'not-a-uuid' },
  },
  'teams.addTeamMember': {
    method: 'POST',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ teamId: await make.team(), userId: await make.user() }),
    status: writers,
    landing: 404,
    invalid: { teamId: 'not-a-uuid', userId: randomUUID() },
    targetPerCaller: true,
  },
  'teams.setTeamMemberRole': {
    method: 'POST',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ ...(await make.membership()), role: 'admin' }),
    status: writers,
    landing: 404,
    invalid: { teamId: randomUUID(), userId: randomUUID(), role: 'emperor' },
  },
  'teams.removeTeamMember': {
    method: 'POST',
    realm: 'tenant',
    data: async ({ make }: DataContext) => make.membership(),
    status: writers,
    landing: 404,
    invalid: { teamId: 'not-a-uuid', userId: randomUUID() },
    targetPerCaller: true,
  },
  'console.getConsoleOverview': { method: 'GET', realm: 'console', status: superuserOnly, landing: 404 },
  'console.listTenants': {
    method: 'GET',
    realm: 'console',
    data: { q: 'acme' },
    status: superuserOnly,
    landing: 404,
    invalid: { pageSize: 1000 },
    check: async ({ caller, response }) => {
      if (caller !== 'superuser') return
      const { items } = resultOf<{ items: { slug: string; people: number }[] }>(response)
      expect(items.find((t) => t.slug === 'acme')?.people).toBeGreaterThan(3)
    },
  },
  'console.getTenant': { method: 'GET', realm: 'console', data: async () => ({ id: await acmeId() }), status: superuserOnly, landing: 404, invalid: { id: 'x' } },
  'console.listTenantPeople': {
    method: 'GET',
    realm: 'console',
    data: async () => ({ id: await acmeId(), q: 'mia' }),
    status: superuserOnly,
    landing: 404,
    invalid: { id: 'x' },
  },
  'console.listTenantAudit': { method: 'GET', realm: 'console', data: async () => ({ id: await acmeId() }), status: superuserOnly, landing: 404, invalid: { id: 'x' } },
  'console.getActivity': { method: 'GET', realm: 'console', data: {}, status: superuserOnly, landing: 404, invalid: { id: 'x' } },
  'console.provisionTenant': {
    method: 'POST',
    realm: 'console',
    data: () => ({ name: unique('tenant'), slug: `zz-matrix-${randomUUID().slice(0, 8)}`, ownerEmail: uniqueEmail('owner', 'matrix') }),
    status: superuserOnly,
    landing: 404,
    invalid: { name: 'Reserved', slug: 'www', ownerEmail: 'owner@example.test' },
  },
  // Without a fresh code in this session the sensitive actions are refused before anything is looked up.
  'console.suspendTenant': {
    method: 'POST',
    realm: 'console',
    data: async () => ({ id: await acmeId(), reason: 'Matrix check' }),
    status: { ...superuserOnly, superuser: 403 },
    landing: 404,
    // The fresh-code check runs in the handler, after the input is validated.
    permissionAfterInput: true,
    invalid: { id: 'x', reason: '' },
  },
  'console.reactivateTenant': {
    method: 'POST',
    realm: 'console',
    data: async () => ({ id: await acmeId() }),
    status: { ...superuserOnly, superuser: 409 },
    landing: 404,
    invalid: { id: 'x' },
  },
  'console.deleteTenant': {
    method: 'POST',
    realm: 'console',
    data: async () => ({ id: await acmeId() }),
    status: { ...superuserOnly, superuser: 403 },
    landing: 404,
    // The fresh-code check runs in the handler, after the input is validated.
    permissionAfterInput: true,
    invalid: { id: 'x' },
  },
  'console.restoreTenant': {
    method: 'POST',
    realm: 'console',
    data: async () => ({ id: await acmeId() }),
    status: { ...superuserOnly, superuser: 409 },
    landing: 404,
    invalid: { id: 'x' },
  },
  'console.purgeTenant': {
    method: 'POST',
    realm: 'console',
    data: async () => ({ id: await acmeId(), confirmSlug: 'acme' }),
    status: { ...superuserOnly, superuser: 403 },
    landing: 404,
    // The fresh-code check runs in the handler, after the input is validated.
    permissionAfterInput: true,
    invalid: { id: 'x', confirmSlug: 'acme' },
  },
  'console.searchAllUsers': {
    method: 'GET',
    realm: 'console',
    data: { q: 'same@example' },
    status: superuserOnly,
    landing: 404,
    invalid: { q: '' },
    check: async ({ caller, response }) => {
      if (caller !== 'superuser') return
      const { items } = resultOf<{ items: { tenantSlug: string }[] }>(response)
      expect(items.map((i) => i.tenantSlug).sort()).toEqual(['acme', 'globex'])
    },
  },
  'console.listGlobalAudit': { method: 'GET', realm: 'console', data: {}, status: superuserOnly, landing: 404, invalid: { tenantId: 'x' } },
  'impersonation.startImpersonation': {
    method: 'POST',
    realm: 'console',
    data: async () => ({ tenantId: await acmeId(), userId: randomUUID(), reason: 'Matrix check of the guardrails' }),
    status: { ...superuserOnly, superuser: 403 },
    landing: 404,
    // The fresh-code check runs in the handler, after the input is validated.
    permissionAfterInput: true,
    invalid: { tenantId: 'x', userId: 'y', reason: '' },
  },
  // Anyone may try a handoff at a tenant; a bogus one is gone (410).
  'impersonation.redeemImpersonation': {
    method: 'POST',
    realm: 'tenant',
    data: { token: BOGUS_TOKEN },
    status: everyone(410),
    landing: 404,
    invalid: { token: 'x' },
  },
  'impersonation.stopImpersonation': {
    method: 'POST',
    realm: 'tenant',
    status: { ...everyone(401), member: 409, admin: 409, owner: 409 },
    landing: 404,
  },
  // The second sign-in step needs the challenge cookie of a password that checked out; nobody here has one.
  'mfa.startEnrollment': { method: 'POST', realm: 'console', status: everyone(401), landing: 404 },
  'mfa.completeSignIn': { method: 'POST', realm: 'console', data: { code: '123456' }, status: everyone(401), landing: 404 },
  // The console realm, then the superuser check in the handler after validation: no `invalid` row (it would be a 400).
  'mfa.stepUp': {
    method: 'POST',
    realm: 'console',
    data: { code: 'zzzzz-zzzzz' },
    status: { ...superuserOnly, superuser: 401 },
    landing: 404,
  },
  'categories.listCategoryChildren': { method: 'GET', realm: 'tenant', data: {}, status: readers, landing: 404, invalid: { parentId: 'not-a-uuid' } },
  'categories.revealCategory': {
    method: 'GET',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ id: await make.category() }),
    status: readers,
    landing: 404,
    invalid: { id: 'not-a-uuid' },
  },
  'categories.getCategory': {
    method: 'GET',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ id: await make.category() }),
    status: readers,
    landing: 404,
    invalid: { id: 'not-a-uuid' },
  },
  'categories.searchCategories': { method: 'GET', realm: 'tenant', data: { q: 'lap' }, status: readers, landing: 404, invalid: { q: '' } },
  'categories.createCategory': {
    method: 'POST',
    realm: 'tenant',
    data: () => ({ name: unique('category') }),
    status: writers,
    landing: 404,
    invalid: { name: '' },
  },
  'categories.updateCategory': {
    method: 'POST',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ id: await make.category(), data: { description: 'Described by the matrix' } }),
    status: writers,
    landing: 404,
    invalid: { id: 'not-a-uuid', data: {} },
  },
  'categories.moveCategory': {
    method: 'POST',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ id: await make.category(), parentId: null, expectedParentId: null }),
    status: writers,
    landing: 404,
    invalid: { id: 'not-a-uuid', parentId: null, expectedParentId: null },
  },
  'categories.reorderCategory': {
    method: 'POST',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ id: await make.category(), direction: 'up', expectedParentId: null }),
    status: writers,
    landing: 404,
    invalid: { id: randomUUID(), direction: 'sideways', expectedParentId: null },
  },
  'categories.getCategoryDeleteImpact': {
    method: 'GET',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ id: await make.category() }),
    status: writers,
    landing: 404,
    invalid: { id: 'not-a-uuid' },
  },
  'categories.deleteCategory': {
    method: 'POST',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ id: await make.category() }),
    status: writers,
    landing: 404,
    invalid: { id: 'not-a-uuid' },
    targetPerCaller: true,
  },
  'categories.restoreCategory': {
    method: 'POST',
    realm: 'tenant',
    data: async ({ make }: DataContext) => ({ id: await make.trashedCategory() }),
    status: writers,
    landing: 404,
    invalid: { id: 'not-a-uuid' },
    targetPerCaller: true,
  },
}

test('the matrix lists exactly the server functions in app/features, with their methods', () => {
  const discovered = new Map([...discoverServerFunctions()].map(([id, f]) => [id, f.method]))
  expect(discovered.size).toBeGreaterThan(0)
  const missing = [...discovered.keys()].filter((id) => !(id in MATRIX))
  const gone = Object.keys(MATRIX).filter((id) => !discovered.has(id))
  expect(missing, 'server functions without a row in the matrix').toEqual([])
  expect(gone, 'matrix rows for server functions that no longer exist').toEqual([])
  for (const [id, method] of discovered) expect(MATRIX[id]?.method, id).toBe(method)
})

test.describe('every server function answers every caller as the matrix says', () => {
  for (const [id, entry] of Object.entries(MATRIX)) {
    test(id, async () => {
      const host = entry.realm === 'console' ? 'console' : 'acme'
      const ids = await fixtureIds()
      const shared = targets()
      for (const caller of CALLERS) {
        const cookie = caller === 'anonymous' ? null : entry.freshSession ? await signIn(caller) : await session(caller)
        const ctx: DataContext = { caller, make: entry.targetPerCaller ? targets() : shared, ids }
        const response = await callOverHttp({ host, method: entry.method, id, data: await dataFor(entry, ctx), cookie })
        expect(response.status, `${id} as ${caller}: ${response.text}`).toBe(entry.status[caller])
        if (response.status === 200) expect(() => resultOf(response), `${id} as ${caller} answered a result`).not.toThrow()
        await entry.check?.({ ...ctx, cookie, response })

        if (entry.invalid !== undefined && !entry.freshSession) {
          const refusedFirst = [401, 404].includes(entry.status[caller]) || (entry.status[caller] === 403 && !entry.permissionAfterInput)
          const bad = await callOverHttp({ host, method: entry.method, id, data: entry.invalid, cookie })
          expect(bad.status, `${id} with invalid input as ${caller}: ${bad.text}`).toBe(refusedFirst ? entry.status[caller] : 400)
        }
      }

      const data = await dataFor(entry, { caller: 'anonymous', make: shared, ids })
      const landing = await callOverHttp({ host: null, method: entry.method, id, data })
      expect(landing.status, `${id} on the landing host: ${landing.text}`).toBe(entry.landing)
    })
  }
})

test("another tenant's ids are a 404 at acme, exactly like missing ones, and nothing changes at globex", async () => {
  const ids = await fixtureIds()
  const target = await targets().user()
  const foreign = [
    { fn: 'users.getUser', method: 'GET', data: (id: string) => ({ id }), of: ids.globexUser },
    { fn: 'users.getDeletedUser', method: 'GET', data: (id: string) => ({ id }), of: ids.globexUser },
    { fn: 'users.updateUser', method: 'POST', data: (id: string) => ({ id, data: { fullName: 'Taken Over' } }), of: ids.globexUser },
    { fn: 'users.setUserRoles', method: 'POST', data: (id: string) => ({ id, roleIds: [] }), of: ids.globexUser },
    { fn: 'users.deactivateUser', method: 'POST', data: (id: string) => ({ id }), of: ids.globexUser },
    { fn: 'users.deleteUser', method: 'POST', data: (id: string) => ({ id }), of: ids.globexUser },
    { fn: 'trash.restoreFromTrash', method: 'POST', data: (id: string) => ({ type: 'user', id }), of: ids.globexUser },
    { fn: 'users.setUserRoles', method: 'POST', data: (id: string) => ({ id: target, roleIds: [id] }), of: ids.globexRole },
    { fn: 'auth.inviteUser', method: 'POST', data: (id: string) => ({ email: uniqueEmail('foreign-role'), roleId: id }), of: ids.globexRole },
    { fn: 'users.bulkUpdateUsers', method: 'POST', data: (id: string) => ({ action: 'deactivate', ids: [target, id] }), of: ids.globexUser },
    { fn: 'roles.getRole', method: 'GET', data: (id: string) => ({ id }), of: ids.globexRole },
    { fn: 'roles.updateRole', method: 'POST', data: (id: string) => ({ id, data: { description: 'Taken over' } }), of: ids.globexRole },
    { fn: 'roles.savePermissionMatrix', method: 'POST', data: (id: string) => ({ roles: [{ id, permissions: [] }] }), of: ids.globexRole },
    { fn: 'roles.deleteRole', method: 'POST', data: (id: string) => ({ id }), of: ids.globexRole },
    { fn: 'teams.getTeam', method: 'GET', data: (id: string) => ({ id }), of: ids.globexTeam },
    { fn: 'teams.updateTeam', method: 'POST', data: (id: string) => ({ id, data: { name: 'Taken over' } }), of: ids.globexTeam },
    { fn: 'teams.addTeamMember', method: 'POST', data: (id: string) => ({ teamId: id, userId: target }), of: ids.globexTeam },
    { fn: 'teams.deleteTeam', method: 'POST', data: (id: string) => ({ id }), of: ids.globexTeam },
    { fn: 'teams.createTeam', method: 'POST', data: (id: string) => ({ organizationId: id, name: 'Planted' }), of: ids.globexOrganization },
    { fn: 'teams.updateOrganization', method: 'POST', data: (id: string) => ({ id, data: { name: 'Taken over' } }), of: ids.globexOrganization },
    { fn: 'teams.deleteOrganization', method: 'POST', data: (id: string) => ({ id }), of: ids.globexOrganization },
    { fn: 'categories.listCategoryChildren', method: 'GET', data: (id: string) => ({ parentId: id }), of: ids.globexCategory },
    { fn: 'categories.revealCategory', method: 'GET', data: (id: string) => ({ id }), of: ids.globexCategory },
    { fn: 'categories.getCategory', method: 'GET', data: (id: string) => ({ id }), of: ids.globexCategory },
    { fn: 'categories.createCategory', method: 'POST', data: (id: string) => ({ parentId: id, name: 'Planted' }), of: ids.globexCategory },
    { fn: 'categories.updateCategory', method: 'POST', data: (id: string) => ({ id, data: { name: 'Taken over' } }), of: ids.globexCategory },
    { fn: 'categories.moveCategory', method: 'POST', data: (id: string) => ({ id, parentId: null, expectedParentId: null }), of: ids.globexCategory },
    { fn: 'categories.reorderCategory', method: 'POST', data: (id: string) => ({ id, direction: 'down', expectedParentId: null }), of: ids.globexCategory },
    { fn: 'categories.getCategoryDeleteImpact', method: 'GET', data: (id: string) => ({ id }), of: ids.globexCategory },
    { fn: 'categories.deleteCategory', method: 'POST', data: (id: string) => ({ id }), of: ids.globexCategory },
    { fn: 'categories.restoreCategory', method: 'POST', data: (id: string) => ({ id }), of: ids.globexCategory },
    { fn: 'audit.getAuditEvent', method: 'GET', data: (id: string) => ({ id }), of: ids.globexAuditEvent },
  ] as const
  for (const call of foreign) {
    for (const [which, id] of [['globex', call.of], ['missing', randomUUID()]] as const) {
      const response = await ownerCall(call.method, call.fn, call.data(id))
      expect(response.status, `${call.fn} with a ${which} id: ${response.text}`).toBe(404)
    }
  }

  const { user, permissions } = await globexCalls<{ user: { id: string; fullName: string } | null; permissions: string[] }>('GET', 'auth.getTenantSession')
  expect(user).toMatchObject({ id: ids.globexUser, fullName: 'Hank Scorpio' })
  expect([...permissions].sort()).toEqual([...SYSTEM_ROLES.owner.permissions].sort())
  const roles = await globexCalls<{ id: string; description: string }[]>('GET', 'roles.listRoles')
  expect(roles.map((r) => r.id)).toContain(ids.globexRole)
  expect(roles.map((r) => r.description)).not.toContain('Taken over')
  expect((await globexCalls<{ name: string }>('GET', 'teams.getTeam', { id: ids.globexTeam })).name).toBe('Labs')
  const organizations = await globexCalls<{ items: { id: string; name: string; teamCount: number }[] }>('GET', 'teams.listOrganizations', {})
  expect(organizations.items).toEqual([expect.objectContaining({ id: ids.globexOrganization, name: 'Research', teamCount: 1 })])
  const globexRoots = await globexCalls<{ items: { id: string; name: string }[] }>('GET', 'categories.listCategoryChildren', {})
  expect(globexRoots.items.map((c) => c.name)).toEqual(['Projects', 'Facilities'])
})

test("an admin cannot take over an owner's account by changing its email (the reset link goes there)", async () => {
  const admin = await session('admin')
  const ownerId = (await ownerCalls<{ user: { id: string } }>('GET', 'auth.getTenantSession')).user.id
  const takeover = await callOverHttp({
    host: 'acme',
    method: 'POST',
    id: 'users.updateUser',
    data: { id: ownerId, data: { email: uniqueEmail('takeover') } },
    cookie: admin,
  })
  expect(takeover.status, takeover.text).toBe(403)
  const { user } = await ownerCalls<{ user: { email: string } }>('GET', 'users.getUser', { id: ownerId })
  expect(user.email).toBe('owner@acme.test')

  // The same admin may change the email of someone who holds nothing more than they do.
  const member = await targets().user()
  const email = uniqueEmail('renamed')
  const allowedChange = await callOverHttp({ host: 'acme', method: 'POST', id: 'users.updateUser', data: { id: member, data: { email } }, cookie: admin })
  expect(allowedChange.status, allowedChange.text).toBe(200)
  expect((await ownerCalls<{ user: { email: string } }>('GET', 'users.getUser', { id: member })).user.email).toBe(email)
})

/** Each caller's session, signed in once per worker. */
const sessions = new Map<SignedInCaller, Promise<string>>()
function signIn(caller: SignedInCaller): Promise<string> {
  const { host, email } = ACCOUNTS[caller]
  return sessionCookie(host, email, DEMO_PASSWORD)
}
function session(caller: SignedInCaller): Promise<string> {
  const cookie = sessions.get(caller) ?? signIn(caller)
  sessions.set(caller, cookie)
  return cookie
}

async function dataFor(entry: Entry, ctx: DataContext): Promise<unknown> {
  return typeof entry.data === 'function' ? entry.data(ctx) : entry.data
}

async function ownerCall(method: Method, id: string, data?: unknown): Promise<ServerFnResponse> {
  return callOverHttp({ host: 'acme', method, id, data, cookie: await session('owner') })
}

async function ownerCalls<T>(method: Method, id: string, data?: unknown): Promise<T> {
  const response = await ownerCall(method, id, data)
  if (response.status !== 200) throw new Error(`${id} as the owner: ${response.status} ${response.text}`)
  return resultOf<T>(response)
}

/** A fresh pending invitation at acme, made by the owner; returns its id. */
async function ownerInvites(): Promise<string> {
  return (await ownerCalls<{ id: string }>('POST', 'auth.inviteUser', { email: uniqueEmail('matrix-pending'), fullName: PERSON })).id
}

/** acme's tenant id, as the console lists it. */
const acmeId = once(async () => {
  const response = await callOverHttp({ host: 'console', method: 'GET', id: 'console.listTenants', data: { q: 'acme' }, cookie: await session('superuser') })
  const { items } = resultOf<{ items: { id: string; slug: string }[] }>(response)
  const acme = items.find((t) => t.slug === 'acme')
  if (!acme) throw new Error(`acme not listed: ${response.text}`)
  return acme.id
})

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined
  return () => {
    made ??= make()
    return made
  }
}

function targets(): Targets {
  const user = once(async () => (await ownerCalls<{ id: string }>('POST', 'users.createUser', { email: uniqueEmail('matrix-target'), fullName: PERSON })).id)
  const role = once(async () => (await ownerCalls<{ id: string }>('POST', 'roles.createRole', { name: unique('role'), permissions: ['categories:read'] })).id)
  const organization = once(async () => (await ownerCalls<{ id: string }>('POST', 'teams.createOrganization', { name: unique('organization') })).id)
  const team = once(
    async () => (await ownerCalls<{ id: string }>('POST', 'teams.createTeam', { organizationId: await organization(), name: unique('team') })).id,
  )
  const membership = once(async () => {
    const ids = { teamId: await team(), userId: await user() }
    await ownerCalls('POST', 'teams.addTeamMember', ids)
    return ids
  })
  const trashedUser = once(async () => {
    const id = await user()
    await ownerCalls('POST', 'users.deleteUser', { id })
    return id
  })
  const category = once(async () => {
    const root = await ownerCalls<{ id: string }>('POST', 'categories.createCategory', { name: unique('category') })
    await ownerCalls('POST', 'categories.createCategory', { parentId: root.id, name: 'Child' })
    return root.id
  })
  const trashedCategory = once(async () => {
    const id = await category()
    await ownerCalls('POST', 'categories.deleteCategory', { id })
    return id
  })
  return { user, role, organization, team, membership, trashedUser, category, trashedCategory }
}

async function globexCalls<T>(method: Method, id: string, data?: unknown): Promise<T> {
  const response = await callOverHttp({ host: 'globex', method, id, data, cookie: await session('otherTenant') })
  if (response.status !== 200) throw new Error(`${id} at globex: ${response.status} ${response.text}`)
  return resultOf<T>(response)
}

/** Ids of acme's member role and of records at globex, looked up once per worker. */
const fixtureIds = once(async (): Promise<Ids> => {
  const options = await ownerCalls<{ roles: { id: string; systemKey: string | null }[] }>('GET', 'users.getUserFilterOptions')
  const memberRole = options.roles.find((r) => r.systemKey === 'member')?.id
  const globexUser = (await globexCalls<{ user: { id: string } | null }>('GET', 'auth.getTenantSession')).user?.id
  const globexRole = (await globexCalls<{ id: string; systemKey: string | null }[]>('GET', 'roles.listRoles')).find((r) => r.systemKey === 'admin')?.id
  const globexTeam = (await globexCalls<{ items: { id: string; name: string }[] }>('GET', 'teams.listTeams', {})).items.find((t) => t.name === 'Labs')?.id
  const globexOrganization = (await globexCalls<{ items: { id: string; name: string }[] }>('GET', 'teams.listOrganizations', {})).items.find(
    (o) => o.name === 'Research',
  )?.id
  const globexCategory = (await globexCalls<{ items: { id: string; name: string }[] }>('GET', 'categories.listCategoryChildren', {})).items.find(
    (c) => c.name === 'Projects',
  )?.id
  const acmeAuditEvent = (await ownerCalls<{ items: { id: string }[] }>('GET', 'audit.listAudit', { pageSize: 5 })).items[0]?.id
  const globexAuditEvent = (await globexCalls<{ items: { id: string }[] }>('GET', 'audit.listAudit', { pageSize: 5 })).items[0]?.id
  if (!memberRole || !globexUser || !globexRole || !globexTeam || !globexOrganization || !globexCategory || !acmeAuditEvent || !globexAuditEvent) {
    throw new Error('fixture ids not found')
  }
  return { memberRole, globexUser, globexRole, globexTeam, globexOrganization, globexCategory, acmeAuditEvent, globexAuditEvent }
})
