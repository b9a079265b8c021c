import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rowsOf } from '~/server/db/client.server'
import { distributeDatabase, hasCitus } from '~/server/db/distribute.server'
import { openTestDatabase, type TestDatabase } from '../support/db'

/**
 * The Citus distribution step (docs/decisions/017) without Citus: on PGlite and on plain PostgreSQL it must find no
 * extension and change nothing. (On a Citus coordinator it was tried by hand; the schema guard holds the rules that
 * make its plan complete.)
 */
let t: TestDatabase
beforeAll(async () => {
  t = await openTestDatabase()
})
afterAll(() => t.close())

/** Everything the step would touch: tables and their Citus-relevant state, foreign keys, triggers, database settings. */
async function fingerprint() {
  const result = await t.owner.db.execute(sql`
    select jsonb_build_object(
      'tables', (select jsonb_agg(c.relname || ':' || c.relkind::text order by c.relname) from pg_class c
                 where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v', 'f')),
      'keys', (select jsonb_agg(k.conname || ':' || pg_get_constraintdef(k.oid) order by k.conname) from pg_constraint k
               where k.connamespace = 'public'::regnamespace),
      'triggers', (select jsonb_agg(g.tgrelid::regclass::text || '.' || g.tgname order by 1) from pg_trigger g
                   join pg_class c on c.oid = g.tgrelid where c.relnamespace = 'public'::regnamespace and not g.tgisinternal),
      'settings', (select jsonb_agg(s.setconfig) from pg_db_role_setting s
                   where s.setdatabase = (select oid from pg_database where datname = current_database())),
      'login', (select jsonb_agg(r.rolname || ':' || r.rolcanlogin::text order by r.rolname) from pg_roles r where r.rolname like 'haven\\_%')
    ) as f`)
  return rowsOf<{ f: unknown }>(result)[0]?.f
}

describe('the distribution step without Citus', () => {
  it('finds no citus extension', async () => {
    expect(await hasCitus(t.owner.db)).toBe(false)
  })

  it('changes nothing, however often it runs', async () => {
    const before = await fingerprint()
    expect(before).toMatchObject({ tables: expect.arrayContaining(['tenants:r', 'users:r']) })
    expect(await distributeDatabase(t.owner.db)).toEqual({ citus: false, distributed: [], reference: [], workers: 0 })
    expect(await distributeDatabase(t.owner.db)).toEqual({ citus: false, distributed: [], reference: [], workers: 0 })
    expect(await fingerprint()).toEqual(before)
  })
})

describe('tenant changes', () => {
  const appDir = path.resolve('app')
  const sources = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const full = path.join(dir, name)
      if (statSync(full).isDirectory()) return sources(full)
      return /\.tsx?$/.test(name) ? [full] : []
    })

  it('are written only through tenant-changes.server.ts, which records them (tenants has no row audit trigger)', () => {
    const writer = path.join(appDir, 'features', 'tenants', 'tenant-changes.server.ts')
    const direct = /\.(update|insert)\(\s*tenants\s*\)|\b(update|insert\s+into)\s+(public\.)?tenants\b/i
    const files = sources(appDir)
    expect(files).toContain(writer)
    expect(direct.test(readFileSync(writer, 'utf8')), 'the rule must match the writer itself').toBe(true)
    const offenders = files.filter((file) => file !== writer && direct.test(readFileSync(file, 'utf8')))
    expect(offenders.map((file) => path.relative(appDir, file))).toEqual([])
  })
})
