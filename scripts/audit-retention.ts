// `npm run audit:retention`: enforces every workspace's audit retention once (for an external cron; the server also
// runs it every HAVEN_AUDIT_RETENTION_MINUTES). Deletes as the owner login (HAVEN_OWNER_DATABASE_URL, else
// DATABASE_URL). With the embedded database, stop the server first.
import { loadConfig } from '../app.config'
import { runRetention, setAuditOwnerDatabase } from '../app/features/audit/chain.server'
import { openDatabase } from '../app/server/db/client.server'
import { bootDatabase, shutdownDatabase } from '../app/server/db/index.server'

const cfg = loadConfig({ ...process.env, HAVEN_SEED: 'never' })
const { database } = await bootDatabase(cfg)
const owner = cfg.database.driver === 'postgres' ? await openDatabase({ driver: 'postgres', url: cfg.database.ownerUrl, max: 1 }) : undefined
setAuditOwnerDatabase(owner?.db ?? database.db)
try {
  const results = await runRetention()
  if (results.length === 0) console.log('No workspace has an audit retention setting; everything is kept.')
  for (const r of results) console.log(`${r.tenantId} ${r.outcome}${r.deleted ? `: ${r.deleted} events removed through event ${r.throughSeq}` : ''}`)
} finally {
  await owner?.close()
  await shutdownDatabase()
}
