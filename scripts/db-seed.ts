// `npm run db:seed`: migrates and seeds the demo into an empty database (embedded, or DATABASE_URL).
import { loadConfig } from '../app.config'
import { bootDatabase, shutdownDatabase } from '../app/server/db/index.server'
import { isDatabaseEmpty, seedDemo } from '../app/server/db/seed.server'

const cfg = loadConfig({ ...process.env, HAVEN_SEED: 'never' })
await bootDatabase(cfg)
if (!(await isDatabaseEmpty())) {
  console.log('The database already has tenants; the demo is seeded only into an empty database.')
} else {
  await seedDemo(cfg.demoPassword)
  console.log('Demo data seeded.')
}
await shutdownDatabase()
