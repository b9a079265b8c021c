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
  const db = drizzle({ client, schema, casing: 'snake_case' }) as unknown as AppDb
  return { driver: 'postgres', db, close: () => client.end({ timeout: 5 }) }
}

/** `db.execute()` returns an array on postgres.js and `{ rows }` on PGlite. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[]
  return (result as { rows: T[] }).rows
}
