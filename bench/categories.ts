/**
 * The category tree at 100,000 nodes in one tenant (depth up to 10, one node with 5,000 children, a 1,000-node
 * subtree that moves), with globex's tree beside it. For each case, in one run:
 *  - SQL scoped: the feature's query code (categories.server.ts) inside withTenant, under RLS, in process;
 *  - server: the server function over HTTP with a session cookie (CSRF, realm, session, permission, the scoped
 *    transaction, serialization).
 * On PostgreSQL the two alternate round by round, so both see the same load on a shared machine; the embedded
 * database has one owner process at a time, so there the scoped rounds run first, then the server's. The acceptance
 * ratio is server p95 / scoped p95. Then the move with the previous descendant rewrite (ltree `<@`) for comparison,
 * and EXPLAIN of every read statement in the tenant scope.
 * Uses the embedded database, or a fresh database on the server DATABASE_URL names.
 *
 *   npm run bench:categories   (builds first; BENCH_ROUNDS and BENCH_WRITE_ROUNDS override the defaults)
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { type SQL, sql } from 'drizzle-orm'
import { toJSONAsync } from 'seroval'
import { loadConfig } from '../app.config'
import { findChildren, getCategory, moveCategory, reorderCategory, searchCategories } from '../app/features/categories/categories.server'
import { type AppDb, rowsOf } from '../app/server/db/client.server'
import { bootDatabase, shutdownDatabase } from '../app/server/db/index.server'
import { withTenant } from '../app/server/db/scope.server'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 100)
const WRITE_ROUNDS = Number(process.env.BENCH_WRITE_ROUNDS ?? 20)
const PORT = Number(process.env.BENCH_PORT ?? 3310)
const root = path.resolve(import.meta.dirname, '..')

type Setup = { env: Record<string, string>; cleanup: () => Promise<void> | void; label: string }

async function prepareDatabase(): Promise<Setup> {
  const base = { PORT: String(PORT), HAVEN_ROOT_DOMAIN: `localhost:${PORT}`, HAVEN_SEED: 'auto' }
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
      cleanup: async () => {
        await client.unsafe(`drop database if exists ${name} with (force)`)
        await client.end()
      },
    }
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'haven-bench-'))
  return { label: 'embedded PGlite', env: { ...base, HAVEN_DATA_DIR: path.join(dir, 'data') }, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Children under every node `parents` selects, one statement (the path trigger reads each parent's path). */
const addLevel = (db: AppDb, tenantId: string, parents: SQL, count: number, prefix: string) =>
  db.execute(sql`
    insert into categories (tenant_id, parent_id, name, position)
    select ${tenantId}::uuid, p.id, ${prefix} || ' ' || g, g
    from (${parents}) p cross join generate_series(1, ${count}) g`)

const byName = (tenantId: string, name: string) => sql`select id from categories where tenant_id = ${tenantId}::uuid and name = ${name}`
const byDepthPrefix = (tenantId: string, depth: number, prefix: string) =>
  sql`select id from categories where tenant_id = ${tenantId}::uuid and depth = ${depth} and name like ${`${prefix} %`}`

