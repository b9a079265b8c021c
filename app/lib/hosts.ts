import { CONSOLE_SLUG } from './enums'

/** Which part of the app a host serves. Decided by the host name alone; the database decides if a tenant exists. */
export type HostKind = { kind: 'site' } | { kind: 'console' } | { kind: 'tenant'; slug: string } | { kind: 'foreign' }

export function classifyHost(host: string, rootDomain: string): HostKind {
  const h = host.toLowerCase()
  const root = rootDomain.toLowerCase()
  if (h === root) return { kind: 'site' }
  if (!h.endsWith(`.${root}`)) return { kind: 'foreign' }
  const sub = h.slice(0, -(root.length + 1))
  if (sub === CONSOLE_SLUG) return { kind: 'console' }
  if (sub.includes('.')) return { kind: 'foreign' }
  return { kind: 'tenant', slug: sub }
}

/** Internal route prefixes: the router rewrites `acme.<root>/x` to `/tenant/x`, `console.<root>/x` to `/console/x`. */
export const REALM_PREFIX = { site: '/site', console: '/console', tenant: '/tenant', foreign: '/site' } as const

