import { eq } from 'drizzle-orm'
import { config } from '../../app.config'
import { RESERVED_SLUGS } from '../lib/enums'
import { classifyHost } from '../lib/hosts'
import { tenants } from './db/schema'
import { withResolver } from './db/scope.server'

/** What a request's Host resolves to. The tenant comes from the Host only, never from a header, body or query. */
export type Realm =
  | { kind: 'site' }
  | { kind: 'console'; tenantId: string; name: string }
  | { kind: 'tenant'; tenantId: string; slug: string; name: string }
  | { kind: 'suspended'; slug: string; name: string }
  | { kind: 'unknown' }

const TTL_MS = 2_000
const cache = new Map<string, { realm: Realm; at: number }>()

/**
 * Resolves a Host. Results are cached for two seconds per process: host lookups happen on every request, and a
 * suspension then takes effect within that time (at once in the process that made it, see forgetRealm).
 */
export async function resolveRealm(host: string): Promise<Realm> {
  const hit = cache.get(host)
  if (hit && performance.now() - hit.at < TTL_MS) return hit.realm
  const realm = await lookup(host)
  cache.set(host, { realm, at: performance.now() })
  if (cache.size > 10_000) cache.clear()
  return realm
}

export function forgetRealm() {
  cache.clear()
}

async function lookup(host: string): Promise<Realm> {
  const kind = classifyHost(host, config().rootDomain)
  if (kind.kind === 'site') return { kind: 'site' }
  if (kind.kind === 'foreign') return { kind: 'unknown' }
  const slug = kind.kind === 'console' ? 'console' : kind.slug
  if (kind.kind === 'tenant' && (RESERVED_SLUGS as readonly string[]).includes(slug)) return { kind: 'unknown' }
  const [row] = await withResolver((tx) =>
    tx
      .select({ id: tenants.id, name: tenants.name, isActive: tenants.isActive, isDeleted: tenants.isDeleted })
      .from(tenants)
      .where(eq(tenants.slug, slug)),
  )
  if (!row || row.isDeleted) return { kind: 'unknown' }
  if (kind.kind === 'console') return { kind: 'console', tenantId: row.id, name: row.name }
  if (!row.isActive) return { kind: 'suspended', slug, name: row.name }
  return { kind: 'tenant', tenantId: row.id, slug, name: row.name }
}
