/**
 * What the benchmarks share: a fresh database (embedded or on a PostgreSQL server) that is dropped even when the
 * benchmark fails, the built server as a child process, one HTTP request, seeded people, and percentiles.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { sealPending, setAuditOwnerDatabase } from '../app/features/audit/chain.server'
import type { AppDb } from '../app/server/db/client.server'

export const root = path.resolve(import.meta.dirname, '..')

export type BenchDatabase = {
  label: string
  driver: 'pglite' | 'postgres'
  /**
   * Environment for the app's config and the built server: the owner URL or the data folder. Spread over
   * `process.env`; the embedded database's unsets `DATABASE_URL`, which would otherwise send its pass to the server.
   */
  env: Record<string, string | undefined>
  /** The same as the runtime role, for the built server (PostgreSQL only). */
  serverEnv: Record<string, string | undefined>
  cleanup: () => Promise<void>
}

/**
 * A fresh database: a PGlite folder, or (with `url`, a PostgreSQL server) a new database on it. Cleanup runs on
 * normal exit, on SIGINT/SIGTERM and when the benchmark throws, so a failed run leaves nothing behind.
 */
export async function freshDatabase(url: string | undefined, base: Record<string, string>): Promise<BenchDatabase> {
  let cleanup: () => Promise<void>
  let result: Omit<BenchDatabase, 'cleanup'>
  if (url) {
    const { default: postgres } = await import('postgres')
    const name = `haven_bench_${randomBytes(4).toString('hex')}`
    const admin = new URL(url)
    admin.pathname = '/postgres'
    const client = postgres(admin.toString(), { max: 1, onnotice: () => {} })
    await client.unsafe(`create database ${name}`)
    const owner = new URL(url)
    owner.pathname = `/${name}`
    const app = new URL(owner)
    app.username = 'haven_app'
    app.password = ''
    result = {
      label: `PostgreSQL (${name})`,
      driver: 'postgres',
      env: { ...base, DATABASE_URL: owner.toString() },
      serverEnv: { ...base, DATABASE_URL: app.toString(), HAVEN_OWNER_DATABASE_URL: owner.toString() },
    }
    cleanup = async () => {
      await client.unsafe(`drop database if exists ${name} with (force)`)
      await client.end()
    }
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), 'haven-bench-'))
    const env = { ...base, HAVEN_DATA_DIR: path.join(dir, 'data'), DATABASE_URL: undefined, HAVEN_OWNER_DATABASE_URL: undefined }
    result = { label: 'embedded PGlite', driver: 'pglite', env, serverEnv: env }
    cleanup = async () => rmSync(dir, { recursive: true, force: true })
  }
  let done = false
  const once = async () => {
    if (done) return
    done = true
    await cleanup()
  }
  const onSignal = () => {
    void once().finally(() => process.exit(130))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  return { ...result, cleanup: once }
}

/** The built server (`HAVEN_BUILD_DIR`, default `.output`, resolved against the project root) as a child process. */
export async function startServer(env: Record<string, string | undefined>): Promise<ChildProcess> {
  const buildDir = path.resolve(root, process.env.HAVEN_BUILD_DIR ?? '.output')
  // BENCH_PROFILE_DIR: the server writes a V8 CPU profile there when it stops (open it in Chrome's DevTools).
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_PROFILE_DIR)}`] : []
  const child = spawn(process.execPath, [...profile, path.join(buildDir, 'server/index.mjs')], {
    cwd: root,
    env: { ...process.env, HAVEN_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('Haven is running')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)))
  })
  return child
}

export async function stopProcess(child: ChildProcess) {
  if (child.exitCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await exited
}

export type Reply = { status: number; text: string; setCookie: string[] }

/** One HTTP request to `host` on 127.0.0.1:`port`, as a server-function call (JSON body → same-origin POST). */
export function request(opts: {
  port: number
  host: string
  method: 'GET' | 'POST'
  path: string
  body?: string
  cookie?: string
  agent: http.Agent
}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: opts.host, 'x-tsr-serverFn': 'true', accept: 'application/json' }
    if (opts.body) {
      headers['content-type'] = 'application/json'
      headers.origin = `http://${opts.host}`
    }
    if (opts.cookie) headers.cookie = opts.cookie
    const r = http.request({ host: '127.0.0.1', port: opts.port, method: opts.method, path: opts.path, headers, agent: opts.agent }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString(), setCookie: res.headers['set-cookie'] ?? [] }))
    })
    r.on('error', reject)
    r.end(opts.body)
  })
}

