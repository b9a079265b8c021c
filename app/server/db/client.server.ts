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
    max_lifetime: 10 * 60,
    onnotice: () => {},
  })
  const db = drizzle({ client: preparedStatements(client), schema, casing: 'snake_case' }) as unknown as AppDb
  return { driver: 'postgres', db, close: () => client.end({ timeout: 5 }) }
}

/** Starts a query text that must go out as an unnamed statement (see `preparedStatements`). */
export const UNNAMED = '/* unnamed */ '

type SqlClient = { unsafe: (...args: never[]) => unknown; begin?: unknown; savepoint?: unknown }

/**
 * Drizzle sends its queries through `sql.unsafe(text, params, { prepare: false })` unless a query was given a name,
 * so every parameterized statement is an unnamed one: Parse/Describe, wait, then Bind/Execute — two round trips, and
 * the wait blocks the statements queued behind it. This wraps the postgres.js client (and the transaction and
 * savepoint clients it hands out) so that statements are named and cached per connection by postgres.js: after the
 * first use on a connection a query is one Bind/Execute, and a request's independent queries pipeline.
 *
 * A query whose text starts with `UNNAMED` stays unnamed: the scope's session reset, which must not be replaceable
 * by a statement an earlier request prepared under a cached name (decision 009).
 */
export function preparedStatements<C extends SqlClient>(client: C): C {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver)
      if (property === 'unsafe') {
        return (text: string, params?: unknown[], options?: Record<string, unknown>) =>
          (value as (...a: unknown[]) => unknown).call(target, text, params, { ...options, prepare: !text.startsWith(UNNAMED) })
      }
      if (property === 'begin' || property === 'savepoint') {
        return (...args: unknown[]) => {
          const fn = args.at(-1) as (sql: C) => unknown
          return (value as (...a: unknown[]) => unknown).call(target, ...args.slice(0, -1), (sql: C) => fn(preparedStatements(sql)))
        }
      }
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

/** `db.execute()` returns an array on postgres.js and `{ rows }` on PGlite. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[]
  return (result as { rows: T[] }).rows
}
