/**
 * The audit log at scale, in one run: BENCH_EVENTS events (2,000,000) of which BENCH_TENANT_EVENTS (500,000) belong
 * to the demo tenant acme, spread over other tenants for the rest.
 *  - page 1 vs page 1,000 (50 per page, keyset), and a filtered page (kind of record + action): as SQL in the tenant
 *    scope (listAuditEvents inside withTenant, in process) and through the HTTP server function audit.listAudit;
 *  - export rows per second: the whole tenant as NDJSON, in process (auditExportStream) and over HTTP (/audit-export),
 *    with the process's peak RSS while it streams;
 *  - the audit trigger's write cost: single-row updates per second with the trigger and with it disabled, at 8
 *    concurrent clients on PostgreSQL; the embedded database has one connection, so there it is one client.
 * Uses the embedded database, or a fresh database on the server DATABASE_URL names (dropped after).
 *
 *   npx vite build && npx tsx bench/audit.ts      (BENCH_EVENTS, BENCH_TENANT_EVENTS, BENCH_ROUNDS, BENCH_PORT)
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { toJSONAsync } from 'seroval'
import { loadConfig } from '../app.config'
import type { ListAuditInput } from '../app/features/audit/audit.schemas'
import { listAuditEvents } from '../app/features/audit/audit.server'
import { auditExportStream } from '../app/features/audit/export.server'
import { encodeCursor } from '../app/server/cursor.server'
import { type AppDb, rowsOf } from '../app/server/db/client.server'
import { bootDatabase, shutdownDatabase } from '../app/server/db/index.server'
import { withTenant } from '../app/server/db/scope.server'

const EVENTS = Number(process.env.BENCH_EVENTS ?? 2_000_000)
const TENANT_EVENTS = Number(process.env.BENCH_TENANT_EVENTS ?? 500_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 50)
const PORT = Number(process.env.BENCH_PORT ?? 3301)
const PAGE = 50
/** Page 1,000, or the deepest full page of a smaller run. */
const DEEP_PAGE = Math.max(2, Math.min(1000, Math.floor(TENANT_EVENTS / PAGE) - 1))
const DEEP = `page ${DEEP_PAGE.toLocaleString()}`
const root = path.resolve(import.meta.dirname, '..')

type Setup = { env: Record<string, string>; cleanup: () => Promise<void> | void; label: string; ownerUrl?: string }

