import type { AppConfig } from '../../../app.config'
import type { Database } from '~/server/db/client.server'
import { openDatabase } from '~/server/db/client.server'
import { endExpiredImpersonations } from '../console/impersonation.server'
import { refreshDueFigures } from '../console/tenant-figures.server'
import { runRetention, sealPending, setAuditOwnerDatabase } from './chain.server'

type Jobs = { timers: NodeJS.Timeout[]; owner?: Database; stopped?: boolean }
const state = globalThis as typeof globalThis & { __havenAuditJobs?: Jobs }

const isPermissionError = (e: unknown) => {
  for (let c: unknown = e, i = 0; c && typeof c === 'object' && i < 5; c = (c as { cause?: unknown }).cause, i++) {
    if ((c as { code?: unknown }).code === '42501') return true
  }
  return false
}

/**
 * Installs the owner connection and runs the audit jobs in this process: sealing every few seconds, retention
 * every hour (ADR 013), ending the impersonations that ran out every minute (ADR 015), and every minute counting
 * again the figures of the tenants whose audit log moved (ADR 022; under the console's role, not the owner's, so it
 * runs whatever the owner login can do). Embedded database: its one
 * connection. PostgreSQL: a small pool on the owner URL
 * (`HAVEN_OWNER_DATABASE_URL`, else `DATABASE_URL`); if that login cannot act as haven_owner the jobs stay off and
 * the log says how to run them from cron instead.
 */
export async function startAuditJobs(cfg: AppConfig, database: Database) {
  if (state.__havenAuditJobs) return
  const jobs: Jobs = { timers: [] }
  state.__havenAuditJobs = jobs
  if (cfg.database.driver === 'pglite') setAuditOwnerDatabase(database.db)
  else {
    jobs.owner = await openDatabase({ driver: 'postgres', url: cfg.database.ownerUrl, max: 2 })
    setAuditOwnerDatabase(jobs.owner.db)
  }
  // One job at a time on the owner connection; the figures run on the app's own pool beside them.
  const busy = { owner: false, console: false }
  let disabled = false
  const run = (what: string, work: () => Promise<unknown>, asOwner = true) => async () => {
    const lane = asOwner ? 'owner' : 'console'
    // Stopped (server shutting down): the owner connection is gone; a timer that fired meanwhile does nothing.
    if (busy[lane] || (disabled && asOwner) || jobs.stopped) return
    busy[lane] = true
    try {
      await work()
    } catch (error) {
      if (jobs.stopped) return // the shutdown took the owner connection away mid-run; the next start seals the rest
      if (asOwner && isPermissionError(error)) {
        disabled = true
        console.warn(
          `[haven] audit ${what}: the owner login cannot act as haven_owner, so the audit chain is not sealed by this server. ` +
            'Set HAVEN_OWNER_DATABASE_URL, or run `npm run audit:verify` and `npm run audit:retention` from cron with it.',
        )
      } else console.error(`[haven] audit ${what} failed`, error)
    } finally {
      busy[lane] = false
    }
  }
  if (cfg.auditSealSeconds > 0) {
    const seal = run('sealing', () => sealPending())
    jobs.timers.push(setInterval(seal, cfg.auditSealSeconds * 1000))
    void seal()
  }
  if (cfg.auditRetentionMinutes > 0) {
    jobs.timers.push(setInterval(run('retention', () => runRetention()), cfg.auditRetentionMinutes * 60_000))
  }
  jobs.timers.push(setInterval(run('impersonation sweep', () => endExpiredImpersonations()), 60_000))
  const figures = run('tenant figures', () => refreshDueFigures(), false)
  jobs.timers.push(setInterval(figures, 60_000))
  void figures()
  for (const t of jobs.timers) t.unref()
}

export async function stopAuditJobs() {
  const jobs = state.__havenAuditJobs
  state.__havenAuditJobs = undefined
  if (!jobs) return
  jobs.stopped = true
  for (const t of jobs.timers) clearInterval(t)
  setAuditOwnerDatabase(undefined)
  await jobs.owner?.close()
}
