import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { inject } from 'vitest'
import { sql } from 'drizzle-orm'
import { createPglite, type Database, openDatabase, rowsOf } from '~/server/db/client.server'
import { setScopeDatabase } from '~/server/db/scope.server'
import { capturePglite, capturePostgres, setTenantTables, TENANT_TABLES_SQL } from './statement-capture'
import { adminUrl, databaseUrl } from './urls'

export type TestDatabase = {
  driver: 'pglite' | 'postgres'
  /** The runtime handle: the haven_app login role on a server (the embedded database has only a superuser). */
  app: Database
  /** A schema-owner/superuser handle for catalog checks and for setting up what the app may not do itself. */
  owner: Database
  /** The haven_app URL of this file's database (a real server only). */
  appUrl?: string
  close(): Promise<void>
}

/** A fresh copy of the migrated template for one test file, installed as the database the scopes run on. */
export async function openTestDatabase(): Promise<TestDatabase> {
  const template = inject('havenTemplate')
  if (template.driver === 'pglite') {
    const pglite = await createPglite(undefined, new Blob([readFileSync(template.tarball)]))
    const database = await openDatabase({ driver: 'pglite', instance: pglite })
    setTenantTables((await pglite.query<{ name: string }>(TENANT_TABLES_SQL)).rows.map((r) => r.name))
    capturePglite(pglite)
    setScopeDatabase(database.db)
    return {
      driver: 'pglite',
      app: database,
      owner: database,
      close: async () => {
        setScopeDatabase(undefined)
        await database.close()
      },
    }
  }
  const name = `${template.prefix}_${randomBytes(4).toString('hex')}`
  const { default: postgres } = await import('postgres')
  const admin = postgres(adminUrl(template.serverUrl), { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name} template ${template.template}`)
  // Database-level privileges are not copied from a template: repeat what migration 0010 did to the template.
  await admin.unsafe(`revoke temporary on database ${name} from public`)
  await admin.end()
  const appUrl = databaseUrl(template.serverUrl, name, 'haven_app')
  const app = await openDatabase({ driver: 'postgres', url: appUrl, max: 4 })
  const owner = await openDatabase({ driver: 'postgres', url: databaseUrl(template.serverUrl, name), max: 2 })
  setTenantTables(rowsOf<{ name: string }>(await owner.db.execute(sql.raw(TENANT_TABLES_SQL))).map((r) => r.name))
  capturePostgres((app.db as unknown as { $client: Parameters<typeof capturePostgres>[0] }).$client)
  setScopeDatabase(app.db)
  return {
    driver: 'postgres',
    app,
    owner,
    appUrl,
    close: async () => {
      setScopeDatabase(undefined)
      await Promise.all([app.close(), owner.close()])
    },
  }
}

/**
 * Another runtime pool on the same database; `max: 1` makes certain the next use gets the same connection. The
 * embedded database has a single connection, so there it is the existing handle.
 */
export async function openAppPool(t: TestDatabase, max: number): Promise<Database> {
  if (t.driver === 'pglite' || !t.appUrl) return { ...t.app, close: async () => {} }
  const pool = await openDatabase({ driver: 'postgres', url: t.appUrl, max })
  capturePostgres((pool.db as unknown as { $client: Parameters<typeof capturePostgres>[0] }).$client)
  return pool
}
