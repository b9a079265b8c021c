import { CONSOLE_SLUG, RESERVED_SLUGS, SLUG_PATTERN, type TenantPlan } from '~/lib/enums'
import { badRequest } from '~/lib/errors'
import { msg } from '~/lib/i18n'
import { SYSTEM_ROLES, type SystemRoleKey } from '~/lib/permissions'
import type { Tx } from '~/server/db/client.server'
import { rolePermissions, roles } from '~/server/db/schema'
import { createUser, type NewUser } from '../users/users.server'
import { insertTenant, updateTenant } from './tenant-changes.server'

export type ProvisionInput = {
  name: string
  slug: string
  plan?: TenantPlan
  isActive?: boolean
  owner: Omit<NewUser, 'tenantId' | 'roleIds'>
}

/**
 * Provisions a tenant: the tenant row, its locked system roles with their permissions, and its first owner.
 * Runs in a console scope (cross-tenant by nature: the tenant does not exist yet).
 */
export async function provisionTenant(tx: Tx, input: ProvisionInput) {
  const { tenant, roleIds } = await createTenantWithRoles(tx, input)
  const owner = await createUser(tx, { ...input.owner, tenantId: tenant.id, roleIds: [roleIds.owner] })
  if (input.isActive === false) {
    await updateTenant(tx, tenant.id, { isActive: false })
  }
  return { tenant: { ...tenant, isActive: input.isActive ?? true }, owner, roleIds }
}

/** The tenant row and its system roles, without people (the console then invites the owner). */
export async function createTenantWithRoles(tx: Tx, input: { name: string; slug: string; plan?: TenantPlan }) {
  if (!SLUG_PATTERN.test(input.slug)) throw badRequest(msg('console.errors.slugPattern'), { slug: msg('console.errors.slugPatternField') })
  if (input.slug !== CONSOLE_SLUG && (RESERVED_SLUGS as readonly string[]).includes(input.slug)) {
    throw badRequest(msg('console.errors.slugReserved', { slug: input.slug }), { slug: msg('console.errors.slugReservedField') })
  }
  const tenant = await insertTenant(tx, { name: input.name, slug: input.slug, plan: input.plan ?? 'free', isActive: true })
  const roleIds = await createSystemRoles(tx, tenant.id)
  return { tenant, roleIds }
}

async function createSystemRoles(tx: Tx, tenantId: string): Promise<Record<SystemRoleKey, string>> {
  const keys = Object.keys(SYSTEM_ROLES) as SystemRoleKey[]
  const inserted = await tx
    .insert(roles)
    .values(keys.map((key) => ({ tenantId, name: SYSTEM_ROLES[key].name, description: SYSTEM_ROLES[key].description, systemKey: key })))
    .returning({ id: roles.id, systemKey: roles.systemKey })
  const ids = Object.fromEntries(inserted.map((r) => [r.systemKey, r.id])) as Record<SystemRoleKey, string>
  await tx.insert(rolePermissions).values(
    keys.flatMap((key) => SYSTEM_ROLES[key].permissions.map((permissionKey) => ({ tenantId, roleId: ids[key], permissionKey }))),
  )
  return ids
}
