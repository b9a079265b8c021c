import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { PGlite } from '@electric-sql/pglite'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import * as schema from './schema'

export type AppDb = PgDatabase<PgQueryResultHKT, typeof schema>
export type Tx = Parameters<Parameters<AppDb['transaction']>[0]>[0]

export type Database = {
  driver: 'pglite' | 'postgres'
  db: AppDb
  /** The embedded instance, when there is one (tests clone it). */
  pglite?: PGlite
  close(): Promise<void>
}

export type OpenOptions =
  | { driver: 'pglite'; dataDir?: string; instance?: PGlite }
  | { driver: 'postgres'; url: string; max?: number; connectTimeoutSeconds?: number }

export async function createPglite(dataDir?: string, loadDataDir?: Blob): Promise<PGlite> {
  const [{ PGlite }, { ltree }, { pg_trgm }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/ltree'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
  ])
  let dir: string | undefined
  if (dataDir) {
    dir = path.resolve(dataDir)
    mkdirSync(path.dirname(dir), { recursive: true })
  }
  return PGlite.create({ dataDir: dir, loadDataDir, extensions: { ltree, pg_trgm } })
}

/**
 * The pool's startup parameters. They override the login role's own defaults (ALTER ROLE … SET), which SQL injected
 * into a request could set: without them a new connection's first queries (the driver's type lookup) would run under
 * those defaults, before the scope's reset can act. They are also what the reset's RESET ALL returns to, and what it
 * checks before setting anything itself (decision 009, migrations 0022 and 0026). All strings: postgres.js leaves every
 * falsy value (0, false) out of the startup message, so `statement_timeout: 0` would not be sent at all.
 */
export const STARTUP_PARAMETERS: Record<string, string> = {
  search_path: '"$user", public',
  row_security: 'on',
  statement_timeout: '0',
  lock_timeout: '0',
  idle_in_transaction_session_timeout: '0',
  default_transaction_read_only: 'off',
  default_transaction_isolation: 'read committed',
  DateStyle: 'ISO, MDY',
  IntervalStyle: 'postgres',
  TimeZone: 'UTC',
  bytea_output: 'hex',
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.driver === 'pglite') {
    const instance = options.instance ?? (await createPglite(options.dataDir))
    const { drizzle } = await import('drizzle-orm/pglite')
    // The two drivers' database types differ only in their result HKT; the app uses the common PgDatabase API.
    const db = drizzle({ client: instance, schema, casing: 'snake_case' }) as unknown as AppDb
    return { driver: 'pglite', db, pglite: instance, close: () => instance.close() }
  }
  const [{ default: postgres }, { drizzle }] = await Promise.all([import('postgres'), import('drizzle-orm/postgres-js')])
  // A short connect timeout: while the server is down a request fails fast (503) instead of hanging 30 s.
  // max_lifetime bounds how long any state a request managed to leave on a connection could last (decision 009).
  const client = postgres(options.url, {
    max: options.max ?? 10,
    connect_timeout: options.connectTimeoutSeconds ?? 5,
    connection: STARTUP_PARAMETERS,
    max_lifetime: 10 * 60,
    onnotice: () => {},
  })
  const db = drizzle({ client: preparedStatements(client), schema, casing: 'snake_case' }) as unknown as AppDb
  return { driver: 'postgres', db, close: () => client.end({ timeout: 5 }) }
}

/** Starts a query text that must go out as an unnamed statement (see `preparedStatements`). */
export const UNNAMED = '/* unnamed */ '

type SqlClient = { unsafe: (...args: never[]) => unknown; begin?: unknown; savepoint?: unknown }

/** Error codes that mean the connection itself is gone: postgres.js's own, the socket's, and the server's FATALs. */
export const CONNECTION_LOST_CODES: ReadonlySet<string> = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  '57P01',
  '57P02',
  '57P03',
])

/** The error's code (or its cause's), if it is one of `codes`. */
export function errorCodeIn(error: unknown, codes: ReadonlySet<string>): boolean {
  const e = error as { code?: unknown; cause?: { code?: unknown } } | null | undefined
  return [e?.code, e?.cause?.code].some((c) => typeof c === 'string' && codes.has(c))
}

/** One transaction (and its savepoints): the error that told us its connection is gone, once one did. */
type TxState = { lost: unknown }