async function seedTree(db: AppDb, tenantId: string, scale: 'full' | 'neighbour') {
  const started = performance.now()
  const insertRoot = (name: string, position: number) =>
    db.execute(sql`insert into categories (tenant_id, name, position) values (${tenantId}::uuid, ${name}, ${1000 + position})`)
  if (scale === 'neighbour') {
    await insertRoot('Bench root', 0)
    await addLevel(db, tenantId, byName(tenantId, 'Bench root'), 100, 'N1')
    await addLevel(db, tenantId, byDepthPrefix(tenantId, 1, 'N1'), 100, 'N2')
    return Math.round(performance.now() - started)
  }
  for (let i = 1; i <= 6; i++) await insertRoot(`Bench root ${i}`, i)
  // The bulk: under roots 1-6, 30 × 20 × 25 = 15,000 each, 90,000 in all.
  await addLevel(db, tenantId, byDepthPrefix(tenantId, 0, 'Bench root'), 30, 'Aisle')
  await addLevel(db, tenantId, byDepthPrefix(tenantId, 1, 'Aisle'), 20, 'Shelf')
  await addLevel(db, tenantId, byDepthPrefix(tenantId, 2, 'Shelf'), 25, 'Item')
  // One node with 5,000 children, one with 50, a 1,000-node subtree to move, and a chain ten levels deep.
  await addLevel(db, tenantId, byName(tenantId, 'Bench root 1'), 1, 'Big')
  await addLevel(db, tenantId, byName(tenantId, 'Big 1'), 5_000, 'Wide')
  await addLevel(db, tenantId, byName(tenantId, 'Bench root 2'), 1, 'Fifty')
  await addLevel(db, tenantId, byName(tenantId, 'Fifty 1'), 50, 'Child')
  await addLevel(db, tenantId, byName(tenantId, 'Bench root 3'), 1, 'Mover')
  await addLevel(db, tenantId, byName(tenantId, 'Mover 1'), 9, 'Crate')
  await addLevel(db, tenantId, byDepthPrefix(tenantId, 2, 'Crate'), 110, 'Box')
  await addLevel(db, tenantId, byName(tenantId, 'Bench root 4'), 1, 'Deep1')
  for (let d = 2; d <= 10; d++) await addLevel(db, tenantId, byName(tenantId, `Deep${d - 1} 1`), 1, `Deep${d}`)
  return Math.round(performance.now() - started)
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0

async function measure(rounds: number, run: (i: number) => Promise<unknown>) {
  const warm = Math.min(5, rounds)
  for (let i = 0; i < warm; i++) await run(i)
  const times: number[] = []
  for (let i = warm; i < warm + rounds; i++) {
    const t0 = performance.now()
    await run(i)
    times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)
  return { p50: percentile(times, 50), p95: percentile(times, 95) }
}

function request(opts: { method: 'GET' | 'POST'; path: string; body?: string; cookie?: string; agent: http.Agent }) {
  return new Promise<{ status: number; text: string; setCookie: string[] }>((resolve, reject) => {
    const host = `acme.localhost:${PORT}`
    const headers: Record<string, string> = { host, 'x-tsr-serverFn': 'true', accept: 'application/json' }
    if (opts.body) {
      headers['content-type'] = 'application/json'
      headers.origin = `http://${host}`
    }
    if (opts.cookie) headers.cookie = opts.cookie
    const r = http.request({ host: '127.0.0.1', port: PORT, method: opts.method, path: opts.path, headers, agent: opts.agent }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString(), setCookie: res.headers['set-cookie'] ?? [] }))
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

/** A case: the same input for the in-process call and the server function; `vary` changes it per round (writes). */
type Case = {
  name: string
  fn: string
  method: 'GET' | 'POST'
  rounds: number
  input: (i: number) => Record<string, unknown>
  scoped: (tenantId: string, input: Record<string, unknown>) => Promise<unknown>
}

async function main() {
  const setup = await prepareDatabase()
  console.log(`Category tree benchmark on ${setup.label}: ${ROUNDS} rounds per read, ${WRITE_ROUNDS} per write\n`)
  const cfg = loadConfig({ ...process.env, ...setup.env })
  const boot = await bootDatabase(cfg)
  const db = boot.database.db
  const tenants = rowsOf<{ id: string; slug: string }>(await db.execute(sql`select id, slug from tenants where slug in ('acme', 'globex')`))
  const acme = tenants.find((t) => t.slug === 'acme')?.id
  const globex = tenants.find((t) => t.slug === 'globex')?.id
  if (!acme || !globex) throw new Error('demo tenants missing')
  // The seed skips the row audit trigger (it would write 110,000 audit rows first): the reads measured here touch
  // the audit log only through its (tenant, record) index, and each measured write is audited as usual.
  await db.execute(sql`alter table categories disable trigger audit_row`)
  const seedMs = await seedTree(db, acme, 'full')
  const neighbourMs = await seedTree(db, globex, 'neighbour')
  await db.execute(sql`alter table categories enable trigger audit_row`)
  await db.execute(sql`analyze`)
  const [counts] = rowsOf<{ acme: number; globex: number; deepest: number }>(
    await db.execute(sql`select count(*) filter (where tenant_id = ${acme}::uuid)::int as acme, count(*) filter (where tenant_id = ${globex}::uuid)::int as globex,
      max(depth) filter (where tenant_id = ${acme}::uuid)::int as deepest from categories`),
  )
  console.log(`seeded acme: ${counts?.acme.toLocaleString()} categories (deepest depth ${counts?.deepest}) in ${seedMs} ms; globex beside it: ${counts?.globex.toLocaleString()} in ${neighbourMs} ms`)

  const id = async (name: string) => {
    const [row] = rowsOf<{ id: string }>(await db.execute(byName(acme, name)))
    if (!row) throw new Error(`no ${name}`)
    return row.id
  }
  const [big, fifty, mover, deep, rootA, rootB, firstChild] = await Promise.all([
    id('Big 1'),
    id('Fifty 1'),
    id('Mover 1'),
    id('Deep10 1'),
    id('Bench root 3'),
    id('Bench root 5'),
    id('Child 25'),
  ])
  const [{ subtree } = { subtree: 0 }] = rowsOf<{ subtree: number }>(
    await db.execute(sql`select count(*)::int as subtree from categories d join categories m on m.tenant_id = d.tenant_id and m.id = ${mover}::uuid where d.tenant_id = ${acme}::uuid and d.path <@ m.path`),
  )
  console.log(`the moved subtree has ${subtree.toLocaleString()} nodes\n`)

  const inScope = <T>(tenantId: string, work: Parameters<typeof withTenant<T>>[1]) => withTenant({ tenantId, requestId: 'bench' }, work)
  // Moves alternate between two parents and reorders between up and down, so every round does real work. The
  // counters run on across both phases: each call, in process or over HTTP, is one move.
  let moves = 0
  let reorders = 0
  const moveInput = () => {
    const odd = moves++ % 2 === 1
    return { id: mover, parentId: odd ? rootA : rootB, expectedParentId: odd ? rootB : rootA, beforeId: null }
  }
  const reorderInput = () => ({ id: firstChild, direction: reorders++ % 2 ? 'down' : 'up', expectedParentId: fifty })
  const cases: Case[] = [
    {
      name: 'expand a node of 50 children',
      fn: 'listCategoryChildren',
      method: 'GET',
      rounds: ROUNDS,
      input: () => ({ parentId: fifty, pageSize: 50 }),
      scoped: (t, input) => inScope(t, (tx) => findChildren(tx, t, { parentId: input.parentId as string, pageSize: 50 })),
    },
    {
      name: 'first window of the 5,000-child node',
      fn: 'listCategoryChildren',
      method: 'GET',
      rounds: ROUNDS,
      input: () => ({ parentId: big, pageSize: 200 }),
      scoped: (t, input) => inScope(t, (tx) => findChildren(tx, t, { parentId: input.parentId as string, pageSize: 200 })),
    },
    {
      name: 'breadcrumb + details of a depth-10 node',
      fn: 'getCategory',
      method: 'GET',
      rounds: ROUNDS,
      input: () => ({ id: deep }),
      scoped: (t, input) => inScope(t, (tx) => getCategory(tx, t, input.id as string)),
    },
    {
      name: 'search "item 12"',
      fn: 'searchCategories',
      method: 'GET',
      rounds: ROUNDS,
      input: () => ({ q: 'item 12', limit: 25 }),
      scoped: (t, input) => inScope(t, (tx) => searchCategories(tx, t, { q: input.q as string, limit: 25 })),
    },
    {
      name: `move a ${subtree.toLocaleString()}-node subtree`,
      fn: 'moveCategory',
      method: 'POST',
      rounds: WRITE_ROUNDS,
      input: moveInput,
      scoped: (t, input) => inScope(t, (tx) => moveCategory(tx, t, input as ReturnType<typeof moveInput>)),
    },
    {
      name: 'reorder (move up/down)',
      fn: 'reorderCategory',
      method: 'POST',
      rounds: WRITE_ROUNDS,
      input: reorderInput,
      scoped: (t, input) => inScope(t, (tx) => reorderCategory(tx, t, input as { id: string; direction: 'up' | 'down'; expectedParentId: string })),
    },
  ]

  const embedded = !process.env.DATABASE_URL
  const [bigRow] = rowsOf<{ path_key: string }>(await db.execute(sql`select path_key from categories where tenant_id = ${acme}::uuid and id = ${big}::uuid`))
  const plans = await explainReads(acme, { fifty, deep, big, bigPath: bigRow?.path_key ?? '' })
  const moveCase = cases.find((c) => c.fn === 'moveCategory')
  const previousRewrite = moveCase ? await measureWithPreviousRewrite(db, moveCase.rounds, () => moveCase.scoped(acme, moveCase.input(0))) : null

  const scoped: Record<string, Timing> = {}
  if (embedded) {
    for (const c of cases) scoped[c.name] = await measure(c.rounds, (i) => c.scoped(acme, c.input(i)))
    await shutdownDatabase()
  }
  const server = await startServer({ ...setup.env, HAVEN_SEED: 'never', ...(embedded ? {} : appUrls(setup.env)) })
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
    const call = async (c: Case, i: number) => {
      const payload = JSON.stringify(await toJSONAsync({ data: c.input(i) }))
      const r =
        c.method === 'GET'
          ? await request({ method: 'GET', path: `/_serverFn/categories.${c.fn}?${new URLSearchParams({ payload })}`, cookie, agent })
          : await request({ method: 'POST', path: `/_serverFn/categories.${c.fn}`, body: payload, cookie, agent })
      if (r.status !== 200) throw new Error(`${c.name}: server answered ${r.status} ${r.text.slice(0, 300)}`)
    }
    const rows: string[][] = []
    for (const c of cases) {
      let viaServer: Timing
      let sc: Timing
      if (embedded) {
        viaServer = await measure(c.rounds, (i) => call(c, i))
        sc = scoped[c.name] ?? { p50: 0, p95: 0 }
      } else {
        ;[sc, viaServer] = await measureAlternating(c.rounds, (i) => c.scoped(acme, c.input(i)), (i) => call(c, i))
      }
      rows.push([c.name, `${sc.p50.toFixed(1)} / ${sc.p95.toFixed(1)}`, `${viaServer.p50.toFixed(1)} / ${viaServer.p95.toFixed(1)}`, (viaServer.p95 / sc.p95).toFixed(2)])
    }
    const header = ['case', 'SQL scoped p50/p95 ms', 'server p50/p95 ms', 'server/SQL p95']
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)))
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')
    console.log(`\n${line(header)}\n${rows.map(line).join('\n')}\n`)
    console.log(
      `SQL scoped = categories.server.ts in withTenant (RLS), in process; server = the server function over HTTP, one request at a time; ${embedded ? 'scoped rounds first, then the server (one process owns the embedded database)' : 'the two alternate round by round'}.\n`,
    )
    if (previousRewrite) {
      console.log(
        `move a ${subtree.toLocaleString()}-node subtree, SQL scoped, with the previous descendant rewrite (path <@ old path): p50 ${previousRewrite.previous.p50.toFixed(1)} ms, p95 ${previousRewrite.previous.p95.toFixed(1)} ms; with the path_key range: p50 ${previousRewrite.current.p50.toFixed(1)} ms, p95 ${previousRewrite.current.p95.toFixed(1)} ms\n`,
      )
    }
    console.log('EXPLAIN of the read statements in the tenant scope (scans used):')
    for (const p of plans) console.log(`  ${p.name.padEnd(34)} ${p.scans}`)
  } finally {
    agent.destroy()
    server.kill('SIGTERM')
    await new Promise((r) => server.once('exit', r))
    if (!embedded) await shutdownDatabase()
    await setup.cleanup()
  }
}

