import { config } from '../../app.config'
import { CONSOLE_SLUG } from '../lib/enums'
// Loaded here, at start-up, so that background work runs detached from every request (see the module).
import { backgroundIdle } from './background.server'
import { bootDatabase, databaseBooting, shutdownDatabase } from './db/index.server'
import { DEMO_ACCOUNTS } from './db/seed.server'

/** Boots the database when the server starts (not on the first request) and prints where to sign in. */
export async function bootServer() {
  const cfg = config()
  const { seeded, ms, database } = await bootDatabase(cfg)
  // Stopped (Ctrl-C) while the database was booting: the shutdown closes it, so there is nothing to start.
  if (stopping) return
  const { startAuditJobs } = await import('../features/audit/jobs.server')
  await startAuditJobs(cfg, database)
  const url = (host?: string) => `${cfg.protocol}://${host ? `${host}.` : ''}${cfg.rootDomain}`
  const where = database.driver === 'pglite' ? `embedded PostgreSQL in ${cfg.database.driver === 'pglite' ? cfg.database.dataDir : ''}` : 'PostgreSQL at DATABASE_URL'
  const lines = [
    '',
    `  Haven is running (${where}; ready in ${ms} ms${seeded ? ', demo data seeded' : ''}).`,
    '',
    `    Landing page   ${url()}`,
    `    Acme           ${url('acme')}`,
    `    Globex         ${url('globex')}`,
    `    Console        ${url(CONSOLE_SLUG)}`,
    '',
  ]
  const host = process.env.NITRO_HOST || process.env.HOST
  if (host === 'localhost' || host === '127.0.0.1' || host === '::1') {
    lines.push('  Only this machine can reach it; set HOST=0.0.0.0 to listen on every interface.', '')
  }
  if (cfg.seed === 'auto') {
    lines.push(`  Demo accounts (password: ${cfg.production ? '<HAVEN_DEMO_PASSWORD>' : cfg.demoPassword}):`)
    for (const a of DEMO_ACCOUNTS) lines.push(`    ${url(a.host).padEnd(36)} ${a.email.padEnd(20)} ${a.role}`)
    lines.push('')
  }
  console.log(lines.join('\n'))
}

let stopping = false
export function installShutdown() {
  const stop = async (why: string) => {
    if (stopping) return
    stopping = true
    // Under `npm start | tee log`, Ctrl-C ends tee too: writing to its pipe then fails (EPIPE), which must not
    // become an uncaught error that keeps the server from closing. A database that does not close in time does not
    // keep it either: whoever stops the server (a person at Ctrl-C, a supervisor, the e2e launcher) is waiting.
    process.stdout.on('error', () => {})
    // Not while the database is being set up, though: a first start creates, migrates and seeds it, and cut off
    // there the data folder could be left half-made. That takes seconds (a minute on a very busy machine); a second
    // Ctrl-C still ends it at once (scripts/start.mjs). Stopped before the seed has begun, it is not seeded.
    if (databaseBooting()) {
      console.log(`[haven] ${why}: stopping as soon as the database is set up (Ctrl-C again to stop now, which may leave it unusable)`)
      await shutdownDatabase().catch(() => {})
    }
    setTimeout(() => process.exit(1), 5_000).unref()
    console.log(`[haven] ${why}: closing the database`)
    // postgres.js keeps the process alive while its pool is open, and PGlite must flush its data folder.
    const { stopAuditJobs } = await import('../features/audit/jobs.server')
    await stopAuditJobs().catch((error) => console.error('[haven] error while stopping the audit jobs', error))
    await backgroundIdle()
    await shutdownDatabase().catch((error) => console.error('[haven] error while closing the database', error))
    process.exit(0)
  }
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(signal, () => void stop(signal))
  // Started with an IPC channel (scripts/start.mjs, scripts/e2e-server.mjs), the server stops when its parent is gone
  // without having passed a signal on (killed with SIGKILL): the channel closes, and nothing else would tell it.
  if (process.channel) {
    process.channel.unref()
    process.once('disconnect', () => void stop('parent gone'))
  }
}
