import type { MessageKey } from './i18n'
import type { Permission } from './permissions'

/** An item shows when the user holds any of `anyOf` (or always, without it). The server checks again. */
export type NavItem = { to: string; label: MessageKey; anyOf?: Permission[]; section: 'main' | 'admin' }

export const TENANT_NAV: NavItem[] = [
  { to: '/tenant', label: 'nav.dashboard', section: 'main' },
  { to: '/tenant/categories', label: 'nav.categories', anyOf: ['categories:read'], section: 'main' },
  { to: '/tenant/admin/users', label: 'nav.users', anyOf: ['users:read'], section: 'admin' },
  { to: '/tenant/admin/roles', label: 'nav.roles', anyOf: ['roles:manage'], section: 'admin' },
  { to: '/tenant/admin/teams', label: 'nav.teams', anyOf: ['teams:read'], section: 'admin' },
  { to: '/tenant/admin/audit', label: 'nav.audit', anyOf: ['audit:read'], section: 'admin' },
  { to: '/tenant/admin/trash', label: 'nav.trash', anyOf: ['users:write', 'teams:write', 'roles:manage', 'categories:write'], section: 'admin' },
  { to: '/tenant/admin/settings', label: 'nav.settings', anyOf: ['tenant:manage'], section: 'admin' },
]

export const CONSOLE_NAV: NavItem[] = [
  { to: '/console', label: 'nav.overview', section: 'main' },
  { to: '/console/tenants', label: 'nav.tenants', section: 'main' },
  { to: '/console/users', label: 'nav.peopleSearch', section: 'main' },
  { to: '/console/audit', label: 'nav.audit', section: 'main' },
]

export function can(permissions: readonly string[], anyOf?: readonly Permission[]): boolean {
  return anyOf === undefined || anyOf.some((p) => permissions.includes(p))
}

/** Reading people and teams is not administering them: someone who may only look sees a "Directory". */
const READ_ONLY: readonly Permission[] = ['users:read', 'teams:read', 'categories:read']
export function adminSectionLabel(permissions: readonly string[]): 'nav.administration' | 'nav.directory' {
  return permissions.some((p) => !(READ_ONLY as readonly string[]).includes(p)) ? 'nav.administration' : 'nav.directory'
}