type Timing = { p50: number; p95: number }

/** Both ways in one loop, alternating which goes first, so load on a shared machine falls on both alike. */
async function measureAlternating(rounds: number, a: (i: number) => Promise<unknown>, b: (i: number) => Promise<unknown>): Promise<[Timing, Timing]> {
  const warm = Math.min(5, rounds)
  let i = 0
  for (; i < warm; i++) {
    await a(i)
    await b(i)
  }
  const ta: number[] = []
  const tb: number[] = []
  const timed = async (run: (i: number) => Promise<unknown>, into: number[]) => {
    const t0 = performance.now()
    await run(i)
    into.push(performance.now() - t0)
  }
  for (; i < warm + rounds; i++) {
    if (i % 2) {
      await timed(a, ta)
      await timed(b, tb)
    } else {
      await timed(b, tb)
      await timed(a, ta)
    }
  }
  const stats = (t: number[]) => {
    t.sort((x, y) => x - y)
    return { p50: percentile(t, 50), p95: percentile(t, 95) }
  }
  return [stats(ta), stats(tb)]
}

/**
 * The move once more with the descendant rewrite as it was before drizzle/0019 (ltree `<@`, which RLS keeps from
 * being an index condition) and once with the current one, alternating, in the same run: the before/after figure.
 */
