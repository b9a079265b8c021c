import type { Permission } from './permissions'

export type NavItem = { to: string; label: string; permission?: Permission; section: 'main' | 'admin' }

/** The tenant app's navigation; an item shows only when the user holds its permission (the server checks again). */
export const TENANT_NAV: NavItem[] = [{ to: '/tenant', label: 'Dashboard', section: 'main' }]

export function can(permissions: readonly string[], permission?: Permission): boolean {
  return permission === undefined || permissions.includes(permission)
}
