import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { syncSystemRoleGrants } from '~/features/roles/roles.server'
import { SYSTEM_ROLES } from '~/lib/permissions'
import { rolePermissions, roles } from '~/server/db/schema'
import { withConsole } from '~/server/db/scope.server'
import { openTestDatabase, type TestDatabase } from '../support/db'
import { createTestTenant } from '../support/fixtures'

let t: TestDatabase
beforeAll(async () => {
  t = await openTestDatabase()
})
afterAll(() => t.close())

async function grantsOf(tenantId: string, systemKey: 'owner' | 'admin' | 'member') {
  const rows = await t.owner.db
    .select({ key: rolePermissions.permissionKey })
    .from(rolePermissions)
    .innerJoin(roles, and(eq(roles.tenantId, rolePermissions.tenantId), eq(roles.id, rolePermissions.roleId)))
    .where(and(eq(roles.tenantId, tenantId), eq(roles.systemKey, systemKey)))
  return rows.map((r) => r.key).sort()
}

describe('system roles follow the permission catalog', () => {
  it('restores missing grants and removes extra ones in every tenant, and leaves custom roles alone', async () => {
    const a = await createTestTenant()
    const b = await createTestTenant()
    await withConsole({}, async (tx) => {
      await tx
        .delete(rolePermissions)
        .where(
          and(eq(rolePermissions.tenantId, a.tenant.id), eq(rolePermissions.roleId, a.roleIds.owner), eq(rolePermissions.permissionKey, 'trash:purge')),
        )
      await tx.insert(rolePermissions).values({ tenantId: b.tenant.id, roleId: b.roleIds.member, permissionKey: 'tenant:manage' })
    })
    expect(await grantsOf(a.tenant.id, 'owner')).not.toContain('trash:purge')
    expect(await grantsOf(b.tenant.id, 'member')).toContain('tenant:manage')

    await withConsole({ requestId: 'sync' }, (tx) => syncSystemRoleGrants(tx))

    for (const tenant of [a, b]) {
      for (const key of ['owner', 'admin', 'member'] as const) {
        expect(await grantsOf(tenant.tenant.id, key)).toEqual([...SYSTEM_ROLES[key].permissions].sort())
      }
    }
  })
})
