// `npm run audit:verify [tenant-slug]`: seals what is pending, then verifies each tenant's audit chain (or one's) and
// prints "intact through event N, sealed up to T" or where it breaks. Exits 1 when a chain is broken.
// On PostgreSQL it needs the owner login (HAVEN_OWNER_DATABASE_URL, else DATABASE_URL) to seal. With the embedded
// database, stop the server first (one process at a time may open its data folder).
import { sql } from 'drizzle-orm'
import { loadConfig } from '../app.config'
import { describeReport, sealPending, setAuditOwnerDatabase, verifyTenant } from '../app/features/audit/chain.server'
import { openDatabase, rowsOf } from '../app/server/db/client.server'
import { bootDatabase, shutdownDatabase } from '../app/server/db/index.server'
import { withConsole } from '../app/server/db/scope.server'

const cfg = loadConfig({ ...process.env, HAVEN_SEED: 'never' })
const { database } = await bootDatabase(cfg)
const owner = cfg.database.driver === 'postgres' ? await openDatabase({ driver: 'postgres', url: cfg.database.ownerUrl, max: 1 }) : undefined
setAuditOwnerDatabase(owner?.db ?? database.db)
const slug = process.argv[2]
let broken = false
try {
  const tenants = await withConsole({ requestId: 'audit-verify' }, async (tx) =>
    rowsOf<{ id: string; slug: string }>(
      await tx.execute(sql`select id::text, slug from tenants where ${slug ? sql`slug = ${slug}` : sql`true`} order by slug`),
    ),
  )
  if (slug && tenants.length === 0) throw new Error(`No workspace "${slug}".`)
  for (const t of tenants) {
    await sealPending({ tenantId: t.id })
    const report = await verifyTenant(t.id)
    if (report.status === 'broken') broken = true
    console.log(`${t.slug.padEnd(20)} ${describeReport(report)}${report.headHash ? ` Head ${report.headHash}` : ''}`)
  }
} finally {
  await owner?.close()
  await shutdownDatabase()
}
process.exit(broken ? 1 : 0)
