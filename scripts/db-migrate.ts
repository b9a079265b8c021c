// `npm run db:migrate`: applies the migrations to DATABASE_URL (as HAVEN_OWNER_DATABASE_URL when given).
import { loadConfig } from '../app.config'
import { migrateDatabase } from '../app/server/db/migrate.server'

const cfg = loadConfig()
if (cfg.database.driver !== 'postgres') {
  console.error('DATABASE_URL is not set. The embedded database migrates itself when the app starts (npm start).')
  process.exit(1)
}
await migrateDatabase({ driver: 'postgres', ownerUrl: cfg.database.ownerUrl })
console.log('Migrations applied.')
