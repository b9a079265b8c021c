import type { TFunction } from 'i18next'
import { SYSTEM_ROLES, type SystemRoleKey } from '../permissions'

const isSystemKey = (key: string | null | undefined): key is SystemRoleKey => typeof key === 'string' && Object.hasOwn(SYSTEM_ROLES, key)

/** A system role's name and description in the active language; a custom role's are the tenant's own words. */
export function roleName(t: TFunction, role: { name: string; systemKey?: string | null }): string {
  return isSystemKey(role.systemKey) ? t(`systemRoles.${role.systemKey}.name`) : role.name
}

export function roleDescription(t: TFunction, role: { description: string; systemKey?: string | null }): string {
  return isSystemKey(role.systemKey) ? t(`systemRoles.${role.systemKey}.description`) : role.description
}
