/**
 * Users search under RLS at 100,000 users in one tenant (PostgreSQL): the search page and its total, each as the
 * same SQL run (a) in the tenant scope — haven_tenant under forced RLS, with the explicit tenant predicate — and
 * (b) as a superuser without RLS; and the whole findUsers call in the scope. Prints p50/p95 and the RLS ratio.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/users-search.ts
 *   (BENCH_USERS and BENCH_ROUNDS override the defaults; a fresh database is created and dropped)
 */
import { randomBytes } from 'node:crypto'
import { type SQL, sql } from 'drizzle-orm'
import { loadConfig } from '../app.config'
import { findUsers, TOTAL_CAP } from '../app/features/users/users.server'
import { type AppDb, rowsOf } from '../app/server/db/client.server'
import { bootDatabase, shutdownDatabase } from '../app/server/db/index.server'
import { withTenant } from '../app/server/db/scope.server'

const USERS = Number(process.env.BENCH_USERS ?? 100_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 100)
const PAGE = 25

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0

async function measure(run: () => Promise<unknown>) {
  for (let i = 0; i < 5; i++) await run()
  const times: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now()
    await run()
    times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)
  return { p50: percentile(times, 50), p95: percentile(times, 95) }
}

async function main() {
  const server = process.env.DATABASE_URL
  if (!server) throw new Error('Set DATABASE_URL to a PostgreSQL server (a superuser URL): RLS is compared with a superuser')
  const { default: postgres } = await import('postgres')
  const name = `haven_bench_search_${randomBytes(4).toString('hex')}`
  const adminUrl = new URL(server)
  adminUrl.pathname = '/postgres'
  const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  const url = new URL(server)
  url.pathname = `/${name}`
  try {
    const cfg = loadConfig({ ...process.env, DATABASE_URL: url.toString(), HAVEN_SEED: 'auto' })
    const boot = await bootDatabase(cfg)
    const db: AppDb = boot.database.db
    const [acme] = rowsOf<{ id: string }>(await db.execute(sql`select id from tenants where slug = 'acme'`))
    if (!acme) throw new Error('demo tenant acme missing')
    await db.execute(sql`
      insert into users (tenant_id, email, full_name)
      select ${acme.id}::uuid, 'person' || g || '@bench.test',
        (array['Ada','Ben','Chloe','Dev','Elena','Farid','Grace','Hugo','Iris','Jonas','Kemi','Liam'])[1 + g % 12] || ' ' ||
        (array['Lovelace','Okafor','Nguyen','Patel','Rossi','Haddad','Hopper','Moreau','Tanaka','Berg'])[1 + (g * 7) % 10] || ' ' || g
      from generate_series(1, ${USERS}) g`)
    await db.execute(sql`analyze`)
    console.log(`Users search on PostgreSQL: ${USERS.toLocaleString()} users in one tenant, ${ROUNDS} rounds per case\n`)

    const searches = [
      { label: '"hopper" (10% match)', q: 'hopper' },
      { label: '"person4242@" (1 match)', q: 'person4242@' },
      { label: '"nobody" (no match)', q: 'nobody' },
    ]
    const rows: string[][] = []
    for (const s of searches) {
      const filter = sql`tenant_id = ${acme.id}::uuid and not is_deleted and lower(full_name || ' ' || email) like ${`%${s.q}%`}`
      const page = sql`select id, email, full_name, is_active, metadata, last_sign_in_at, created_at from users where ${filter} order by full_name, id limit ${PAGE + 1}`
      const capped = sql`select count(*) from (select 1 from users where ${filter} limit ${TOTAL_CAP + 1}) c`
      const full = sql`select count(*) from users where ${filter}`
      const cases: [string, SQL][] = [
        ['page', page],
        ['count (capped)', capped],
        ['count (full)', full],
      ]
      for (const [what, statement] of cases) {
        const bare = await measure(() => db.execute(statement))
        const rls = await measure(() => withTenant({ tenantId: acme.id }, (tx) => tx.execute(statement)))
        const scopeOnly = await measure(() => withTenant({ tenantId: acme.id }, async () => {}))
        rows.push([
          `${s.label} ${what}`,
          `${bare.p50.toFixed(2)} / ${bare.p95.toFixed(2)}`,
          `${rls.p50.toFixed(2)} / ${rls.p95.toFixed(2)}`,
          `${(rls.p95 / bare.p95).toFixed(2)}`,
          `${((rls.p95 - scopeOnly.p95) / bare.p95).toFixed(2)}`,
        ])
      }
      const input = { q: s.q, status: 'all' as const, sort: 'name' as const, dir: 'asc' as const, pageSize: PAGE }
      const call = await measure(() => withTenant({ tenantId: acme.id }, (tx) => findUsers(tx, input)))
      rows.push([`${s.label} findUsers (page + capped count + roles)`, '', `${call.p50.toFixed(2)} / ${call.p95.toFixed(2)}`, '', ''])
    }
    const header = ['case', 'no RLS p50/p95 ms', 'RLS scoped p50/p95 ms', 'RLS/no RLS p95', 'same, minus the empty scope']
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)))
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')
    console.log(`${line(header)}\n${rows.map(line).join('\n')}\n`)
    console.log('no RLS = the statement as a superuser; RLS scoped = the same statement in withTenant (a transaction: reset,')
    console.log('signed context, the statement, commit). The last column subtracts an empty scope, leaving what RLS adds.')
    await shutdownDatabase()
  } finally {
    await admin.unsafe(`drop database if exists ${name} with (force)`)
    await admin.end()
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
