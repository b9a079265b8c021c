import { forbidden } from './errors'
import { can } from './navigation'
import type { Permission } from './permissions'

/** For a page's beforeLoad: navigation only (the page's server functions check again); shows the 403 page. */
export function guardPage(permissions: readonly string[], anyOf: Permission[]) {
  if (!can(permissions, anyOf)) throw forbidden()
}