async function measureWithPreviousRewrite(db: AppDb, rounds: number, move: () => Promise<unknown>) {
  const [current] = rowsOf<{ def: string }>(await db.execute(sql`select pg_get_functiondef('haven_categories_move_subtree()'::regprocedure) as def`))
  if (!current) return null
  const previous = `CREATE OR REPLACE FUNCTION public.haven_categories_move_subtree() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
      PERFORM set_config('haven.category_move_pending', '', true);
      UPDATE public.categories SET path = NEW.path || subpath(path, nlevel(OLD.path)),
             depth = nlevel(NEW.path) + nlevel(path) - nlevel(OLD.path) - 1
       WHERE tenant_id = NEW.tenant_id AND path <@ OLD.path AND id <> NEW.id;
      RETURN NULL;
    END $$`
  const timesPrevious: number[] = []
  const timesCurrent: number[] = []
  try {
    for (let i = 0; i < rounds + 2; i++) {
      for (const [definition, into] of [
        [previous, timesPrevious],
        [current.def, timesCurrent],
      ] as const) {
        await db.execute(sql.raw(definition))
        const t0 = performance.now()
        await move()
        if (i >= 2) into.push(performance.now() - t0)
      }
    }
  } finally {
    await db.execute(sql.raw(current.def))
  }
  const stats = (t: number[]) => {
    t.sort((x, y) => x - y)
    return { p50: percentile(t, 50), p95: percentile(t, 95) }
  }
  return { previous: stats(timesPrevious), current: stats(timesCurrent) }
}

