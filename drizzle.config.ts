import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'postgresql',
  schema: './app/server/db/schema.ts',
  out: './drizzle',
  casing: 'snake_case',
  dbCredentials: { url: process.env.HAVEN_OWNER_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://localhost/haven' },
})
