/**
 * Users list at 100,000 users in one tenant, for the first page, a search and a deep page, in one run:
 *  - SQL, no RLS: the statements findUsers issues, with the tenant as an explicit predicate, as a superuser;
 *  - SQL, scoped: the same statements as the app runs them (findUsers inside withTenant, under RLS), in process;
 *  - server: GET /_serverFn/users.listUsers over HTTP with a session cookie (CSRF, realm, session, permission
 *    middleware, the scoped transaction, serialization).
 * The acceptance ratio is server p95 / scoped-SQL p95; scoped / no-RLS shows what RLS itself costs.
 * Uses the embedded database, or a fresh database on the server DATABASE_URL names.
 *
 *   npm run bench            (builds first; BENCH_USERS and BENCH_ROUNDS override the defaults)
 */
import http from 'node:http'
import { type SQL, sql } from 'drizzle-orm'
import { toJSONAsync } from 'seroval'
import { loadConfig } from '../app.config'
import { findUsers } from '../app/features/users/users.server'
import { encodeCursor } from '../app/server/cursor.server'
import { type AppDb, rowsOf } from '../app/server/db/client.server'
import { bootDatabase, shutdownDatabase } from '../app/server/db/index.server'
import { withTenant } from '../app/server/db/scope.server'
import { freshDatabase, measure, printTable, request as send, seedPeople, startServer, stopProcess } from './support'

const USERS = Number(process.env.BENCH_USERS ?? 100_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200)
const PORT = Number(process.env.BENCH_PORT ?? 3300)
const PAGE = 25

type Scenario = { name: string; input: Record<string, unknown>; filter: SQL; after?: SQL }

/** The statements findUsers issues, with the tenant as an explicit predicate instead of RLS. */
function directQuery(db: AppDb, tenantId: string, s: Scenario) {
  return async () => {
    const [page] = await Promise.all([
      db.execute(sql`select id, email, full_name, is_active, metadata, last_sign_in_at, created_at from users
        where tenant_id = ${tenantId}::uuid and not is_deleted and ${s.filter} and ${s.after ?? sql`true`} order by full_name, id limit ${PAGE + 1}`),
      db.execute(sql`select count(*) from users where tenant_id = ${tenantId}::uuid and not is_deleted and ${s.filter}`),
    ])
    const ids = rowsOf<{ id: string }>(page).slice(0, PAGE).map((r) => r.id)
    await db.execute(sql`select ur.user_id, r.id, r.name from user_roles ur join roles r on r.tenant_id = ur.tenant_id and r.id = ur.role_id and not r.is_deleted
      where ur.tenant_id = ${tenantId}::uuid and ur.user_id in ${ids.length ? sql`(${sql.join(ids.map((i) => sql`${i}::uuid`), sql`, `)})` : sql`(null)`} order by r.name`)
  }
}

function request(opts: { method: 'GET' | 'POST'; path: string; body?: string; cookie?: string; agent: http.Agent }) {
  return send({ ...opts, port: PORT, host: `acme.localhost:${PORT}` })
}