/** `count` people in the tenant (plus a member role each and their audit rows), then ANALYZE. Returns ms taken. */
/**
 * `count` people in the tenant, each with the member role, in batches of 5,000 per transaction: every person's
 * address takes a transaction-level lock (drizzle/0015), and one transaction holds at most
 * max_locks_per_transaction × max_connections locks (6,400 by default).
 */
export async function seedPeople(db: AppDb, tenantId: string, count: number): Promise<number> {
  const started = performance.now()
  for (let from = 1; from <= count; from += 5_000) {
    const to = Math.min(count, from + 4_999)
    await db.execute(sql`
      insert into users (tenant_id, email, full_name, metadata)
      select ${tenantId}::uuid, 'person' || g || '@bench.test',
        (array['Ada','Ben','Chloe','Dev','Elena','Farid','Grace','Hugo','Iris','Jonas','Kemi','Liam'])[1 + g % 12] || ' ' ||
        (array['Lovelace','Okafor','Nguyen','Patel','Rossi','Haddad','Hopper','Moreau','Tanaka','Berg'])[1 + (g * 7) % 10] || ' ' || g,
        jsonb_build_object('department', (array['engineering','sales','finance','support'])[1 + g % 4], 'employeeNumber', g)
      from generate_series(${from}::int, ${to}::int) g`)
  }
  await db.execute(sql`
    insert into user_roles (tenant_id, user_id, role_id)
    select u.tenant_id, u.id, r.id from users u join roles r on r.tenant_id = u.tenant_id and r.system_key = 'member'
    where u.tenant_id = ${tenantId}::uuid and u.email like '%@bench.test'`)
  // The audit trail of the seed, sealed as a running server's job would have done by then: otherwise the server's
  // first minutes seal a backlog of `count` events beside the measured requests (about 140 µs of database CPU each).
  setAuditOwnerDatabase(db)
  try {
    await sealPending({ batch: 5_000 })
  } finally {
    setAuditOwnerDatabase(undefined)
  }
  // As autovacuum leaves a table in steady state: statistics, and the visibility map index-only scans need.
  await db.execute(sql`vacuum analyze`)
  return Math.round(performance.now() - started)
}

export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0

/** p50/p95 in ms of `rounds` sequential runs, after 10 warm-up runs. */
export async function measure(rounds: number, run: () => Promise<unknown>) {
  for (let i = 0; i < 10; i++) await run()
  const times: number[] = []
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now()
    await run()
    times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)
  return { p50: percentile(times, 50), p95: percentile(times, 95) }
}

/** `cpu`: CPU time per request in µs (user + system), of the serving process and of the database's processes. */
export type Load = { perSecond: number; p50: number; p99: number; cpu?: { server: number; database: number } }

/** CPU time (user + system) of process `pid` so far, in µs, from /proc (Linux; clock ticks of 10 ms). */
export function processCpuMicros(pid: number): number {
  try {
    const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10_000
  } catch {
    return 0 // the process has exited
  }
}

/** CPU time so far of every process named `postgres` on this machine (a local server's backends), in µs. */
export function postgresCpuMicros(): number {
  let total = 0
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') total += processCpuMicros(Number(entry))
    } catch {
      // gone meanwhile
    }
  }
  return total
}

/** Where `load` reads CPU time: the serving process and the database (0 when it runs inside the server). */
export type CpuProbe = { server: () => number; database: () => number }

/**
 * Throughput and latency of `run` with `clients` concurrent loops for `seconds` (after a 0.5 s warm-up), and with
 * `cpu` the CPU time per request it cost — what a shared two-core machine distorts far less than throughput.
 */
export async function load(clients: number, seconds: number, run: () => Promise<unknown>, cpu?: CpuProbe): Promise<Load> {
  const warmUntil = performance.now() + 500
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < warmUntil) await run()
  }))
  const times: number[] = []
  const cpuBefore = cpu && { server: cpu.server(), database: cpu.database() }
  const until = performance.now() + seconds * 1000
  const started = performance.now()
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < until) {
      const t0 = performance.now()
      await run()
      times.push(performance.now() - t0)
    }
  }))
  const elapsed = (performance.now() - started) / 1000
  const used = cpu && cpuBefore && {
    server: (cpu.server() - cpuBefore.server) / times.length,
    database: (cpu.database() - cpuBefore.database) / times.length,
  }
  times.sort((a, b) => a - b)
  return { perSecond: times.length / elapsed, p50: percentile(times, 50), p99: percentile(times, 99), cpu: used }
}

/** Prints rows as an aligned table; the first column left-aligned, the others right-aligned. */
export function printTable(header: string[], rows: string[][]) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')
  console.log(`${line(header)}\n${rows.map(line).join('\n')}`)
}
