/**
 * The console's tenants list at 1,000 tenants (decision 022): `findTenants` under haven_console, sorted by each column,
 * page 1 and page 20 (by its cursor), p50/p95 in ms; the plan of a figure sort; and what the scheduled job pays:
 * counting one tenant of 100,000 people and 100,000 audit events (`countFigures`) in that tenant's scope and, for
 * comparison, in the console's, and one run over 200 due tenants.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/tenant-figures.ts
 *   (BENCH_TENANTS, BENCH_USERS and BENCH_ROUNDS override the defaults; a fresh database is created and dropped;
 *   without DATABASE_URL it runs on PGlite)
 */
import { sql } from 'drizzle-orm'
import { loadConfig } from '../app.config'
import { findTenants } from '../app/features/console/console.server'
import { TENANT_SORTS } from '../app/features/console/console.schemas'
import { countFigures, refreshDueFigures } from '../app/features/console/tenant-figures.server'
import { rowsOf, type Tx } from '../app/server/db/client.server'
import { bootDatabase, shutdownDatabase } from '../app/server/db/index.server'
import { withConsole, withTenant } from '../app/server/db/scope.server'
import { freshDatabase, measure } from './support'

const TENANTS = Number(process.env.BENCH_TENANTS ?? 1_000)
const PEOPLE = Number(process.env.BENCH_USERS ?? 100_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 50)
const PAGE = 25

const ms = (m: { p50: number; p95: number }) => `${m.p50.toFixed(2)} / ${m.p95.toFixed(2)}`
const inConsole = <T>(work: (tx: Tx) => Promise<T>) => withConsole({ requestId: 'bench-figures' }, work)

async function main() {
  const bench = await freshDatabase(process.env.DATABASE_URL, { HAVEN_SEED: 'auto' })
  try {
    const boot = await bootDatabase(loadConfig({ ...process.env, ...bench.env }))
    const db = boot.database.db
    // Tenants with figures spread like a real fleet's, written directly (the benchmark's fixture, not the app's path).
    await db.execute(sql`insert into tenants (name, slug) select 'Bench ' || g, 'bench-' || g from generate_series(1, ${TENANTS}::int) g`)
    await db.execute(sql`
      insert into tenant_figures (tenant_id, people, active_30d, categories, events_30d, last_activity)
      select t.id, (random() * 100000)::int, (random() * 50000)::int, (random() * 5000)::int, (random() * 1000000)::int,
        now() - random() * interval '90 days'
      from tenants t where t.slug like 'bench-%'`)
    const [acme] = rowsOf<{ id: string }>(await db.execute(sql`select id from tenants where slug = 'acme'`))
    if (!acme) throw new Error('demo tenant acme missing')
    // People (a third signed in lately) and as many audit events, without the triggers: what is counted, not how it came.
    await db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`)
      await tx.execute(sql`
        insert into users (tenant_id, email, full_name, last_sign_in_at)
        select ${acme.id}::uuid, 'person' || g || '@bench.test', 'Person ' || g, case when g % 3 = 0 then now() - (g % 60) * interval '1 day' end
        from generate_series(1, ${PEOPLE}::int) g`)
      await tx.execute(sql`
        insert into audit_log (tenant_id, table_name, action, created_at)
        select ${acme.id}::uuid, 'users', 'UPDATE', now() - (g % 90) * interval '1 day' from generate_series(1, ${PEOPLE}::int) g`)
    })
    await db.execute(sql`vacuum analyze`)
    console.log(`Tenants list on ${bench.label}: ${TENANTS.toLocaleString()} tenants, acme with ${PEOPLE.toLocaleString()} people and audit events, ${ROUNDS} rounds\n`)

    const bare = await measure(ROUNDS, () => inConsole((tx) => tx.execute(sql`select 1`)))
    console.log(`A console transaction around \`select 1\`, p50 / p95 ms: ${ms(bare)}\n`)
    console.log('findTenants, p50 / p95 ms     page 1          page 20')
    for (const sort of TENANT_SORTS) {
      const input = { status: 'all' as const, sort, dir: 'desc' as const, pageSize: PAGE }
      let cursor: string | undefined
      for (let i = 1; i < 20; i++) cursor = (await inConsole((tx) => findTenants(tx, { ...input, cursor }))).nextCursor ?? undefined
      const first = await measure(ROUNDS, () => inConsole((tx) => findTenants(tx, input)))
      const deep = await measure(ROUNDS, () => inConsole((tx) => findTenants(tx, { ...input, cursor })))
      console.log(`  ${sort.padEnd(28)} ${ms(first).padEnd(15)} ${ms(deep)}`)
    }

    const plan = await inConsole(async (tx) =>
      rowsOf<{ 'QUERY PLAN': string }>(
        await tx.execute(sql`explain (analyze, costs off, timing off, summary off)
          select t.id, f.people from tenants t join tenant_figures f on f.tenant_id = t.id
          where t.slug <> 'console' order by f.people desc, f.tenant_id desc limit ${PAGE + 1}`),
      ).map((r) => r['QUERY PLAN']),
    )
    console.log(`\nPlan of the people sort, page 1:\n  ${plan.join('\n  ')}`)

    const own = await measure(10, () => withTenant({ tenantId: acme.id, requestId: 'bench-figures' }, (tx) => countFigures(tx, acme.id)))
    const across = await measure(10, () => inConsole((tx) => countFigures(tx, acme.id)))
    console.log(`\ncountFigures of acme, p50 / p95 ms: in its own scope ${ms(own)}, as the console ${ms(across)}`)
    await db.execute(sql`update tenant_figures set refreshed_at = now() - interval '2 hours'`)
    const started = performance.now()
    const counted = await refreshDueFigures()
    console.log(`refreshDueFigures, one run: ${counted} tenants in ${Math.round(performance.now() - started)} ms`)
  } finally {
    await shutdownDatabase().catch(() => {})
    await bench.cleanup()
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  },
)
