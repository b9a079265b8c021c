import { sql } from 'drizzle-orm'
import { type AppConfig, config } from '../../../app.config'
import { type Database, openDatabase, rowsOf } from './client.server'
import { migrateDatabase } from './migrate.server'
import { syncSystemRoleGrants } from '~/features/roles/roles.server'
import { setScopeDatabase, withConsole, withResolver } from './scope.server'
import { isDatabaseEmpty, seedDemo } from './seed.server'

type Boot = { database: Database; seeded: boolean; ms: number }

// Kept on globalThis so a dev-server module reload does not open a second PGlite on the same data folder.
const state = globalThis as typeof globalThis & { __havenBoot?: Promise<Boot>; __havenStopping?: boolean; __havenBooting?: boolean }

/** Opens the configured database once per process, migrates it and seeds the demo when it is empty. */
export function bootDatabase(cfg: AppConfig = config()): Promise<Boot> {
  // A request that arrives while the server stops must not open the database again after it was closed: it gets
  // the 503 of a database shutting down (57P01, admin_shutdown).
  if (state.__havenStopping) return Promise.reject(Object.assign(new Error('Haven is stopping'), { code: '57P01' }))
  state.__havenBoot ??= (async () => {
    state.__havenBooting = true
    const started = performance.now()
    const database =
      cfg.database.driver === 'pglite'
        ? await openDatabase({ driver: 'pglite', dataDir: cfg.database.dataDir })
        : await openDatabase({ driver: 'postgres', url: cfg.database.url, max: cfg.poolMax, connectTimeoutSeconds: cfg.dbConnectTimeoutSeconds })
    await migrateDatabase(cfg.database.driver === 'pglite' ? database : { driver: 'postgres', ownerUrl: cfg.database.ownerUrl })
    setScopeDatabase(database.db)
    if (database.driver === 'postgres') await warnAboutRoleDefaults(database)
    await withConsole({ requestId: 'boot' }, async (tx) => {
      await syncSystemRoleGrants(tx)
      await tx.execute(sql`select haven_rate_limit_prune()`)
    })
    let seeded = false
    // Asked to stop while starting: an empty database stays empty rather than half-seeded (the seed is several
    // transactions, and a start that finds any tenant does not seed), and the next start seeds it whole.
    if (cfg.seed === 'auto' && !state.__havenStopping && (await isDatabaseEmpty())) {
      await seedDemo(cfg.demoPassword)
      seeded = true
    }
    return { database, seeded, ms: Math.round(performance.now() - started) }
  })().finally(() => {
    state.__havenBooting = false
  })
  return state.__havenBoot
}

/**
 * The runtime login may set its own defaults (ALTER ROLE … SET), and SQL injected into a request could do that. The
 * request path does not trust them (haven_reset_session), but they should not exist: say so loudly at start.
 */
async function warnAboutRoleDefaults(database: Database) {
  const rows = rowsOf<{ setting: string }>(
    await database.db.execute(sql`select unnest(setconfig) as setting from pg_db_role_setting
      where setrole = (select oid from pg_roles where rolname = session_user) and setdatabase in (0, (select oid from pg_database where datname = current_database()))`),
  )
  if (rows.length) {
    const { logger } = await import('../request-log.server')
    logger.error({ settings: rows.map((r) => r.setting) }, 'the runtime login role has role-level defaults; Haven overrides them per request, but check who set them (ALTER ROLE … RESET ALL)')
  }
}

/** Whether the database answers a trivial scoped query within `timeoutMs` (the readiness probe). */
export async function databaseReadiness(timeoutMs: number): Promise<{ ok: true; ms: number } | { ok: false; reason: string }> {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    await Promise.race([
      (async () => {
        await bootDatabase()
        await withResolver((tx) => tx.execute(sql`select 1`))
      })(),
      timeout,
    ])
    return { ok: true, ms: Math.round(performance.now() - started) }
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message.slice(0, 200) : 'unknown' }
  } finally {
    clearTimeout(timer)
  }
}

/** Whether the database is still being opened, migrated or seeded (a first start takes seconds). */
export const databaseBooting = () => state.__havenBooting === true

/** Closes the database; during start-up, once the start has reached a point where it can stop (see bootDatabase). */
export async function shutdownDatabase() {
  state.__havenStopping = true
  const boot = state.__havenBoot
  state.__havenBoot = undefined
  if (boot) await (await boot).database.close()
}
