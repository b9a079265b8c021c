/**
 * Users search under RLS at 100,000 users in one tenant (PostgreSQL): the search page and its capped total, as
 * LIKE on lower(name || ' ' || email) (before) and as the suffix range of drizzle/0021 (after), each run (a) in the
 * tenant scope — haven_tenant under forced RLS, with the explicit tenant predicate — and (b) as a superuser without
 * RLS; and the whole findUsers call in the scope. Prints p50/p95 and the ratios to the LIKE search without RLS.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/users-search.ts
 *   (BENCH_USERS and BENCH_ROUNDS override the defaults; a fresh database is created and dropped)
 */
import { randomBytes } from 'node:crypto'
import { type SQL, sql } from 'drizzle-orm'
import { loadConfig } from '../app.config'
import { findUsers, likePattern, nameOrEmailContains, TOTAL_CAP } from '../app/features/users/users.server'
import { type AppDb, rowsOf } from '../app/server/db/client.server'
import { bootDatabase, shutdownDatabase } from '../app/server/db/index.server'
import { withTenant } from '../app/server/db/scope.server'
import { seedPeople } from './support'

const USERS = Number(process.env.BENCH_USERS ?? 100_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 100)
const PAGE = 25

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0

async function measure(run: () => Promise<unknown>, rounds = ROUNDS) {
  for (let i = 0; i < 5; i++) await run()
  const times: number[] = []
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now()
    await run()
    times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)
  return { p50: percentile(times, 50), p95: percentile(times, 95) }
}

const ms = (m: { p50: number; p95: number }) => `${m.p50.toFixed(2)} / ${m.p95.toFixed(2)}`

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
    await seedPeople(db, acme.id, USERS)
    console.log(`Users search on PostgreSQL: ${USERS.toLocaleString()} users in one tenant, ${ROUNDS} rounds per case\n`)

    const searches = [
      { label: '"hopper" (10% match)', q: 'hopper' },
      { label: '"person4242@" (1 match)', q: 'person4242@' },
      { label: '"nobody" (no match)', q: 'nobody' },
      { label: '"person42" (1% match)', q: 'person42' },
    ]
    const rows: string[][] = []
    for (const s of searches) {
      // Before (issue 13): LIKE on lower(name || ' ' || email), which only a query without RLS can answer from the
      // trigram index. After: the suffix range (drizzle/0021), an index condition under RLS too.
      const like = sql`tenant_id = ${acme.id}::uuid and not is_deleted and lower(full_name || ' ' || email) like ${likePattern(s.q)}`
      const suffix = sql`tenant_id = ${acme.id}::uuid and not is_deleted and ${nameOrEmailContains(s.q, acme.id)}`
      const page = (filter: SQL) =>
        sql`select id, email, full_name, is_active, metadata, last_sign_in_at, created_at from users where ${filter} order by full_name, id limit ${PAGE + 1}`
      const capped = (filter: SQL) => sql`select count(*) from (select 1 from users where ${filter} limit ${TOTAL_CAP + 1}) c`
      for (const [what, statement] of [
        ['page', page],
        ['count (capped)', capped],
      ] as const) {
        const bare = await measure(() => db.execute(statement(like)))
        const before = await measure(() => withTenant({ tenantId: acme.id }, (tx) => tx.execute(statement(like))), 20)
        const after = await measure(() => withTenant({ tenantId: acme.id }, (tx) => tx.execute(statement(suffix))))
        const afterBare = await measure(() => db.execute(statement(suffix)))
        rows.push([
          `${s.label} ${what}`,
          ms(bare),
          ms(before),
          ms(after),
          ms(afterBare),
          `${(before.p95 / bare.p95).toFixed(2)}`,
          `${(after.p95 / bare.p95).toFixed(2)}`,
        ])
      }
      const input = { q: s.q, status: 'all' as const, sort: 'name' as const, dir: 'asc' as const, pageSize: PAGE }
      const call = await measure(() => withTenant({ tenantId: acme.id }, (tx) => findUsers(tx, input)))
      rows.push([`${s.label} findUsers (page + capped count + roles)`, '', '', ms(call), '', '', ''])
    }
    const header = ['case', 'no RLS, LIKE', 'RLS, LIKE (before)', 'RLS, suffixes (after)', 'no RLS, suffixes', 'before/no RLS', 'after/no RLS']
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)))
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')
    console.log(`${line(header)}\n${rows.map(line).join('\n')}\n`)
    console.log('p50 / p95 in ms. no RLS = the statement as a superuser (LIKE then uses the trigram index); RLS = the same')
    console.log('statement in withTenant (a transaction: reset, signed context, the statement, commit). The ratios are p95')
    console.log('against the LIKE search without RLS, the target being at most 2 (issue 13).')
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
