import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { createPglite, openDatabase } from '~/server/db/client.server'
import { migrateDatabase } from '~/server/db/migrate.server'
import { adminUrl, databaseUrl } from './urls'

/**
 * Migrates one template per run; every test file then starts from a copy of it. On PGlite the template is a
 * data-folder tarball; on a real server a database used as `CREATE DATABASE … TEMPLATE`.
 */
export default async function setup(project: TestProject) {
  const serverUrl = process.env.DATABASE_URL
  if (!serverUrl) {
    const dir = mkdtempSync(path.join(tmpdir(), 'haven-test-'))
    const pglite = await createPglite()
    const database = await openDatabase({ driver: 'pglite', instance: pglite })
    await migrateDatabase(database)
    const tarball = path.join(dir, 'template.tar.gz')
    writeFileSync(tarball, Buffer.from(await (await pglite.dumpDataDir('gzip')).arrayBuffer()))
    await pglite.close()
    project.provide('havenTemplate', { driver: 'pglite', tarball })
    return () => rmSync(dir, { recursive: true, force: true })
  }

  const prefix = `haven_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
  const template = `${prefix}_template`
  const { default: postgres } = await import('postgres')
  const admin = postgres(adminUrl(serverUrl), { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${template}`)
  await migrateDatabase({ driver: 'postgres', ownerUrl: databaseUrl(serverUrl, template) })
  project.provide('havenTemplate', { driver: 'postgres', serverUrl, prefix, template })
  return async () => {
    const dbs = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${`${prefix}%`}`
    for (const { datname } of dbs) await admin.unsafe(`drop database if exists ${datname} with (force)`)
    await admin.end()
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    havenTemplate:
      | { driver: 'pglite'; tarball: string }
      | { driver: 'postgres'; serverUrl: string; prefix: string; template: string }
  }
}
