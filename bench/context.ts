/**
 * What the signed request context costs (docs/decisions/009), before and after, in one run on PostgreSQL.
 *
 * Two fresh databases on the server DATABASE_URL names: one migrated with the migrations of a git revision from
 * before the signed context (BENCH_BEFORE, default e0996cf: `tenant_id = (select current_setting(...))` policies,
 * an unsigned 7-argument haven_set_context), one with this tree's migrations. Both get the same tenant of
 * BENCH_USERS people beside a second tenant. Each request is what the app's scope sends, as the runtime role
 * haven_app: BEGIN; set the context (bound parameters); the read; COMMIT. Reads: a person by id, and a count of
 * the tenant's people, both naming their tenant as the app's queries do. Prints requests/s at 1 and 8 clients,
 * interleaved over BENCH_ROUNDS rounds, and the after/before ratio; then the server CPU time per request of each
 * (one connection, BENCH_CPU_REQUESTS requests), which a busy machine distorts far less than throughput.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/context.ts
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import postgres from 'postgres'
import { signContext } from '../app/server/db/context-key.server'
import { migrateDatabase } from '../app/server/db/migrate.server'
import { processCpuMicros } from './support'

const BEFORE = process.env.BENCH_BEFORE ?? 'e0996cf'
const USERS = Number(process.env.BENCH_USERS ?? 100_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2)
const CPU_REQUESTS = Number(process.env.BENCH_CPU_REQUESTS ?? 3000)
const root = path.resolve(import.meta.dirname, '..')
const serverUrl = process.env.DATABASE_URL
if (!serverUrl) throw new Error('bench/context.ts needs DATABASE_URL (a PostgreSQL server; the embedded database has no roles to compare)')

function url(database: string, user?: string): string {
  const u = new URL(serverUrl as string)
  u.pathname = `/${database}`
  if (user) u.username = user
  return u.toString()
}

/** The migrations folder of the `before` revision, extracted from git. */
function migrationsAt(revision: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'haven-bench-migrations-'))
  const files = execFileSync('git', ['ls-tree', '-r', '--name-only', revision, 'drizzle'], { cwd: root, encoding: 'utf8' }).trim().split('\n')
  for (const file of files) {
    const target = path.join(dir, path.relative('drizzle', file))
    mkdirSync(path.dirname(target), { recursive: true })
    writeFileSync(target, execFileSync('git', ['show', `${revision}:${file}`], { cwd: root }))
  }
  return dir
}

async function seed(database: string) {
  const owner = postgres(url(database), { max: 1, onnotice: () => {} })
  const [a, b] = [crypto.randomUUID(), crypto.randomUUID()]
  // Seeding as the superuser with triggers off: the audit trail of 100,000 inserts is not what is measured here.
  await owner.begin(async (tx) => {
    await tx`set local session_replication_role = replica`
    await tx`insert into tenants (id, name, slug) values (${a}, 'Bench A', ${`bench-a-${database.slice(-6)}`}), (${b}, 'Bench B', ${`bench-b-${database.slice(-6)}`})`
    await tx`insert into users (tenant_id, email, full_name)
      select ${a}, 'person' || g || '@a.test', 'Person ' || g from generate_series(1, ${USERS}) g`
    await tx`insert into users (tenant_id, email, full_name)
      select ${b}, 'person' || g || '@b.test', 'Person ' || g from generate_series(1, ${Math.round(USERS / 5)}) g`
  })
  await owner`analyze users`
  const [person] = await owner<{ id: string }[]>`select id from users where tenant_id = ${a} order by id limit 1 offset ${Math.floor(USERS / 2)}`
  await owner.end()
  if (!person) throw new Error('no person seeded')
  return { tenantId: a, personId: person.id }
}

type Variant = {
  label: string
  sql: postgres.Sql
  url: string
  tenantId: string
  personId: string
  context: (tx: postgres.TransactionSql) => Promise<unknown>
}

function request(v: Variant, sql: postgres.Sql, read: 'by id' | 'count') {
  return sql.begin(async (tx) => {
    await v.context(tx)
    if (read === 'by id') await tx`select id, email, full_name from users where tenant_id = ${v.tenantId} and id = ${v.personId}`
    else await tx`select count(*) from users where tenant_id = ${v.tenantId} and not is_deleted`
  })
}

/**
 * The server's CPU time per request, on one connection: what a busy machine barely distorts (throughput on a shared
 * machine measures the neighbours too). Needs the server on this machine (its backend's /proc entry).
 */
