/**
 * The request path against the database, in one run on the embedded database and on PostgreSQL (issue 13):
 *  - `users.listUsers` over HTTP (the built server: CSRF, realm, session, permission, the scoped transaction,
 *    serialization) against a bare `node:http` handler (bench/bare-handler.ts) doing the same SQL and session check;
 *  - a person by id through `withTenant` against the same Drizzle query unscoped (no transaction, no RLS);
 *  - what one `users.listUsers` call sends to PostgreSQL: statements, parses and round trips, counted on the wire.
 * Throughput (requests/s) and p50/p99 (ms) at 1 and 8 concurrent clients, and the ratios the issue sets targets for.
 *
 *   npm run bench:server     (builds first; PostgreSQL from DATABASE_URL, else 127.0.0.1:5432 if it answers)
 *   BENCH_USERS (default 20000) people in the tenant, BENCH_SECONDS (default 3) per measurement.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import http from 'node:http'
import path from 'node:path'
import { and, eq, sql } from 'drizzle-orm'
import { toJSONAsync } from 'seroval'
import { loadConfig } from '../app.config'
import { rowsOf } from '../app/server/db/client.server'
import { bootDatabase, shutdownDatabase } from '../app/server/db/index.server'
import { users } from '../app/server/db/schema'
import { withTenant } from '../app/server/db/scope.server'
import {
  type BenchDatabase,
  type CpuProbe,
  freshDatabase,
  type Load,
  load,
  postgresCpuMicros,
  printTable,
  processCpuMicros,
  request,
  root,
  seedPeople,
  startServer,
  stopProcess,
} from './support'
import { startWireCounter, type WireCounts } from './wire-counter'

const USERS = Number(process.env.BENCH_USERS ?? 20_000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3)
const PORT = Number(process.env.BENCH_PORT ?? 3310)
const BARE_PORT = PORT + 1
const CLIENTS = [1, 8]

type Result = {
  label: string
  server: Load[]
  bare: Load[]
  scoped: Load[]
  unscoped: Load[]
  wire?: WireCounts
}

async function postgresUrl(): Promise<string | undefined> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL
  const candidate = 'postgres://postgres@127.0.0.1:5432/postgres'
  const { default: postgres } = await import('postgres')
  const probe = postgres(candidate, { max: 1, connect_timeout: 2, onnotice: () => {} })
  try {
    await probe`select 1`
    return candidate
  } catch {
    return undefined
  } finally {
    await probe.end({ timeout: 1 })
  }
}

async function signIn(host: string, port: number, password: string, agent: http.Agent) {
  const body = JSON.stringify(await toJSONAsync({ data: { email: 'owner@acme.test', password, rememberMe: true } }))
  const reply = await request({ port, host, method: 'POST', path: '/_serverFn/auth.signIn', body, agent })
  if (reply.status !== 200) throw new Error(`sign-in failed: ${reply.status} ${reply.text.slice(0, 300)}`)
  return reply.setCookie.map((c) => c.split(';')[0]).join('; ')
}

/** CPU of a served request: the server process, and PostgreSQL's processes when it is on this machine. */
function probe(child: ChildProcess, driver: BenchDatabase['driver']): CpuProbe {
  const pid = child.pid ?? 0
  return { server: () => processCpuMicros(pid), database: driver === 'postgres' ? postgresCpuMicros : () => 0 }
}

/** The benchmark's own process: the in-process reads (by id, scoped and not). */
function selfProbe(driver: BenchDatabase['driver']): CpuProbe {
  return { server: () => { const u = process.cpuUsage(); return u.user + u.system }, database: driver === 'postgres' ? postgresCpuMicros : () => 0 }
}

async function httpLoads(port: number, host: string, path_: string, cookie: string, cpu: CpuProbe) {
  const loads: Load[] = []
  for (const clients of CLIENTS) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: clients })
    const get = async () => {
      const r = await request({ port, host, method: 'GET', path: path_, cookie, agent })
      if (r.status !== 200) throw new Error(`${path_}: ${r.status} ${r.text.slice(0, 200)}`)
    }
    loads.push(await load(clients, SECONDS, get, cpu))
    agent.destroy()
  }
  return loads
}

async function startBare(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/bare-handler.ts')], {
    cwd: root,
    // Only what `env` names: an inherited DATABASE_URL would send the embedded pass's handler to the server.
    env: { ...process.env, DATABASE_URL: undefined, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('bare handler ready')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`bare handler exited with ${code}`)))
  })
  return child
}

