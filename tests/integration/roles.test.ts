import { english } from '../support/errors'
import { randomUUID } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { permissionMatrixSchema } from '~/features/roles/roles.schemas'
import {
  applyPermissionMatrix,
  editRole,
  insertRole,
  listRolesWithHolders,
  type RoleActor,
  requireRoles,
  softDeleteRole,
} from '~/features/roles/roles.server'
import { createUser } from '~/features/users/users.server'
import { HttpError } from '~/lib/errors'
import { PERMISSION_KEYS, type Permission, SYSTEM_ROLES } from '~/lib/permissions'
import { input } from '~/lib/validate'
import { rowsOf, type Tx } from '~/server/db/client.server'
import { auditLog, rolePermissions, roles, users } from '~/server/db/schema'
import { withTenant } from '~/server/db/scope.server'
import { ofTenant } from '~/server/db/tenant.server'
import { permissionsOf } from '~/server/session.server'
import { openTestDatabase, type TestDatabase } from '../support/db'
import { createTestTenant } from '../support/fixtures'
import { probingRls } from '../support/statement-capture'
import { unique } from '../support/tenant-data'

let t: TestDatabase
beforeAll(async () => {
  t = await openTestDatabase()
}, 60_000)
afterAll(() => t.close())

/** A fresh tenant, its owner as the actor, and a scope to run roles.server functions in as that owner. */
async function tenant() {
  const { tenant, owner, roleIds } = await createTestTenant()
  const owns: RoleActor = { tenantId: tenant.id, userId: owner.id, permissions: PERMISSION_KEYS }
  const scope = <T>(work: (tx: Tx) => Promise<T>) => withTenant({ tenantId: tenant.id, userId: owner.id, requestId: 'roles-test' }, work)
  return { tenantId: tenant.id, ownerId: owner.id, roleIds, owns, scope }
}

type Tenant = Awaited<ReturnType<typeof tenant>>

async function rejection(work: Promise<unknown>): Promise<HttpError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof HttpError)) throw new Error(`expected an HttpError, got ${String(error)}`, { cause: error })
  return error
}

async function permissionsOfRole(x: Tenant, roleId: string): Promise<string[]> {
  const rows = await x.scope((tx) => tx.select({ key: rolePermissions.permissionKey }).from(rolePermissions).where(and(ofTenant(rolePermissions), eq(rolePermissions.roleId, roleId))))
  return rows.map((r) => r.key).sort()
}

/** A person in the tenant holding the given roles, and the permissions their session would carry. */
async function personWith(x: Tenant, roleIds: string[]): Promise<RoleActor> {
  return x.scope(async (tx) => {
    const user = await createUser(tx, { tenantId: x.tenantId, email: `${unique('p')}@example.test`, fullName: 'Someone', roleIds })
    return { tenantId: x.tenantId, userId: user.id, permissions: await permissionsOf(tx, user.id) }
  })
}

const sorted = (keys: readonly string[]) => [...keys].sort()

describe('listing roles', () => {
  it('shows the system roles first, with their permissions, the System flag and how many live people hold them', async () => {
    const x = await tenant()
    await x.scope((tx) => insertRole(tx, x.owns, { name: 'Auditor', description: '', permissions: ['audit:read'] }))
    await personWith(x, [x.roleIds.member])
    const gone = await personWith(x, [x.roleIds.member])
    await x.scope((tx) => tx.update(users).set({ isDeleted: true }).where(and(ofTenant(users), eq(users.id, gone.userId))))

    const list = await x.scope((tx) => listRolesWithHolders(tx))
    expect(list.map((r) => [r.name, r.isSystem, r.holders])).toEqual([
      ['Owner', true, 1],
      ['Admin', true, 0],
      ['Member', true, 1],
      ['Auditor', false, 0],
    ])
    expect(sorted(list[0]?.permissions ?? [])).toEqual(sorted(PERMISSION_KEYS))
    expect(sorted(list[1]?.permissions ?? [])).toEqual(sorted(SYSTEM_ROLES.admin.permissions))
    expect(list[3]?.permissions).toEqual(['audit:read'])
  })
})

