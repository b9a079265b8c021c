import { AsyncLocalStorage } from 'node:async_hooks'
import { sql } from 'drizzle-orm'
import type { AppDb, Tx } from './client.server'

/**
 * The one way to touch tenant data: a transaction that first enters a request role and sets the tenant, the
 * actor and the audit context transaction-locally, in one statement with bound parameters
 * (`haven_set_context`), then runs the work and commits. The settings vanish at COMMIT or ROLLBACK, so nothing
 * leaks into the next use of a pooled connection.
 */
export type ScopeRole = 'haven_tenant' | 'haven_console' | 'haven_app'

export type AuditContext = {
  userId?: string | null
  impersonatorId?: string | null
  ip?: string | null
  userAgent?: string | null
  requestId?: string | null
}

export type TenantContext = AuditContext & { tenantId: string }
/** The console works across tenants; `tenantId` names the tenant an action concerns (for domain audit events). */
export type ConsoleContext = AuditContext & { tenantId?: string | null }

type ActiveScope = { role: ScopeRole; tenantId: string | null; tx: Tx }

const active = new AsyncLocalStorage<ActiveScope>()

// On globalThis because the server bundle may hold more than one copy of this module (a Nitro plugin boots the
// database; the request handlers use it).
const holder = globalThis as typeof globalThis & { __havenScopeDb?: AppDb }

/** Installs the database the scopes run on (the app at start-up, tests per file). */
export function setScopeDatabase(db: AppDb | undefined) {
  holder.__havenScopeDb = db
}

function database(): AppDb {
  const db = holder.__havenScopeDb
  if (!db) throw new Error('No database: call setScopeDatabase() first (the server does it at start-up).')
  return db
}

async function run<T>(role: ScopeRole, tenantId: string | null, ctx: AuditContext, work: (tx: Tx) => Promise<T>) {
  const outer = active.getStore()
  if (outer) {
    // Nested scopes share the outer transaction when they ask for the same thing (PGlite has one connection, so
    // a second transaction would wait forever); asking for a different scope inside one is a programming error.
    if (outer.role === role && outer.tenantId === tenantId) return work(outer.tx)
    throw new Error(`A ${role} scope cannot be opened inside a ${outer.role} scope`)
  }
  return database().transaction(async (tx) => {
    await tx.execute(
      sql`select haven_set_context(${role}, ${tenantId}, ${ctx.userId ?? null}, ${ctx.impersonatorId ?? null}, ${ctx.ip ?? null}, ${ctx.userAgent ?? null}, ${ctx.requestId ?? null})`,
    )
    return active.run({ role, tenantId, tx }, () => work(tx))
  })
}

/** Runs `work` as haven_tenant: RLS shows and accepts only `ctx.tenantId`'s rows. */
export function withTenant<T>(ctx: TenantContext, work: (tx: Tx) => Promise<T>): Promise<T> {
  return run('haven_tenant', ctx.tenantId, ctx, work)
}

/** Runs `work` as haven_console: cross-tenant, under the console's own policies. Only for superuser sessions. */
export function withConsole<T>(ctx: ConsoleContext, work: (tx: Tx) => Promise<T>): Promise<T> {
  return run('haven_console', ctx.tenantId ?? null, ctx, work)
}

/** Runs `work` as the bare runtime role, which can read only what host resolution needs from `tenants`. */
export function withResolver<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
  return run('haven_app', null, {}, work)
}

/** The transaction of the scope the caller is in, or an error outside one (the auth adapter relies on this). */
export function currentScope(): ActiveScope {
  const scope = active.getStore()
  if (!scope) throw new Error('No tenant scope: database access outside withTenant/withConsole is refused')
  return scope
}
