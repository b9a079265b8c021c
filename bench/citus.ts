/**
 * A tenant-scoped read on Citus against a single node (docs/decisions/017).
 *
 * Two databases the operator made: BENCH_SINGLE_URL on a plain PostgreSQL and BENCH_CITUS_URL on a Citus coordinator
 * (`create extension citus` and the workers added; see the decision record). Both URLs are superuser or owner URLs.
 * Each is migrated with this tree's migrations (on Citus that includes the distribution step) and gets a tenant of
 * BENCH_USERS people beside a second tenant. Each request is what the app's scope sends, as the runtime role
 * haven_app: BEGIN; the signed context; the read; COMMIT. Reads: a person by id, and a count of the tenant's people,
 * both naming their tenant. Prints requests/s at 1 and 8 clients over BENCH_ROUNDS interleaved rounds, and the
 * Citus / single ratio.
 *
 *   BENCH_SINGLE_URL=postgres://postgres@127.0.0.1:9700/haven_single BENCH_CITUS_URL=postgres://postgres@127.0.0.1:9700/haven_citus \
 *     npx tsx bench/citus.ts
 */
import postgres from 'postgres'
import { signContext } from '../app/server/db/context-key.server'
import { migrateDatabase } from '../app/server/db/migrate.server'

const USERS = Number(process.env.BENCH_USERS ?? 100_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3)
const targets = { single: process.env.BENCH_SINGLE_URL, citus: process.env.BENCH_CITUS_URL }
if (!targets.single || !targets.citus) throw new Error('bench/citus.ts needs BENCH_SINGLE_URL and BENCH_CITUS_URL')

const asApp = (url: string) => {
  const u = new URL(url)
  u.username = 'haven_app'
  u.password = ''
  return u.toString()
}

async function seed(url: string) {
  const owner = postgres(url, { max: 1, onnotice: () => {} })
  const [a, b] = [crypto.randomUUID(), crypto.randomUUID()]
  const tag = a.slice(0, 8)
  // As the superuser with triggers off (SET LOCAL reaches the workers too): the audit trail of the seed is not measured.
  await owner.begin(async (tx) => {
    await tx`set local session_replication_role = replica`
    await tx`insert into tenants (id, name, slug) values (${a}, 'Bench A', ${`bench-a-${tag}`}), (${b}, 'Bench B', ${`bench-b-${tag}`})`
    await tx`insert into users (tenant_id, email, full_name)
      select ${a}::uuid, 'person' || g || '@a.test', 'Person ' || g from generate_series(1, ${USERS}) g`
    await tx`insert into users (tenant_id, email, full_name)
      select ${b}::uuid, 'person' || g || '@b.test', 'Person ' || g from generate_series(1, ${Math.round(USERS / 5)}) g`
  })
  await owner`analyze users`
  const [person] = await owner<{ id: string }[]>`select id from users where tenant_id = ${a} order by id limit 1 offset ${Math.floor(USERS / 2)}`
  await owner.end()
  if (!person) throw new Error('no person seeded')
  return { tenantId: a, personId: person.id }
}

type Variant = { label: string; sql: postgres.Sql; tenantId: string; personId: string }

async function throughput(v: Variant, clients: number, read: 'by id' | 'count'): Promise<number> {
  let done = 0
  const until = performance.now() + SECONDS * 1000
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        await v.sql.begin(async (tx) => {
          const { context, sig } = signContext(['haven_tenant', v.tenantId, '', '', '127.0.0.1', 'bench', 'bench'])
          await tx`select public.haven_set_context(${context}, ${sig})`
          if (read === 'by id') {
            const rows = await tx`select id, email, full_name from users where tenant_id = ${v.tenantId} and id = ${v.personId}`
            if (rows.length !== 1) throw new Error(`${v.label}: the scoped read found ${rows.length} rows`)
          } else await tx`select count(*) from users where tenant_id = ${v.tenantId} and not is_deleted`
        })
        done += 1
      }
    }),
  )
  return done / SECONDS
}

async function main() {
  const variants: Variant[] = []
  try {
    for (const [label, url] of Object.entries(targets) as [string, string][]) {
      await migrateDatabase({ driver: 'postgres', ownerUrl: url })
      variants.push({ label, sql: postgres(asApp(url), { max: 8, onnotice: () => {} }), ...(await seed(url)) })
    }
    const results = new Map<string, number[]>()
    for (let round = 0; round < ROUNDS; round++) {
      for (const read of ['by id', 'count'] as const) {
        for (const clients of [1, 8]) {
          for (const v of round % 2 ? [...variants].reverse() : variants) {
            const key = `${read}|${clients}|${v.label}`
            results.set(key, [...(results.get(key) ?? []), await throughput(v, clients, read)])
          }
        }
      }
    }
    const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)] ?? 0
    console.log(`\nTenant-scoped read throughput, requests/s (median of ${ROUNDS} interleaved rounds of ${SECONDS} s; ${USERS} people)\n`)
    console.log('| read | clients | single node | Citus | Citus / single |')
    console.log('|---|---|---|---|---|')
    for (const read of ['by id', 'count'] as const) {
      for (const clients of [1, 8]) {
        const s = median(results.get(`${read}|${clients}|single`) ?? [])
        const c = median(results.get(`${read}|${clients}|citus`) ?? [])
        console.log(`| ${read} | ${clients} | ${s.toFixed(0)} | ${c.toFixed(0)} | ${(c / s).toFixed(2)} |`)
      }
    }
  } finally {
    await Promise.all(variants.map((v) => v.sql.end({ timeout: 5 })))
  }
}

await main()
