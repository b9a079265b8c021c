import { AsyncLocalStorage } from 'node:async_hooks'
import { sql } from 'drizzle-orm'
import { noteLasting } from '../replay.server'
import { type AppDb, CONNECTION_LOST_CODES, errorCodeIn, rowsOf, type Tx, UNNAMED } from './client.server'
import { type ContextFields, signContext } from './context-key.server'

/**
 * The one way to touch tenant data: a transaction that first cleans the session, enters a request role and sets
 * the signed context (tenant, actor, audit fields) transaction-locally, in one statement with bound parameters
 * (`haven_set_context`), then runs the work and commits. The settings vanish at COMMIT or ROLLBACK, and whatever
 * an earlier request left on the connection is reset or the connection is discarded (docs/decisions/009).
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

type ActiveScope = {
  role: ScopeRole
  tenantId: string | null
  tx: Tx
  ctx: AuditContext
  /** Statements sent without waiting for them (the actor); awaited before the transaction commits. */
  pending: Promise<unknown>[]
}

/** Reads sent in the same round trip as the context (e.g. the session); run only if the context verifies. */
export type Prefetch<P> = (tx: Tx) => Promise<P>

/**
 * `prefetch`: reads sent in the same round trip as the context; `work` gets their result.
 * `repeatable`: the work may run again without harm once committed (it only reads, or refreshes what it read), so
 * committing it does not stop a later conflict in the same call from being retried (replay.server.ts).
 */
export type ScopeOptions<P = undefined> = { prefetch?: Prefetch<P>; repeatable?: boolean }

const active = new AsyncLocalStorage<ActiveScope>()
const RESTART: unique symbol = Symbol('restart')

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

function fields(role: ScopeRole, tenantId: string | null, ctx: AuditContext): ContextFields {
  return [
    role,
    tenantId ?? '',
    ctx.userId ?? '',
    ctx.impersonatorId ?? '',
    ctx.ip ?? '',
    (ctx.userAgent ?? '').slice(0, 512),
    (ctx.requestId ?? '').slice(0, 64),
  ]
}

/**
 * Failures before any work ran that a new attempt cures: a connection the server dropped (a restart, an idle
 * timeout), and a cached prepared statement an earlier request deallocated (26000; the transaction is then aborted,
 * 25P02) — postgres.js forgets the statement and prepares it again on the next attempt.
 */
const RETRY_BEFORE_WORK: ReadonlySet<string> = new Set([...CONNECTION_LOST_CODES, 'CONNECTION_ENDED', '26000', '25P02'])

/**
 * The reset, then the release of SQL-PREPAREd statements (a statement of its own, so a statement_timeout the
 * reset has just removed no longer applies). Both unnamed: no statement an earlier request prepared can stand in for
 * them; after them none is left to stand in for the named ones that follow.
 */
const RESET = sql.raw(`${UNNAMED}select public.haven_reset_session()`)
const RELEASE = sql.raw(`${UNNAMED}select public.haven_release_prepared()`)

async function run<T, P>(
  role: ScopeRole,
  tenantId: string | null,
  ctx: AuditContext,
  work: (tx: Tx, prefetched: P | undefined) => Promise<T>,
  options: ScopeOptions<P> = {},
) {
  const { prefetch } = options
  const outer = active.getStore()
  if (outer) {
    // Nested scopes share the outer transaction when they ask for the same thing (PGlite has one connection, so
    // a second transaction would wait forever); asking for a different scope inside one is a programming error.
    if (outer.role === role && outer.tenantId === tenantId) return work(outer.tx, prefetch ? await prefetch(outer.tx) : undefined)
    throw new Error(`A ${role} scope cannot be opened inside a ${outer.role} scope`)
  }
  const attempt = (started: { work: boolean }) =>
    database().transaction(async (tx) => {
      const { context, sig } = signContext(fields(role, tenantId, ctx))
      // One round trip: the session reset (its own statement, so a statement_timeout or client_encoding an earlier
      // request left cannot break the context statement), the release of prepared statements, the signed context and
      // the prefetch. Drizzle hands a query to the driver only when something calls its `then`, and the driver sends
      // queries in that order; `await` and `Promise.all` call it a microtask later, so each statement is started
      // here explicitly, in order: the prefetch (which reads tables only the request role may read) must reach the
      // connection after the context statement that enters that role, never before it.
      const reset = tx.execute(RESET).then(() => undefined)
      const release = tx.execute(RELEASE).then(() => undefined)
      const set = tx.execute(sql`select public.haven_set_context(${context}, ${sig}, false) as clean`).then((r) => rowsOf<{ clean: boolean }>(r)[0])
      const prefetching = prefetch ? prefetch(tx) : undefined
      // When the context fails the prefetch fails too (the transaction is aborted): the context's error is the cause.
      prefetching?.catch(() => {})
      const [, , row] = await Promise.all([reset, release, set])
      const prefetched = prefetching ? await prefetching : undefined
      // Begun under a default an earlier request left (read only, serializable): commit the cleanup, start again.
      // (The context statement entered the role before it answered, so the prefetch above did not fail for want of it.)
      if (!row?.clean) return RESTART
      started.work = true
      const scope: ActiveScope = { role, tenantId, tx, ctx, pending: [] }
      try {
        const result = await active.run(scope, () => work(tx, prefetched))
        await Promise.all(scope.pending)
        return result
      } catch (error) {
        // A statement sent without waiting failed first: its error is the cause (the later ones only say 25P02).
        for (const p of scope.pending) await p
        throw error
      }
    })
  // After a database restart every pooled connection is dead but only found so on use: a few tries, each on the
  // next connection, and only while no work has run.
  for (let tries = 1; ; tries++) {
    const started = { work: false }
    try {
      const result = await attempt(started)
      if (result !== RESTART) {
        // Committed work outlives the request: a server-function call that fails later must not run again.
        if (!options.repeatable) noteLasting()
        return result as T
      }
      if (tries >= 4) throw new Error('haven: the database connection stayed unclean after 4 attempts')
    } catch (error) {
      if (started.work || tries >= 4 || !errorCodeIn(error, RETRY_BEFORE_WORK)) throw error
    }
  }
}

/**
 * Makes `userId` (and the impersonator, if any) the actor of the current scope's transaction, for the audit trail,
 * once the session has been read. Same role and tenant; the database refuses anything else.
 */
export async function setActor(tx: Tx, userId: string, impersonatorId: string | null = null) {
  const scope = currentScope()
  const ctx = { ...scope.ctx, userId, impersonatorId }
  scope.ctx = ctx
  const { context, sig } = signContext(fields(scope.role, scope.tenantId, ctx))
  await tx.execute(sql`select public.haven_set_actor(${context}, ${sig})`)
}

/**
 * `setActor` without waiting: the statement is sent now and pipelines with the request's next query (which runs
 * after it, on the same connection); the scope awaits it before COMMIT and reports its error first.
 */
export function setActorPipelined(tx: Tx, userId: string, impersonatorId: string | null = null) {
  const scope = currentScope()
  const done = setActor(tx, userId, impersonatorId)
  done.catch(() => {}) // observed by the scope; this only keeps Node from calling it unhandled meanwhile
  scope.pending.push(done)
}

/** Runs `work` as haven_tenant: RLS shows and accepts only `ctx.tenantId`'s rows. */
export function withTenant<T, P = undefined>(
  ctx: TenantContext,
  work: (tx: Tx, prefetched: P | undefined) => Promise<T>,
  options?: ScopeOptions<P>,
): Promise<T> {
  return run('haven_tenant', ctx.tenantId, ctx, work, options)
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