async function prepareDatabase(): Promise<Setup> {
  const base = { PORT: String(PORT), HAVEN_ROOT_DOMAIN: `localhost:${PORT}`, HAVEN_SEED: 'auto', HAVEN_AUDIT_SEAL_SECONDS: '0', HAVEN_AUDIT_RETENTION_MINUTES: '0' }
  if (process.env.DATABASE_URL) {
    const { default: postgres } = await import('postgres')
    const name = `haven_bench_${randomBytes(4).toString('hex')}`
    const admin = new URL(process.env.DATABASE_URL)
    admin.pathname = '/postgres'
    const client = postgres(admin.toString(), { max: 1, onnotice: () => {} })
    await client.unsafe(`create database ${name}`)
    const owner = new URL(process.env.DATABASE_URL)
    owner.pathname = `/${name}`
    return {
      label: `PostgreSQL (${name})`,
      env: { ...base, DATABASE_URL: owner.toString() },
      ownerUrl: owner.toString(),
      cleanup: async () => {
        await client.unsafe(`drop database if exists ${name} with (force)`)
        await client.end()
      },
    }
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'haven-bench-'))
  return {
    label: 'embedded PGlite',
    env: { ...base, HAVEN_DATA_DIR: path.join(dir, 'data') },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** Events written straight into audit_log (as the owner), shaped like the trigger's rows. */
async function seedEvents(db: AppDb, tenantId: string) {
  const started = performance.now()
  const others = Math.max(1, Math.ceil((EVENTS - TENANT_EVENTS) / 100_000))
  await db.execute(sql`insert into tenants (name, slug) select 'Bench ' || g, 'bench-' || g from generate_series(1, ${others}) g`)
  const tenantIds = rowsOf<{ id: string }>(await db.execute(sql`select id::text from tenants where slug like 'bench-%' order by slug`)).map((r) => r.id)
  const insert = (tenant: string, from: number, to: number) =>
    db.execute(sql`
      insert into audit_log (tenant_id, table_name, record_id, action, old_values, new_values, user_id, ip_address, user_agent, request_id, created_at)
      select ${tenant}::uuid,
        (array['users','teams','roles','categories','organizations'])[1 + g % 5],
        gen_random_uuid(),
        (array['CREATE','UPDATE','UPDATE','DELETE'])[1 + g % 4]::audit_action,
        case when g % 4 = 0 then null else jsonb_build_object('name', 'Item ' || g, 'description', 'Before ' || g, 'position', g % 100) end,
        case when g % 4 = 3 then null else jsonb_build_object('name', 'Item ' || g, 'description', 'After ' || g, 'position', g % 100) end,
        null, '203.0.113.' || (g % 250), 'Mozilla/5.0 bench', 'req-' || g,
        now() - make_interval(secs => g)
      from generate_series(${from}::int, ${to}::int) g`)
  const CHUNK = 100_000
  for (let i = 1; i <= TENANT_EVENTS; i += CHUNK) await insert(tenantId, i, Math.min(TENANT_EVENTS, i + CHUNK - 1))
  let left = EVENTS - TENANT_EVENTS
  for (const t of tenantIds) {
    const n = Math.min(100_000, left)
    if (n <= 0) break
    await insert(t, 1, n)
    left -= n
  }
  await db.execute(sql`analyze audit_log`)
  return Math.round(performance.now() - started)
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0

async function measure(rounds: number, run: () => Promise<unknown>) {
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

function request(opts: { method: 'GET' | 'POST'; path: string; body?: string; cookie?: string; agent: http.Agent; serverFn?: boolean }) {
  return new Promise<{ status: number; text: string; setCookie: string[]; bytes: number }>((resolve, reject) => {
    const host = `acme.localhost:${PORT}`
    const headers: Record<string, string> = { host }
    if (opts.serverFn !== false) {
      headers['x-tsr-serverFn'] = 'true'
      headers.accept = 'application/json'
    }
    if (opts.body) {
      headers['content-type'] = 'application/json'
      headers.origin = `http://${host}`
    }
    if (opts.cookie) headers.cookie = opts.cookie
    const r = http.request({ host: '127.0.0.1', port: PORT, method: opts.method, path: opts.path, headers, agent: opts.agent }, (res) => {
      const chunks: Buffer[] = []
      let bytes = 0
      res.on('data', (c: Buffer) => {
        bytes += c.length
        if (opts.serverFn !== false) chunks.push(c)
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString(), setCookie: res.headers['set-cookie'] ?? [], bytes }))
    })
    r.on('error', reject)
    r.end(opts.body)
  })
}

async function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, [path.join(root, process.env.HAVEN_BUILD_DIR ?? '.output', 'server/index.mjs')], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('Haven is running')) resolve()
    })
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)))
  })
  return child
}

/** Single-row updates per second by `clients` connections for `seconds`, each on rows of its own. */
async function updateThroughput(url: string, tenantId: string, ids: string[], clients: number, seconds: number) {
  const { default: postgres } = await import('postgres')
  const pool = postgres(url, { max: clients, onnotice: () => {} })
  let count = 0
  const until = performance.now() + seconds * 1000
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      let i = c
      while (performance.now() < until) {
        const id = ids[i % ids.length]
        i += clients
        await pool`update users set full_name = ${`Writer ${c} ${i}`} where tenant_id = ${tenantId} and id = ${id ?? ''}`
        count += 1
      }
    }),
  )
  await pool.end()
  return count / seconds
}