async function main() {
  const setup = await freshDatabase(process.env.DATABASE_URL, { PORT: String(PORT), HAVEN_ROOT_DOMAIN: `localhost:${PORT}`, HAVEN_SEED: 'auto' })
  try {
  console.log(`Users list benchmark on ${setup.label}: ${USERS.toLocaleString()} users in one tenant, ${ROUNDS} rounds per case\n`)
  const cfg = loadConfig({ ...process.env, ...setup.env })
  const boot = await bootDatabase(cfg)
  const db = boot.database.db
  const [acme] = rowsOf<{ id: string }>(await db.execute(sql`select id from tenants where slug = 'acme'`))
  if (!acme) throw new Error('demo tenant acme missing')
  const seedMs = await seedPeople(db, acme.id, USERS)
  console.log(`seeded ${USERS.toLocaleString()} users (+ roles, audit rows) in ${seedMs} ms`)

  const [deep] = rowsOf<{ id: string; full_name: string }>(
    await db.execute(sql`select id, full_name from users where tenant_id = ${acme.id}::uuid and not is_deleted order by full_name, id offset ${Math.floor(USERS * 0.9)} limit 1`),
  )
  if (!deep) throw new Error('no deep row')
  const scenarios: Scenario[] = [
    { name: 'first page', input: {}, filter: sql`true` },
    { name: 'search "hopper"', input: { q: 'hopper' }, filter: sql`lower(full_name || ' ' || email) like '%hopper%'` },
    {
      name: 'deep page (90%)',
      input: { cursor: encodeCursor({ v: deep.full_name, id: deep.id }) },
      filter: sql`true`,
      after: sql`(full_name, id) > (${deep.full_name}, ${deep.id}::uuid)`,
    },
  ]

  const direct: Record<string, { p50: number; p95: number }> = {}
  const scoped: Record<string, { p50: number; p95: number }> = {}
  for (const s of scenarios) {
    direct[s.name] = await measure(ROUNDS, directQuery(db, acme.id, s))
    const input = { status: 'all' as const, sort: 'name' as const, dir: 'asc' as const, pageSize: PAGE, ...s.input }
    scoped[s.name] = await measure(ROUNDS, () => withTenant({ tenantId: acme.id }, (tx) => findUsers(tx, input)))
  }
  // The embedded database admits one process: hand it over to the server now.
  await shutdownDatabase()

  const server = await startServer({ ...setup.serverEnv, HAVEN_SEED: 'never' })
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  try {
    const signIn = await request({
      method: 'POST',
      path: '/_serverFn/auth.signIn',
      body: JSON.stringify(await toJSONAsync({ data: { email: 'owner@acme.test', password: cfg.demoPassword, rememberMe: true } })),
      agent,
    })
    if (signIn.status !== 200) throw new Error(`sign-in failed: ${signIn.status} ${signIn.text}`)
    const cookie = signIn.setCookie.map((c) => c.split(';')[0]).join('; ')

    const rows: string[][] = []
    for (const s of scenarios) {
      const payload = JSON.stringify(await toJSONAsync({ data: { ...s.input, pageSize: PAGE } }))
      const pathWithPayload = `/_serverFn/users.listUsers?${new URLSearchParams({ payload })}`
      const check = await request({ method: 'GET', path: pathWithPayload, cookie, agent })
      if (check.status !== 200) throw new Error(`${s.name}: server answered ${check.status} ${check.text.slice(0, 200)}`)
      const viaServer = await measure(ROUNDS, async () => {
        const r = await request({ method: 'GET', path: pathWithPayload, cookie, agent })
        if (r.status !== 200) throw new Error(`status ${r.status}`)
      })
      const d = direct[s.name] ?? { p50: 0, p95: 0 }
      const sc = scoped[s.name] ?? { p50: 0, p95: 0 }
      rows.push([
        s.name,
        `${d.p50.toFixed(1)} / ${d.p95.toFixed(1)}`,
        `${sc.p50.toFixed(1)} / ${sc.p95.toFixed(1)}`,
        `${viaServer.p50.toFixed(1)} / ${viaServer.p95.toFixed(1)}`,
        (viaServer.p95 / sc.p95).toFixed(2),
        (sc.p95 / d.p95).toFixed(2),
      ])
    }
    printTable(['case', 'SQL no RLS p50/p95 ms', 'SQL scoped p50/p95 ms', 'server p50/p95 ms', 'server/scoped p95', 'RLS cost p95'], rows)
    console.log('SQL no RLS = the statements with an explicit tenant predicate as a superuser; SQL scoped = findUsers in withTenant;')
    console.log('server = GET /_serverFn/users.listUsers over HTTP with a session cookie, one request at a time.')
  } finally {
    agent.destroy()
    await stopProcess(server)
  }
  } finally {
    await setup.cleanup()
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
