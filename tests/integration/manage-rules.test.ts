import { and, eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { restoreItem } from '~/features/trash/trash.server'
import { assertMayManage, createUser } from '~/features/users/users.server'
import { HttpError } from '~/lib/errors'
import { SYSTEM_ROLES } from '~/lib/permissions'
import { rolePermissions, roles } from '~/server/db/schema'
import { withTenant } from '~/server/db/scope.server'
import { ofTenant } from '~/server/db/tenant.server'
import { openTestDatabase, type TestDatabase } from '../support/db'
import { createTestTenant } from '../support/fixtures'

let t: TestDatabase
beforeAll(async () => {
  t = await openTestDatabase()
})
afterAll(() => t.close())

async function statusOf(work: Promise<unknown>): Promise<number> {
  try {
    await work
    return 200
  } catch (e) {
    if (e instanceof HttpError) return e.status
    throw e
  }
}

const admin = SYSTEM_ROLES.admin.permissions
const owner = SYSTEM_ROLES.owner.permissions

describe('who may manage whom', () => {
  it('lets an admin manage members and other admins but not an owner; an owner manages everyone', async () => {
    const { tenant, owner: theOwner, roleIds } = await createTestTenant()
    await withTenant({ tenantId: tenant.id }, async (tx) => {
      const member = await createUser(tx, { tenantId: tenant.id, email: 'm@x.test', fullName: 'M', roleIds: [roleIds.member] })
      const otherAdmin = await createUser(tx, { tenantId: tenant.id, email: 'a@x.test', fullName: 'A', roleIds: [roleIds.admin] })
      expect(await statusOf(assertMayManage(tx, admin, member.id))).toBe(200)
      expect(await statusOf(assertMayManage(tx, admin, otherAdmin.id))).toBe(200)
      expect(await statusOf(assertMayManage(tx, admin, theOwner.id))).toBe(403)
      expect(await statusOf(assertMayManage(tx, owner, theOwner.id))).toBe(200)
      expect(await statusOf(assertMayManage(tx, owner, '00000000-0000-4000-8000-000000000000'))).toBe(404)
    })
  })

  it('restores a deleted role only for someone holding all of its permissions', async () => {
    const { tenant } = await createTestTenant()
    const roleId = await withTenant({ tenantId: tenant.id }, async (tx) => {
      const [role] = await tx.insert(roles).values({ tenantId: tenant.id, name: 'Purger' }).returning()
      if (!role) throw new Error('no role')
      await tx.insert(rolePermissions).values({ tenantId: tenant.id, roleId: role.id, permissionKey: 'trash:purge' })
      await tx.update(roles).set({ isDeleted: true, deletedAt: sql`now()` }).where(and(ofTenant(roles), eq(roles.id, role.id)))
      return role.id
    })
    expect(await statusOf(withTenant({ tenantId: tenant.id }, (tx) => restoreItem(tx, 'role', roleId, admin)))).toBe(403)
    expect(await statusOf(withTenant({ tenantId: tenant.id }, (tx) => restoreItem(tx, 'role', roleId, owner)))).toBe(200)
    const [row] = await t.owner.db.select({ isDeleted: roles.isDeleted }).from(roles).where(eq(roles.id, roleId))
    expect(row?.isDeleted).toBe(false)
  })
})
