import { randomBytes } from 'node:crypto'
import { createUser } from '~/features/users/users.server'
import { accounts, categories, invitations, organizations, roles, sessions, teams, userMfa, userTeamLinks, verifications } from '~/server/db/schema'
import { withTenant } from '~/server/db/scope.server'
import { createTestTenant, testPasswordHash } from './fixtures'

export type TenantData = Awaited<ReturnType<typeof createTenantWithData>>

let counter = 0
/** A value no other row has: unique constraints never get in a test's way. */
export function unique(prefix: string): string {
  counter += 1
  return `${prefix}-${counter}-${randomBytes(3).toString('hex')}`
}

const inADay = () => new Date(Date.now() + 86_400_000)

/**
 * A provisioned tenant with at least one row in every tenant table. `freeUserId` has no roles and no team links,
 * `freeRoleId` no permissions and no users, `emptyTeamId` no members, so a test may link any of them to anything.
 */
export async function createTenantWithData() {
  const { tenant, owner, roleIds } = await createTestTenant()
  const tenantId = tenant.id
  const hash = await testPasswordHash()
  return withTenant({ tenantId, userId: owner.id, requestId: 'fixture' }, async (tx) => {
    const free = await createUser(tx, { tenantId, email: `${unique('free')}@example.test`, fullName: 'Free User', password: { hash } })
    const [freeRole] = await tx.insert(roles).values({ tenantId, name: unique('Unassigned') }).returning()
    const [orgA, orgB] = await tx
      .insert(organizations)
      .values([
        { tenantId, name: unique('Org A') },
        { tenantId, name: unique('Org B') },
      ])
      .returning()
    if (!freeRole || !orgA || !orgB) throw new Error('fixture insert returned no row')
    const [teamA, emptyTeam] = await tx
      .insert(teams)
      .values([
        { tenantId, organizationId: orgA.id, name: 'Team A' },
        { tenantId, organizationId: orgB.id, name: 'Empty team' },
      ])
      .returning()
    if (!teamA || !emptyTeam) throw new Error('fixture insert returned no row')
    await tx.insert(userTeamLinks).values({ tenantId, userId: owner.id, teamId: teamA.id, role: 'owner' })
    const [root] = await tx.insert(categories).values({ tenantId, name: 'Root' }).returning()
    if (!root) throw new Error('fixture insert returned no row')
    const [child] = await tx.insert(categories).values({ tenantId, name: 'Child', parentId: root.id }).returning()
    if (!child) throw new Error('fixture insert returned no row')
    await tx.insert(categories).values({ tenantId, name: 'Grandchild', parentId: child.id })
    await tx.insert(sessions).values({ tenantId, userId: owner.id, token: unique('token'), expiresAt: inADay() })
    await tx.insert(accounts).values({ tenantId, userId: owner.id, accountId: unique('gh'), providerId: 'github', accessToken: unique('at') })
    await tx.insert(verifications).values({ tenantId, identifier: unique('reset'), value: unique('value'), expiresAt: inADay() })
    await tx.insert(userMfa).values({ tenantId, userId: owner.id, secret: unique('mfa') })
    await tx.insert(invitations).values({
      tenantId,
      email: `${unique('invitee')}@example.test`,
      roleId: roleIds.member,
      tokenHash: unique('hash'),
      expiresAt: inADay(),
      invitedById: owner.id,
    })
    return {
      tenantId,
      slug: tenant.slug,
      ownerId: owner.id,
      freeUserId: free.id,
      freeRoleId: freeRole.id,
      roleIds,
      orgId: orgA.id,
      teamId: teamA.id,
      emptyTeamId: emptyTeam.id,
      rootCategoryId: root.id,
      childCategoryId: child.id,
    }
  })
}