/** The same on the embedded database: its one connection, so one client. */
async function updateThroughputEmbedded(db: AppDb, tenantId: string, ids: string[], seconds: number) {
  let count = 0
  const until = performance.now() + seconds * 1000
  while (performance.now() < until) {
    const id = ids[count % ids.length] ?? ''
    await db.execute(sql`update users set full_name = ${`Writer ${count}`} where tenant_id = ${tenantId}::uuid and id = ${id}::uuid`)
    count += 1
  }
  return count / seconds
}

async function main() {
  const setup = await prepareDatabase()
  console.log(`Audit benchmark on ${setup.label}: ${EVENTS.toLocaleString()} events, ${TENANT_EVENTS.toLocaleString()} in acme, ${ROUNDS} rounds per case\n`)
  const cfg = loadConfig({ ...process.env, ...setup.env })
  const boot = await bootDatabase(cfg)
  const db = boot.database.db
  const [acme] = rowsOf<{ id: string }>(await db.execute(sql`select id::text from tenants where slug = 'acme'`))
  if (!acme) throw new Error('demo tenant acme missing')
  console.log(`seeded ${EVENTS.toLocaleString()} events in ${await seedEvents(db, acme.id)} ms`)

  const [deep] = rowsOf<{ at: string; id: string }>(
    await db.execute(sql`select created_at::text as at, id::text from audit_log where tenant_id = ${acme.id}::uuid
      order by created_at desc, id desc offset ${PAGE * (DEEP_PAGE - 1) - 1} limit 1`),
  )
  if (!deep) throw new Error(`no row for ${DEEP}`)
  const cases: { name: string; input: Partial<ListAuditInput> }[] = [
    { name: 'page 1', input: {} },
    { name: DEEP, input: { cursor: encodeCursor({ at: deep.at, id: deep.id }) } },
    { name: 'filtered page 1 (teams + UPDATE)', input: { entity: 'teams', action: 'UPDATE' } },
  ]
  const scoped: Record<string, { p50: number; p95: number }> = {}
  for (const c of cases) {
    const input = { pageSize: PAGE, ...c.input } as ListAuditInput
    const check = await withTenant({ tenantId: acme.id }, (tx) => listAuditEvents(tx, acme.id, input))
    if (check.items.length !== PAGE) throw new Error(`${c.name}: ${check.items.length} events`)
    scoped[c.name] = await measure(ROUNDS, () => withTenant({ tenantId: acme.id }, (tx) => listAuditEvents(tx, acme.id, input)))
  }

  const exportStarted = performance.now()
  let rss = process.memoryUsage().rss
  let lines = 0
  const reader = auditExportStream({ tenantId: acme.id }, {}, 'ndjson').getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    for (const b of value) if (b === 10) lines += 1
    rss = Math.max(rss, process.memoryUsage().rss)
  }
  const exportSeconds = (performance.now() - exportStarted) / 1000
  const inProcess = { rows: lines, perSecond: lines / exportSeconds, rssMb: rss / 1_048_576 }

  await db.execute(sql`insert into users (tenant_id, email, full_name) select ${acme.id}::uuid, 'writer' || g || '@bench.test', 'Writer ' || g from generate_series(1, 800) g`)
  const writers = rowsOf<{ id: string }>(await db.execute(sql`select id::text from users where tenant_id = ${acme.id}::uuid and email like 'writer%'`)).map(
    (r) => r.id,
  )
  if (writers.length === 0) throw new Error('no users to update')
  const clients = setup.ownerUrl ? 8 : 1
  const throughput = (seconds: number) =>
    setup.ownerUrl ? updateThroughput(setup.ownerUrl, acme.id, writers, clients, seconds) : updateThroughputEmbedded(db, acme.id, writers, seconds)
  await throughput(2)
  const withTrigger = await throughput(10)
  await db.execute(sql`alter table users disable trigger audit_row`)
  const without = await throughput(10)
  await db.execute(sql`alter table users enable trigger audit_row`)
  const writeCost = { withTrigger, without, clients }
  await shutdownDatabase()

  const server = await startServer({ ...setup.env, HAVEN_SEED: 'never', ...(setup.ownerUrl ? appUrls(setup.ownerUrl) : {}) })
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  try {
    const signIn = await request({
      method: 'POST',
      path: '/_serverFn/auth.signIn',
      body: JSON.stringify(await toJSONAsync({ data: { email: 'admin@acme.test', password: cfg.demoPassword, rememberMe: true } })),
      agent,
    })
    if (signIn.status !== 200) throw new Error(`sign-in failed: ${signIn.status} ${signIn.text}`)
    const cookie = signIn.setCookie.map((c) => c.split(';')[0]).join('; ')
    const rows: string[][] = []
    const server1: Record<string, { p50: number; p95: number }> = {}
    for (const c of cases) {
      const payload = JSON.stringify(await toJSONAsync({ data: { pageSize: PAGE, ...c.input } }))
      const p = `/_serverFn/audit.listAudit?${new URLSearchParams({ payload })}`
      const check = await request({ method: 'GET', path: p, cookie, agent })
      if (check.status !== 200) throw new Error(`${c.name}: server answered ${check.status} ${check.text.slice(0, 200)}`)
      server1[c.name] = await measure(ROUNDS, async () => {
        const r = await request({ method: 'GET', path: p, cookie, agent })
        if (r.status !== 200) throw new Error(`status ${r.status}`)
      })
    }
    for (const c of cases) {
      const s = scoped[c.name] ?? { p50: 0, p95: 0 }
      const h = server1[c.name] ?? { p50: 0, p95: 0 }
      rows.push([c.name, `${s.p50.toFixed(1)} / ${s.p95.toFixed(1)}`, `${h.p50.toFixed(1)} / ${h.p95.toFixed(1)}`])
    }
    const ratio = (m: Record<string, { p50: number }>) => ((m[DEEP]?.p50 ?? 0) / (m['page 1']?.p50 ?? 1)).toFixed(2)
    rows.push([`${DEEP} / page 1 (p50)`, ratio(scoped), ratio(server1)])

    const t0 = performance.now()
    const exported = await request({ method: 'GET', path: '/audit-export?format=ndjson', cookie, agent, serverFn: false })
    const httpSeconds = (performance.now() - t0) / 1000
    if (exported.status !== 200) throw new Error(`export answered ${exported.status}`)

    const header = ['case', 'SQL scoped p50/p95 ms', 'server fn p50/p95 ms']
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)))
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')
    console.log(`\n${line(header)}\n${rows.map(line).join('\n')}\n`)
    console.log(
      `export NDJSON, whole tenant: in process ${inProcess.rows.toLocaleString()} rows at ${Math.round(inProcess.perSecond).toLocaleString()} rows/s (peak RSS ${Math.round(inProcess.rssMb)} MB); ` +
        `over HTTP ${(exported.bytes / 1_048_576).toFixed(0)} MB in ${httpSeconds.toFixed(1)} s = ${Math.round(inProcess.rows / httpSeconds).toLocaleString()} rows/s`,
    )
    console.log(
      `trigger write cost, ${writeCost.clients} client${writeCost.clients === 1 ? '' : 's'}, single-row UPDATE users: ` +
        `${Math.round(writeCost.withTrigger).toLocaleString()}/s with the audit trigger, ` +
        `${Math.round(writeCost.without).toLocaleString()}/s without = ${(writeCost.withTrigger / writeCost.without).toFixed(2)}×`,
    )
  } finally {
    agent.destroy()
    server.kill('SIGTERM')
    await new Promise((r) => server.once('exit', r))
    await setup.cleanup()
  }
}

/** The server connects as the runtime role and migrates (and seals) as the owner, as in production. */
function appUrls(owner: string) {
  const app = new URL(owner)
  app.username = 'haven_app'
  app.password = ''
  return { DATABASE_URL: app.toString(), HAVEN_OWNER_DATABASE_URL: owner }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
