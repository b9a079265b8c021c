// `npm run db:distribute`: distributes the schema over a Citus cluster by tenant_id (docs/decisions/017). Does nothing
// unless the citus extension is installed in DATABASE_URL's database; `npm run db:migrate` runs the same step last.
import { loadConfig } from '../app.config'
import { openDatabase } from '../app/server/db/client.server'
import { distributeDatabase } from '../app/server/db/distribute.server'

const cfg = loadConfig()
if (cfg.database.driver !== 'postgres') {
  console.error('DATABASE_URL is not set. The embedded database is never distributed.')
  process.exit(1)
}
const database = await openDatabase({ driver: 'postgres', url: cfg.database.ownerUrl, max: 1 })
try {
  const report = await distributeDatabase(database.db)
  if (!report.citus) console.log('The citus extension is not installed in this database: nothing to distribute.')
  else {
    console.log(`Distributed by tenant_id: ${report.distributed.join(', ') || '(none pending)'}`)
    console.log(`Reference tables: ${report.reference.join(', ') || '(none pending)'}`)
    console.log(`Workers prepared: ${report.workers}`)
  }
} finally {
  await database.close()
}