describe('creating and renaming roles', () => {
  it('creates a custom role with its initial permissions', async () => {
    const x = await tenant()
    const role = await x.scope((tx) =>
      insertRole(tx, x.owns, { name: 'Catalog editor', description: 'Keeps the catalog tidy', permissions: ['categories:read', 'categories:write'] }),
    )
    expect(await permissionsOfRole(x, role.id)).toEqual(['categories:read', 'categories:write'])
    const [row] = await x.scope((tx) => tx.select().from(roles).where(and(ofTenant(roles), eq(roles.id, role.id))))
    expect(row).toMatchObject({ name: 'Catalog editor', description: 'Keeps the catalog tidy', systemKey: null, isDeleted: false })
  })

  it('refuses a name that a live role already has, ignoring case, with a field error; a deleted role frees its name', async () => {
    const x = await tenant()
    const first = await x.scope((tx) => insertRole(tx, x.owns, { name: 'Support', description: '', permissions: [] }))
    for (const name of ['support', 'OWNER']) {
      const error = await rejection(x.scope((tx) => insertRole(tx, x.owns, { name, description: '', permissions: [] })))
      expect({ status: error.status, name: english(error.fieldErrors?.name) }).toEqual({ status: 409, name: expect.stringMatching(/already has this name/) })
    }
    await x.scope((tx) => softDeleteRole(tx, x.owns, first.id))
    const again = await x.scope((tx) => insertRole(tx, x.owns, { name: 'Support', description: '', permissions: [] }))
    expect(again.id).not.toBe(first.id)
  })

  it('renames and re-describes a custom role, and refuses a name in use', async () => {
    const x = await tenant()
    const role = await x.scope((tx) => insertRole(tx, x.owns, { name: 'Helpers', description: '', permissions: [] }))
    await x.scope((tx) => insertRole(tx, x.owns, { name: 'Editors', description: '', permissions: [] }))
    const renamed = await x.scope((tx) => editRole(tx, role.id, { name: 'Helpdesk', description: 'First line' }))
    expect(renamed).toEqual({ id: role.id, name: 'Helpdesk', description: 'First line' })
    const recased = await x.scope((tx) => editRole(tx, role.id, { name: 'HelpDesk' }))
    expect(recased.name).toBe('HelpDesk')

    const error = await rejection(x.scope((tx) => editRole(tx, role.id, { name: 'editors' })))
    expect({ status: error.status, name: error.fieldErrors?.name }).toEqual({ status: 409, name: expect.any(String) })
    const [row] = await x.scope((tx) => tx.select({ name: roles.name }).from(roles).where(and(ofTenant(roles), eq(roles.id, role.id))))
    expect(row?.name).toBe('HelpDesk')
  })

  it('never renames, re-describes or deletes a system role', async () => {
    const x = await tenant()
    for (const id of Object.values(x.roleIds)) {
      const rename = await rejection(x.scope((tx) => editRole(tx, id, { name: 'Boss' })))
      expect({ status: rename.status, message: english(rename.message) }).toEqual({ status: 409, message: expect.stringMatching(/system role and cannot be renamed/) })
      const redescribe = await rejection(x.scope((tx) => editRole(tx, id, { description: 'Something else' })))
      expect(redescribe.status).toBe(409)
      const remove = await rejection(x.scope((tx) => softDeleteRole(tx, x.owns, id)))
      expect({ status: remove.status, message: english(remove.message) }).toEqual({ status: 409, message: expect.stringMatching(/cannot be deleted/) })
    }
    // Sending a system role's own values back (as a form would) is not a change.
    await x.scope((tx) => editRole(tx, x.roleIds.owner, { name: 'Owner', description: SYSTEM_ROLES.owner.description }))
    const list = await x.scope((tx) => listRolesWithHolders(tx))
    expect(list.filter((r) => r.isSystem).map((r) => r.name)).toEqual(['Owner', 'Admin', 'Member'])
  })
})

describe('deleting roles', () => {
  it('soft-deletes a custom role, says how many people held it, and stops it granting anything', async () => {
    const x = await tenant()
    const role = await x.scope((tx) => insertRole(tx, x.owns, { name: 'Auditors', description: '', permissions: ['audit:read'] }))
    const holder = await personWith(x, [role.id, x.roleIds.member])
    await personWith(x, [role.id])
    expect(holder.permissions).toContain('audit:read')

    const result = await x.scope((tx) => softDeleteRole(tx, x.owns, role.id))
    expect(result).toEqual({ id: role.id, name: 'Auditors', holders: 2 })

    const [row] = await x.scope((tx) => tx.select().from(roles).where(and(ofTenant(roles), eq(roles.id, role.id))))
    expect(row).toMatchObject({ isDeleted: true, deletedById: x.ownerId })
    expect(row?.deletedAt).toBeInstanceOf(Date)
    const list = await x.scope((tx) => listRolesWithHolders(tx))
    expect(list.map((r) => r.id)).not.toContain(role.id)
    expect(await x.scope((tx) => permissionsOf(tx, holder.userId))).not.toContain('audit:read')

    const again = await rejection(x.scope((tx) => softDeleteRole(tx, x.owns, role.id)))
    expect(again.status).toBe(404)
    expect((await rejection(x.scope((tx) => editRole(tx, role.id, { name: 'Back' })))).status).toBe(404)
  })
})