async function runOn(url: string | undefined): Promise<Result> {
  const base = { PORT: String(PORT), HAVEN_ROOT_DOMAIN: `localhost:${PORT}`, HAVEN_SEED: 'auto' }
  const database: BenchDatabase = await freshDatabase(url, base)
  const host = `acme.localhost:${PORT}`
  const children: ChildProcess[] = []
  try {
    console.log(`\n${database.label}: seeding ${USERS.toLocaleString()} people…`)
    const cfg = loadConfig({ ...process.env, ...database.env })
    const { database: boot } = await bootDatabase(cfg)
    const [acme] = rowsOf<{ id: string }>(await boot.db.execute(sql`select id from tenants where slug = 'acme'`))
    if (!acme) throw new Error('demo tenant acme missing')
    await seedPeople(boot.db, acme.id, USERS)
    const [someone] = rowsOf<{ id: string }>(await boot.db.execute(sql`select id from users where tenant_id = ${acme.id}::uuid offset ${USERS / 2} limit 1`))
    if (!someone) throw new Error('no person')
    const byId = (db: typeof boot.db) => db.select().from(users).where(and(eq(users.tenantId, acme.id), eq(users.id, someone.id)))

    const scoped: Load[] = []
    const unscoped: Load[] = []
    for (const clients of CLIENTS) {
      scoped.push(await load(clients, SECONDS, () => withTenant({ tenantId: acme.id }, (tx) => byId(tx as typeof boot.db)), selfProbe(database.driver)))
      unscoped.push(await load(clients, SECONDS, () => byId(boot.db), selfProbe(database.driver)))
    }
    await shutdownDatabase() // the embedded database admits one process: hand it to the server

    const payload = JSON.stringify(await toJSONAsync({ data: { pageSize: 25 } }))
    const listPath = `/_serverFn/users.listUsers?${new URLSearchParams({ payload })}`

    const server = await startServer({ ...database.serverEnv, HAVEN_SEED: 'never' })
    children.push(server)
    const signInAgent = new http.Agent({ keepAlive: false })
    const cookie = await signIn(host, PORT, cfg.demoPassword, signInAgent)
    const serverLoads = await httpLoads(PORT, host, listPath, cookie, probe(server, database.driver))
    await stopProcess(server)

    let wire: WireCounts | undefined
    if (database.driver === 'postgres') {
      // A second start, through the counting proxy, for the wire figures only (the proxy adds latency).
      const appUrl = new URL(database.serverEnv.DATABASE_URL ?? '')
      const counter = await startWireCounter({ host: appUrl.hostname, port: Number(appUrl.port || 5432) })
      appUrl.hostname = '127.0.0.1'
      appUrl.port = String(counter.port)
      const counted = await startServer({ ...database.serverEnv, DATABASE_URL: appUrl.toString(), HAVEN_SEED: 'never', HAVEN_DB_POOL_MAX: '1' })
      children.push(counted)
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
      for (let i = 0; i < 10; i++) await request({ port: PORT, host, method: 'GET', path: listPath, cookie, agent })
      counter.reset()
      const reply = await request({ port: PORT, host, method: 'GET', path: listPath, cookie, agent })
      if (reply.status !== 200) throw new Error(`counted call: ${reply.status}`)
      wire = { ...counter.counts }
      agent.destroy()
      await stopProcess(counted)
      await counter.close()
    }

    const secret = cfg.authSecret
    const bareEnv: Record<string, string> = { BARE_PORT: String(BARE_PORT), BARE_TENANT: acme.id, BARE_SECRET: secret }
    if (database.driver === 'postgres') bareEnv.DATABASE_URL = database.env.DATABASE_URL ?? ''
    else bareEnv.HAVEN_DATA_DIR = database.env.HAVEN_DATA_DIR ?? ''
    const bare = await startBare(bareEnv)
    children.push(bare)
    const bareLoads = await httpLoads(BARE_PORT, host, '/list', cookie, probe(bare, database.driver))
    await stopProcess(bare)
    return { label: database.label, server: serverLoads, bare: bareLoads, scoped, unscoped, wire }
  } finally {
    for (const child of children) await stopProcess(child)
    await database.cleanup()
  }
}

const fmt = (l: Load) => `${l.perSecond.toFixed(0)} /s  ${l.p50.toFixed(2)} / ${l.p99.toFixed(2)}`
/** CPU per request, µs: the serving process + the database's processes (PostgreSQL only; PGlite runs inside). */
const fmtCpu = (l: Load) => (l.cpu ? (l.cpu.database ? `${l.cpu.server.toFixed(0)} + ${l.cpu.database.toFixed(0)}` : l.cpu.server.toFixed(0)) : '')

function report(r: Result) {
  console.log(`\n== ${r.label}, ${USERS.toLocaleString()} people, ${SECONDS} s per cell (requests/s, p50 / p99 ms)`)
  const rows: string[][] = []
  CLIENTS.forEach((clients, i) => {
    const row = (name: string, haven: Load | undefined, baseline: Load | undefined) => {
      if (!haven || !baseline) return
      rows.push([
        name,
        fmt(haven),
        fmt(baseline),
        `${(haven.perSecond / baseline.perSecond).toFixed(2)}×`,
        `${(haven.p99 / baseline.p99).toFixed(2)}×`,
        fmtCpu(haven),
        fmtCpu(baseline),
      ])
    }
    row(`users.listUsers, ${clients} client(s)`, r.server[i], r.bare[i])
    row(`person by id, ${clients} client(s)`, r.scoped[i], r.unscoped[i])
  })
  printTable(['case', 'Haven', 'baseline', 'throughput', 'p99', 'CPU µs/req Haven', 'baseline'], rows)
  console.log('CPU µs per request: the serving process + PostgreSQL\'s processes (all of them on this machine).')
  console.log('baseline: users.listUsers → the bare node:http handler; person by id → the same Drizzle query unscoped.')
  console.log('targets: listUsers ≥ 0.5× (stretch 0.6×) with p99 ≤ 2×; by id through withTenant ≥ 0.65×.')
  if (r.wire) {
    console.log(`one users.listUsers call (warm): ${r.wire.statements} statements, ${r.wire.parses} parses, ${r.wire.roundTrips} round trips (target ≤ 5)`)
  } else {
    console.log('round trips: not counted on the embedded database (in-process, no wire).')
  }
}

async function main() {
  const results: Result[] = [await runOn(undefined)]
  const pg = await postgresUrl()
  if (pg) results.push(await runOn(pg))
  else console.log('\nNo PostgreSQL (set DATABASE_URL): the PostgreSQL half was not run.')
  for (const r of results) report(r)
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  },
)
