import type { Permission } from './permissions'

/** An item shows when the user holds any of `anyOf` (or always, without it). The server checks again. */
export type NavItem = { to: string; label: string; anyOf?: Permission[]; section: 'main' | 'admin' }

export const TENANT_NAV: NavItem[] = [
  { to: '/tenant', label: 'Dashboard', section: 'main' },
  { to: '/tenant/categories', label: 'Categories', anyOf: ['categories:read'], section: 'main' },
  { to: '/tenant/admin/users', label: 'Users', anyOf: ['users:read'], section: 'admin' },
  { to: '/tenant/admin/roles', label: 'Roles', anyOf: ['roles:manage'], section: 'admin' },
  { to: '/tenant/admin/teams', label: 'Organizations and teams', anyOf: ['teams:read'], section: 'admin' },
  { to: '/tenant/admin/audit', label: 'Audit log', anyOf: ['audit:read'], section: 'admin' },
  { to: '/tenant/admin/trash', label: 'Trash', anyOf: ['users:write', 'teams:write', 'roles:manage', 'categories:write'], section: 'admin' },
  { to: '/tenant/admin/settings', label: 'Settings', anyOf: ['tenant:manage'], section: 'admin' },
]

export const CONSOLE_NAV: NavItem[] = [
  { to: '/console', label: 'Overview', section: 'main' },
  { to: '/console/tenants', label: 'Tenants', section: 'main' },
  { to: '/console/users', label: 'People search', section: 'main' },
  { to: '/console/audit', label: 'Audit log', section: 'main' },
]

export function can(permissions: readonly string[], anyOf?: readonly Permission[]): boolean {
  return anyOf === undefined || anyOf.some((p) => permissions.includes(p))
}

/** Reading people and teams is not administering them: someone who may only look sees a "Directory". */
const READ_ONLY: readonly Permission[] = ['users:read', 'teams:read', 'categories:read']
export function adminSectionLabel(permissions: readonly string[]): 'Administration' | 'Directory' {
  return permissions.some((p) => !(READ_ONLY as readonly string[]).includes(p)) ? 'Administration' : 'Directory'
}