describe('the permission matrix', () => {
  it('saves several roles in one action and leaves unchanged system roles alone', async () => {
    const x = await tenant()
    const editors = await x.scope((tx) => insertRole(tx, x.owns, { name: 'Editors', description: '', permissions: ['categories:read'] }))
    const support = await x.scope((tx) => insertRole(tx, x.owns, { name: 'Support', description: '', permissions: ['users:read', 'users:write'] }))
    const result = await x.scope((tx) =>
      applyPermissionMatrix(tx, x.owns, [
        { id: editors.id, permissions: ['categories:read', 'categories:write'] },
        { id: support.id, permissions: ['users:read', 'teams:read'] },
        { id: x.roleIds.owner, permissions: [...PERMISSION_KEYS] },
        { id: x.roleIds.member, permissions: [...SYSTEM_ROLES.member.permissions] },
      ]),
    )
    expect(result).toEqual({ changedRoles: 2, added: 2, removed: 1 })
    expect(await permissionsOfRole(x, editors.id)).toEqual(['categories:read', 'categories:write'])
    expect(await permissionsOfRole(x, support.id)).toEqual(['teams:read', 'users:read'])

    const audited = await x.scope((tx) =>
      tx
        .select({ action: auditLog.action, userId: auditLog.userId })
        .from(auditLog)
        .where(and(ofTenant(auditLog), eq(auditLog.tableName, 'role_permissions'), eq(auditLog.requestId, 'roles-test'), sql`${auditLog.action} in ('CREATE', 'DELETE')`)),
    )
    expect(audited.filter((r) => r.userId === x.ownerId).length).toBeGreaterThanOrEqual(3)
  })

  it('keeps every system role locked, and a refused save changes nothing at all', async () => {
    const x = await tenant()
    const custom = await x.scope((tx) => insertRole(tx, x.owns, { name: 'Custom', description: '', permissions: [] }))
    const attempts: [string, Permission[]][] = [
      [x.roleIds.owner, PERMISSION_KEYS.filter((p) => p !== 'tenant:manage')],
      [x.roleIds.admin, [...SYSTEM_ROLES.admin.permissions, 'tenant:manage']],
      [x.roleIds.member, []],
    ]
    for (const [id, permissions] of attempts) {
      const error = await rejection(
        x.scope((tx) =>
          applyPermissionMatrix(tx, x.owns, [
            { id: custom.id, permissions: ['users:read'] },
            { id, permissions },
          ]),
        ),
      )
      expect({ status: error.status, message: english(error.message) }).toEqual({ status: 409, message: expect.stringMatching(/system role: its permissions are fixed/) })
    }
    expect(await permissionsOfRole(x, custom.id)).toEqual([])
    expect(await permissionsOfRole(x, x.roleIds.owner)).toEqual(sorted(PERMISSION_KEYS))
    expect(await permissionsOfRole(x, x.roleIds.member)).toEqual(sorted(SYSTEM_ROLES.member.permissions))
  })

  it('lets nobody grant a permission they do not hold, but lets them take it away', async () => {
    const x = await tenant()
    const admin = await personWith(x, [x.roleIds.admin])
    expect(admin.permissions).not.toContain('tenant:manage')
    const role = await x.scope((tx) => insertRole(tx, x.owns, { name: 'Workspace keepers', description: '', permissions: ['tenant:manage', 'users:read'] }))

    const grant = await rejection(x.scope((tx) => applyPermissionMatrix(tx, admin, [{ id: role.id, permissions: ['tenant:manage', 'users:read', 'trash:purge', 'audit:read'] }])))
    expect({ status: grant.status, message: english(grant.message) }).toEqual({ status: 403, message: expect.stringMatching(/do not hold yourself: trash:purge\./) })
    const create = await rejection(x.scope((tx) => insertRole(tx, admin, { name: 'Sneaky', description: '', permissions: ['users:read', 'tenant:manage'] })))
    expect({ status: create.status, message: create.message }).toEqual({ status: 403, message: expect.stringMatching(/tenant:manage/) })
    expect(await permissionsOfRole(x, role.id)).toEqual(['tenant:manage', 'users:read'])
    expect((await x.scope((tx) => listRolesWithHolders(tx))).map((r) => r.name)).not.toContain('Sneaky')

    // Keeping a permission the actor lacks is not granting it; removing it is always allowed.
    await x.scope((tx) => applyPermissionMatrix(tx, admin, [{ id: role.id, permissions: ['tenant:manage', 'users:read', 'audit:read'] }]))
    await x.scope((tx) => applyPermissionMatrix(tx, admin, [{ id: role.id, permissions: ['audit:read'] }]))
    expect(await permissionsOfRole(x, role.id)).toEqual(['audit:read'])
  })

  it('answers 404 for a deleted or unknown role, and 400 for a permission outside the catalog', async () => {
    const x = await tenant()
    const role = await x.scope((tx) => insertRole(tx, x.owns, { name: 'Short-lived', description: '', permissions: [] }))
    await x.scope((tx) => softDeleteRole(tx, x.owns, role.id))
    for (const id of [role.id, randomUUID()]) {
      const error = await rejection(x.scope((tx) => applyPermissionMatrix(tx, x.owns, [{ id, permissions: ['users:read'] }])))
      expect({ status: error.status, message: english(error.message) }).toEqual({ status: 404, message: 'Role was not found.' })
    }
    expect(await permissionsOfRole(x, role.id)).toEqual([])

    const validate = input(permissionMatrixSchema)
    let invalid: unknown
    try {
      validate({ roles: [{ id: role.id, permissions: ['users:read', 'users:delete-everything'] }] })
    } catch (e) {
      invalid = e
    }
    expect(invalid).toBeInstanceOf(HttpError)
    expect({ status: (invalid as HttpError).status, fields: (invalid as HttpError).fieldErrors }).toEqual({
      status: 400,
      fields: { 'roles.0.permissions.1': 'Unknown permission "users:delete-everything"' },
    })
    expect(() => validate({ roles: [{ id: role.id, permissions: [] }, { id: role.id, permissions: [] }] })).toThrow(HttpError)
    expect(validate({ roles: [{ id: role.id, permissions: ['users:read', 'users:read'] }] }).roles[0]?.permissions).toEqual(['users:read'])
  })
})