/**
 * Drizzle sends its queries through `sql.unsafe(text, params, { prepare: false })` unless a query was given a name,
 * so every parameterized statement is an unnamed one: Parse/Describe, wait, then Bind/Execute — two round trips, and
 * the wait blocks the statements queued behind it. This wraps the postgres.js client (and the transaction and
 * savepoint clients it hands out) so that statements are named and cached per connection by postgres.js: after the
 * first use on a connection a query is one Bind/Execute, and a request's independent queries pipeline.
 *
 * A query whose text starts with `UNNAMED` stays unnamed: the scope's session reset, which must not be replaceable
 * by a statement an earlier request prepared under a cached name (decision 009).
 *
 * It also keeps every statement off a transaction's connection once that connection is gone (decision 009).
 * postgres.js 3.4.9's `sql.begin` hands a transaction's statements, and its own COMMIT, ROLLBACK and ROLLBACK TO,
 * straight to the connection even after its socket closed: the write is scheduled with `setImmediate` and then
 * dereferences the null socket (an uncaught TypeError that kills the process), and because it throws before clearing
 * the write buffer and timer, that pool slot never sends another startup message (every later request on it ends in
 * CONNECT_TIMEOUT). So: a statement the work sends after the loss fails at once with the loss's error, without
 * reaching postgres.js; and a transaction whose connection is gone never lets postgres.js finish it (its callback
 * stays pending, so no COMMIT/ROLLBACK is sent) while the caller gets the loss's error at once. The server has
 * already rolled the transaction back by ending the session.
 */
export function preparedStatements<C extends SqlClient>(client: C, tx?: TxState): C {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown
      if (property === 'unsafe') {
        return (text: string, params?: unknown[], options?: Record<string, unknown>) => {
          if (tx?.lost) return lostQuery(tx.lost)
          const query = (value as (...a: unknown[]) => unknown).call(target, text, params, { ...options, prepare: !text.startsWith(UNNAMED) })
          if (tx) watch(query as PromiseLike<unknown>, tx)
          return query
        }
      }
      if (property === 'begin' || property === 'savepoint') {
        return (...args: unknown[]) => {
          if (tx?.lost) return Promise.reject(tx.lost)
          const state: TxState = tx ?? { lost: null }
          const fn = args.at(-1) as (sql: C) => unknown
          let abandon: (error: unknown) => void = () => {}
          const abandoned = new Promise<never>((_, reject) => (abandon = reject))
          const finished = (value as (...a: unknown[]) => Promise<unknown>).call(target, ...args.slice(0, -1), (sql: C) =>
            finish(fn(preparedStatements(sql, state)), state, abandon),
          )
          // postgres.js rejects `begin` when the reserved connection closes, even while the callback still runs.
          finished.catch((error: unknown) => {
            if (!state.lost && errorCodeIn(error, CONNECTION_LOST_CODES)) state.lost = error
          })
          return Promise.race([finished, abandoned])
        }
      }
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

/** Notes a statement's failure that says the connection is gone (first, before anything awaiting it runs). */
function watch(query: PromiseLike<unknown>, tx: TxState) {
  query.then(undefined, (error: unknown) => {
    if (!tx.lost && errorCodeIn(error, CONNECTION_LOST_CODES)) tx.lost = error
  })
}

/** What a statement sent on a lost transaction returns: its failure, with the query methods Drizzle calls. */
function lostQuery(error: unknown) {
  const failed = Promise.reject(error)
  failed.catch(() => {}) // the caller awaits it; this only keeps Node from calling it unhandled meanwhile
  return Object.assign(failed, { values: () => failed, raw: () => failed, execute: () => failed })
}

const never = new Promise<never>(() => {})

/**
 * Settles a transaction's (or savepoint's) callback for postgres.js, unless its connection is gone: then the
 * callback never settles, so postgres.js sends no COMMIT or ROLLBACK on the dead connection, and the caller is
 * answered through `abandon` instead.
 */
async function finish<T>(work: T, state: TxState, abandon: (error: unknown) => void): Promise<Awaited<T>> {
  try {
    const result = await work
    if (!state.lost) return result
  } catch (error) {
    if (!state.lost && errorCodeIn(error, CONNECTION_LOST_CODES)) state.lost = error
    if (!state.lost) throw error
  }
  abandon(state.lost)
  return never
}

/** `db.execute()` returns an array on postgres.js and `{ rows }` on PGlite. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[]
  return (result as { rows: T[] }).rows
}
