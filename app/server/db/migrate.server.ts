import path from 'node:path'
import { notInArray, sql } from 'drizzle-orm'
import { PERMISSIONS } from '~/lib/permissions'
import type { AppDb, Database } from './client.server'
import { contextKey } from './context-key.server'
import { distributeDatabase, hasCitus } from './distribute.server'
import { permissions } from './schema'

export const MIGRATIONS_DIR = path.resolve(process.env.HAVEN_MIGRATIONS_DIR ?? 'drizzle')

/** Any fixed key works; it only has to be the same for every Haven process migrating one database. */
const MIGRATION_LOCK = 4_242_001

/**
 * Applies pending migrations, mirrors the permission catalog and installs the context key, as the schema owner; on a
 * Citus coordinator it then distributes what is not yet distributed (`distribute.server.ts`, a no-op elsewhere). On a real server this runs
 * on its own connection (the owner URL, which may differ from the runtime URL) under an advisory lock, so several
 * processes starting together migrate once.
 */
export async function migrateDatabase(target: Database | { driver: 'postgres'; ownerUrl: string }) {
  if (target.driver === 'pglite' && 'db' in target) {
    const { migrate } = await import('drizzle-orm/pglite/migrator')
    await migrate(target.db as never, { migrationsFolder: MIGRATIONS_DIR })
    await syncPermissionCatalog(target.db)
    await installContextKey(target.db)
    await distributeDatabase(target.db)
    return
  }
  const url = 'ownerUrl' in target ? target.ownerUrl : undefined
  if (!url) throw new Error('migrateDatabase: a postgres target needs ownerUrl')
  const [{ default: postgres }, { drizzle }, { migrate }] = await Promise.all([
    import('postgres'),
    import('drizzle-orm/postgres-js'),
    import('drizzle-orm/postgres-js/migrator'),
  ])
  const client = postgres(url, { max: 1, onnotice: () => {} })
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK})`
    const db = drizzle({ client, casing: 'snake_case' })
    if (await hasCitus(db)) {
      // On Citus (decision 017) a later migration may add triggers to distributed tables and foreign keys to
      // reference tables within its transaction.
      await client`set citus.enable_unsafe_triggers = on`
      await client`set citus.multi_shard_modify_mode = 'sequential'`
    }
    await migrate(db, { migrationsFolder: MIGRATIONS_DIR })
    await syncPermissionCatalog(db as unknown as AppDb)
    await installContextKey(db as unknown as AppDb)
    await distributeDatabase(db as unknown as AppDb)
    await client`select pg_advisory_unlock(${MIGRATION_LOCK})`
  } finally {
    await client.end({ timeout: 5 })
  }
}

/** Puts this server's context-signing key where only the schema owner can read it (docs/decisions/009). */
async function installContextKey(db: AppDb) {
  await db.execute(sql`select haven_install_context_key(decode(${contextKey().toString('hex')}, 'hex'))`)
}

async function syncPermissionCatalog(db: AppDb) {
  const rows = Object.entries(PERMISSIONS).map(([key, p]) => ({ key, groupName: p.group, description: p.description }))
  await db.transaction(async (tx) => {
    await tx
      .insert(permissions)
      .values(rows)
      .onConflictDoUpdate({
        target: permissions.key,
        set: { groupName: sql`excluded.group_name`, description: sql`excluded.description` },
      })
    await tx.delete(permissions).where(
      notInArray(
        permissions.key,
        rows.map((r) => r.key),
      ),
    )
  })
}
