import { config } from '../../app.config'
import { CONSOLE_SLUG } from '../lib/enums'
// Loaded here, at start-up, so that background work runs detached from every request (see the module).
import { backgroundIdle } from './background.server'
import { bootDatabase, shutdownDatabase } from './db/index.server'
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
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    // Under `npm start | tee log`, Ctrl-C ends tee too: writing to its pipe then fails (EPIPE), which must not
    // become an uncaught error that keeps the server from closing. A database that does not close in time does not
    // keep it either.
    process.stdout.on('error', () => {})
    setTimeout(() => process.exit(1), 15_000).unref()
    console.log(`[haven] ${signal}: closing the database`)
    // postgres.js keeps the process alive while its pool is open, and PGlite must flush its data folder.
    const { stopAuditJobs } = await import('../features/audit/jobs.server')
    await stopAuditJobs().catch((error) => console.error('[haven] error while stopping the audit jobs', error))
    await backgroundIdle()
    await shutdownDatabase().catch((error) => console.error('[haven] error while closing the database', error))
    process.exit(0)
  }
  process.once('SIGTERM', () => void stop('SIGTERM'))
  process.once('SIGINT', () => void stop('SIGINT'))
}