describe('across tenants', () => {
  it("gives tenant B a 404 for every one of tenant A's role ids, and changes nothing in A", async () => {
    const a = await tenant()
    const b = await tenant()
    const custom = await a.scope((tx) => insertRole(tx, a.owns, { name: 'A only', description: 'Belongs to A', permissions: ['users:read'] }))
    const snapshot = async () =>
      rowsOf<{ row: string }>(
        await t.owner.db.execute(
          sql`select to_jsonb(r)::text || coalesce((select string_agg(permission_key, ',' order by permission_key) from role_permissions p where p.tenant_id = r.tenant_id and p.role_id = r.id), '') as row
              from roles r where r.tenant_id = ${a.tenantId} order by r.id`,
        ),
      ).map((r) => r.row)
    const before = await snapshot()
    expect(before).toHaveLength(4)

    for (const id of [custom.id, a.roleIds.owner, a.roleIds.member]) {
      const attempts = [
        () => b.scope((tx) => requireRoles(tx, [id])),
        () => b.scope((tx) => editRole(tx, id, { name: 'Taken over' })),
        () => b.scope((tx) => softDeleteRole(tx, b.owns, id)),
        () => b.scope((tx) => applyPermissionMatrix(tx, b.owns, [{ id, permissions: [] }])),
        () =>
          b.scope((tx) =>
            applyPermissionMatrix(tx, b.owns, [
              { id: b.roleIds.member, permissions: [...SYSTEM_ROLES.member.permissions] },
              { id, permissions: ['users:read', 'users:write'] },
            ]),
          ),
      ]
      for (const attempt of attempts) expect((await rejection(attempt())).status).toBe(404)
      const { raw, rawGrant } = await probingRls('RLS alone keeps tenant B from writing tenant A’s roles', async () => ({
        raw: await b.scope((tx) => tx.update(roles).set({ name: 'Raw' }).where(eq(roles.id, id)).returning({ id: roles.id })),
        rawGrant: await b.scope((tx) => tx.delete(rolePermissions).where(eq(rolePermissions.roleId, id)).returning({ id: rolePermissions.id })),
      }))
      expect(raw).toEqual([])
      expect(rawGrant).toEqual([])
    }
    const seenByB = await b.scope((tx) => listRolesWithHolders(tx))
    expect(seenByB.map((r) => r.id).sort()).toEqual(Object.values(b.roleIds).sort())
    expect(await snapshot()).toEqual(before)
  })
})