async function cpuPerRequest(v: Variant, read: 'by id' | 'count', requests: number): Promise<number | null> {
  const sql = postgres(v.url, { max: 1, onnotice: () => {} })
  try {
    const [row] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`
    if (!row || !existsSync(`/proc/${row.pid}/stat`)) return null
    for (let i = 0; i < 200; i++) await request(v, sql, read)
    const before = processCpuMicros(row.pid)
    for (let i = 0; i < requests; i++) await request(v, sql, read)
    return (processCpuMicros(row.pid) - before) / requests
  } finally {
    await sql.end()
  }
}

async function throughput(v: Variant, clients: number, read: 'by id' | 'count'): Promise<number> {
  let done = 0
  const until = performance.now() + SECONDS * 1000
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        await request(v, v.sql, read)
        done += 1
      }
    }),
  )
  return done / SECONDS
}

async function main() {
  const suffix = randomBytes(3).toString('hex')
  const names = { before: `haven_bench_ctx_before_${suffix}`, after: `haven_bench_ctx_after_${suffix}` }
  const admin = postgres(url('postgres'), { max: 1, onnotice: () => {} })
  const beforeDir = migrationsAt(BEFORE)
  const variants: Variant[] = []
  try {
    for (const name of Object.values(names)) await admin.unsafe(`create database ${name}`)
    {
      const client = postgres(url(names.before), { max: 1, onnotice: () => {} })
      const [{ drizzle }, { migrate }] = await Promise.all([import('drizzle-orm/postgres-js'), import('drizzle-orm/postgres-js/migrator')])
      await migrate(drizzle({ client }), { migrationsFolder: beforeDir })
      await client.end()
    }
    await migrateDatabase({ driver: 'postgres', ownerUrl: url(names.after) })
    const before = await seed(names.before)
    const after = await seed(names.after)
    variants.push({
      label: `before (${BEFORE})`,
      sql: postgres(url(names.before, 'haven_app'), { max: 8, onnotice: () => {} }),
      url: url(names.before, 'haven_app'),
      ...before,
      context: (tx) => tx`select haven_set_context('haven_tenant', ${before.tenantId}, null, null, '127.0.0.1', 'bench', 'bench')`,
    })
    variants.push({
      label: 'after (signed)',
      sql: postgres(url(names.after, 'haven_app'), { max: 8, onnotice: () => {} }),
      url: url(names.after, 'haven_app'),
      ...after,
      // What the scope sends (app/server/db/scope.server.ts): the reset, the release of SQL-prepared statements and
      // the context, three statements pipelined in one round trip.
      context: (tx) => {
        const { context, sig } = signContext(['haven_tenant', after.tenantId, '', '', '127.0.0.1', 'bench', 'bench'])
        return Promise.all([
          tx`select public.haven_reset_session()`,
          tx`select public.haven_release_prepared()`,
          tx`select public.haven_set_context(${context}, ${sig}, false)`,
        ])
      },
    })
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
    console.log(`\nScoped read throughput, requests/s (median of ${ROUNDS} interleaved rounds of ${SECONDS} s; ${USERS} people)\n`)
    console.log('| read | clients | before | after (signed) | after / before |')
    console.log('|---|---|---|---|---|')
    for (const read of ['by id', 'count'] as const) {
      for (const clients of [1, 8]) {
        const b = median(results.get(`${read}|${clients}|${variants[0]?.label}`) ?? [])
        const a = median(results.get(`${read}|${clients}|${variants[1]?.label}`) ?? [])
        console.log(`| ${read} | ${clients} | ${b.toFixed(0)} | ${a.toFixed(0)} | ${(a / b).toFixed(2)} |`)
      }
    }
    console.log(`\nServer CPU per request, µs (one connection, ${CPU_REQUESTS} requests; robust to a busy machine)\n`)
    console.log('| read | before | after (signed) | after − before |')
    console.log('|---|---|---|---|')
    for (const read of ['by id', 'count'] as const) {
      const [b, a] = [await cpuPerRequest(variants[0] as Variant, read, CPU_REQUESTS), await cpuPerRequest(variants[1] as Variant, read, CPU_REQUESTS)]
      if (b === null || a === null) {
        console.log(`| ${read} | (the server is not on this machine) | | |`)
        continue
      }
      console.log(`| ${read} | ${b.toFixed(0)} | ${a.toFixed(0)} | ${(a - b).toFixed(0)} |`)
    }
  } finally {
    await Promise.all(variants.map((v) => v.sql.end({ timeout: 5 })))
    for (const name of Object.values(names)) await admin.unsafe(`drop database if exists ${name} with (force)`)
    await admin.end()
    rmSync(beforeDir, { recursive: true, force: true })
  }
}

await main()