/** The read statements, as categories.server.ts writes them, explained under RLS; prints the scan nodes used. */
async function explainReads(tenantId: string, ids: { fifty: string; deep: string; big: string; bigPath: string }) {
  const statements: Array<{ name: string; sql: SQL }> = [
    {
      name: 'children of a node (window)',
      sql: sql`select c.id, c.parent_id, c.name, c.position, c.depth, c.path_key from categories c
        where c.tenant_id = ${tenantId}::uuid and c.parent_id = ${ids.big}::uuid and not c.is_deleted order by c.position, c.id limit 201`,
    },
    {
      name: 'child counts of a window',
      sql: sql`select parent_id, count(*) from categories where tenant_id = ${tenantId}::uuid and parent_id in (${ids.fifty}::uuid, ${ids.big}::uuid)
        and not is_deleted group by parent_id`,
    },
    {
      name: 'descendant count (capped range)',
      sql: sql`select count(*) from (select 1 from categories d where d.tenant_id = ${tenantId}::uuid and d.path_key > ${ids.bigPath}
        and d.path_key < ${`${ids.bigPath}/`} and not d.is_deleted limit 10001) x`,
    },
    {
      name: 'ancestors by id (breadcrumb)',
      sql: sql`select id, name from categories where tenant_id = ${tenantId}::uuid and id in (${ids.fifty}::uuid, ${ids.deep}::uuid)`,
    },
    {
      name: 'search by name (suffix range)',
      sql: sql`select s.category_id, s.suffix from category_name_suffixes s where s.tenant_id = ${tenantId}::uuid
        and s.suffix >= lower('item 12') collate "C" and s.suffix < (lower('item 12') || chr(1114111)) collate "C"
        order by s.suffix, s.category_id limit 50`,
    },
    {
      name: "a move's descendant rewrite",
      sql: sql`update categories set depth = depth where tenant_id = ${tenantId}::uuid and path_key > ${ids.bigPath}
        and path_key < ${`${ids.bigPath}/`}`,
    },
    {
      name: 'audit history of a node',
      sql: sql`select a.created_at from audit_log a where a.tenant_id = ${tenantId}::uuid and a.table_name = 'categories' and a.record_id = ${ids.deep}::uuid order by a.created_at desc limit 1`,
    },
  ]
  const out: Array<{ name: string; scans: string }> = []
  for (const s of statements) {
    // EXPLAIN without ANALYZE: the rewrite's UPDATE is planned, not run.
    const plan = await withTenant({ tenantId, requestId: 'bench-explain' }, async (tx) =>
      rowsOf<{ 'QUERY PLAN': string }>(await tx.execute(sql`explain ${s.sql}`)).map((r) => r['QUERY PLAN']),
    )
    const scans = plan.map((l) => l.match(/(Seq Scan|Index Only Scan|Index Scan|Bitmap Index Scan|Bitmap Heap Scan)( using \S+)? on \S+/)?.[0]).filter(Boolean)
    out.push({ name: s.name, scans: [...new Set(scans)].join('; ') })
  }
  return out
}

/** The server connects as the runtime role and migrates as the owner, as in production. */
function appUrls(env: Record<string, string>) {
  const owner = env.DATABASE_URL ?? ''
  const app = new URL(owner)
  app.username = 'haven_app'
  app.password = ''
  return { DATABASE_URL: app.toString(), HAVEN_OWNER_DATABASE_URL: owner }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
