import { and, eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rowsOf, type Tx } from '~/server/db/client.server'
import { httpErrorFromDatabase } from '~/server/db/errors.server'
import { organizations } from '~/server/db/schema'
import { withTenant } from '~/server/db/scope.server'
import { noteFailure, replayOnConflict } from '~/server/replay.server'
import { openTestDatabase, type TestDatabase } from '../support/db'
import { createTenantWithData, type TenantData, unique } from '../support/tenant-data'

/**
 * A server-function call that loses a serialization failure or a deadlock runs once more, whole, from the server
 * entry; a second loss is a 409 (ADR 014, app/server/replay.server.ts). `call` stands where Start's handler
 * stands in app/server.ts: it reads the request, runs the work in the tenant scope, and on failure does what
 * app/start.ts's error middleware does (noteFailure, then the SQLSTATE mapping). On PostgreSQL the deadlock is a
 * real one between the scope and a second transaction.
 */
let t: TestDatabase
let a: TenantData
let orgB: string
beforeAll(async () => {
  t = await openTestDatabase()
  a = await createTenantWithData()
  const [row] = await withTenant({ tenantId: a.tenantId }, (tx) =>
    tx.insert(organizations).values({ tenantId: a.tenantId, name: unique('Org retry') }).returning(),
  )
  if (!row) throw new Error('fixture insert returned no row')
  orgB = row.id
}, 60_000)
afterAll(() => t.close())

type Work = (tx: Tx, body: { name: string }, attempt: number) => Promise<unknown>

/** A stand-in for one server function behind the server entry; counts its attempts and the bodies it read. */
function serverFunction(work: Work) {
  const seen: string[] = []
  const handle = async (request: Request) => {
    const text = await request.text()
    seen.push(text)
    const body = JSON.parse(text) as { name: string }
    try {
      const result = await withTenant({ tenantId: a.tenantId }, (tx) => work(tx, body, seen.length))
      return Response.json({ result })
    } catch (error) {
      noteFailure(error)
      const mapped = httpErrorFromDatabase(error)
      return Response.json({ code: mapped?.code ?? 'internal' }, { status: mapped?.status ?? 500 })
    }
  }
  return { seen, handle }
}

const post = (body: unknown, path = '/_serverFn/teams.createOrganization') =>
  new Request(`http://acme.localhost${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

const raise = (state: string) => sql.raw(`do $$ begin raise exception 'conflict' using errcode = '${state}'; end $$`)

const orgNamed = async (name: string) =>
  t.owner.db
    .select({ id: organizations.id })
    .from(organizations)
    .where(and(eq(organizations.tenantId, a.tenantId), eq(organizations.name, name)))

const insertOrg = (tx: Tx, name: string) => tx.insert(organizations).values({ tenantId: a.tenantId, name })

describe('a conflict is retried once, then a 409', () => {
  it('a deadlock on the first attempt: the call runs again with the same body and succeeds once', async () => {
    const name = unique('retried')
    const fn = serverFunction(async (tx, body, attempt) => {
      await insertOrg(tx, body.name)
      if (attempt === 1) await tx.execute(raise('40P01'))
      return attempt
    })
    const response = await replayOnConflict(post({ name }), fn.handle)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ result: 2 })
    expect(fn.seen).toEqual([JSON.stringify({ name }), JSON.stringify({ name })])
    expect(await orgNamed(name)).toHaveLength(1)
  })

  it('a serialization failure twice: a 409 after exactly one retry, nothing written', async () => {
    const name = unique('lost')
    const fn = serverFunction(async (tx, body) => {
      await insertOrg(tx, body.name)
      await tx.execute(raise('40001'))
    })
    const response = await replayOnConflict(post({ name }), fn.handle)
    expect(response.status).toBe(409)
    expect(await response.json()).toEqual({ code: 'concurrent_change' })
    expect(fn.seen).toHaveLength(2)
    expect(await orgNamed(name)).toHaveLength(0)
  })

  it('a streamed body (no Content-Length) is replayed byte for byte', async () => {
    const name = unique('streamed')
    const bytes = new TextEncoder().encode(JSON.stringify({ name }))
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.slice(i, i + 7))
        controller.close()
      },
    })
    const request = new Request('http://acme.localhost/_serverFn/teams.createOrganization', {
      method: 'POST',
      body: stream,
      // @ts-expect-error Node's fetch needs duplex for a stream body; lib.dom does not know it.
      duplex: 'half',
    })
    const fn = serverFunction(async (tx, body, attempt) => {
      await insertOrg(tx, body.name)
      if (attempt === 1) await tx.execute(raise('40P01'))
    })
    expect((await replayOnConflict(request, fn.handle)).status).toBe(200)
    expect(fn.seen).toEqual([JSON.stringify({ name }), JSON.stringify({ name })])
    expect(await orgNamed(name)).toHaveLength(1)
  })

  it('not retried when another transaction of the call already committed: a 409 after one attempt', async () => {
    const name = unique('committed')
    const fn = serverFunction(async (tx, body) => {
      await insertOrg(tx, body.name)
      await tx.execute(raise('40P01'))
    })
    const response = await replayOnConflict(post({ name }), async (request) => {
      // A committed first transaction (a throttle count, say) would be counted twice by a second run.
      await withTenant({ tenantId: a.tenantId }, (tx) => insertOrg(tx, `${name}-first`))
      return fn.handle(request)
    })
    expect(response.status).toBe(409)
    expect(fn.seen).toHaveLength(1)
    expect(await orgNamed(`${name}-first`)).toHaveLength(1)
    expect(await orgNamed(name)).toHaveLength(0)
  })

  it('retried after a committed read that may repeat (the console reads the session first)', async () => {
    const fn = serverFunction(async (tx, _body, attempt) => {
      if (attempt === 1) await tx.execute(raise('40P01'))
      return attempt
    })
    const reads: number[] = []
    const response = await replayOnConflict(post({ name: 'x' }), async (request) => {
      await withTenant({ tenantId: a.tenantId }, async (tx) => reads.push(rowsOf(await tx.execute(sql`select 1`)).length), { repeatable: true })
      return fn.handle(request)
    })
    expect(response.status).toBe(200)
    expect(reads).toEqual([1, 1])
  })

  it('other database errors and other paths are not retried', async () => {
    const [existing] = await t.owner.db.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, a.orgId))
    const duplicate = serverFunction((tx, body) => insertOrg(tx, body.name))
    const response = await replayOnConflict(post({ name: existing?.name }), duplicate.handle)
    expect(response.status).toBe(409)
    expect(await response.json()).toEqual({ code: 'conflict' })
    expect(duplicate.seen).toHaveLength(1)

    const page = serverFunction(async (tx) => tx.execute(raise('40P01')))
    expect((await replayOnConflict(post({ name: 'x' }, '/admin/users'), page.handle)).status).toBe(409)
    expect(page.seen).toHaveLength(1)
  })
})

describe('a real deadlock on PostgreSQL', () => {
  /** The call's work: take organization A, then B (a second transaction holds B and then asks for A). */
  const work: Work = async (tx, body) => {
    await tx.execute(sql`update organizations set description = ${body.name} where tenant_id = ${a.tenantId} and id = ${a.orgId}`)
    await tx.execute(sql`update organizations set description = ${body.name} where tenant_id = ${a.tenantId} and id = ${orgB}`)
    return 'done'
  }

  /** Waits until a runtime connection waits for the lock of transaction `xid` (the second transaction). */
  async function appWaitsFor(xid: string) {
    // By the clock, not by a count of polls: on a loaded machine the call takes a while to reach its second update.
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
      const [row] = rowsOf<{ n: number }>(
        await t.owner.db.execute(sql`
          select count(*)::int as n from pg_locks l join pg_stat_activity s on s.pid = l.pid
          where s.datname = current_database() and s.usename = 'haven_app' and not l.granted
            and l.locktype = 'transactionid' and l.transactionid::text = ${xid}`),
      )
      if (Number(row?.n) > 0) return
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    throw new Error('the call never waited for the second transaction')
  }

  const descriptions = async () =>
    (await t.owner.db.select({ id: organizations.id, d: organizations.description }).from(organizations).where(eq(organizations.tenantId, a.tenantId)))
      .filter((r) => r.id === a.orgId || r.id === orgB)
      .map((r) => r.d)

  /**
   * A second transaction that holds organization B, waits until the call waits for it, then runs `then` (which asks
   * for A). The call's connection detects the cycle after its 1 s deadlock_timeout, so it is the one cancelled.
   */
  async function deadlockWith(name: string, then: (otx: Tx, waited: () => Promise<void>) => Promise<void>) {
    const fn = serverFunction(work)
    let held!: () => void
    const holdsB = new Promise<void>((resolve) => {
      held = resolve
    })
    const other = t.owner.db.transaction(async (otx) => {
      await otx.execute(sql`set local deadlock_timeout = '60s'`)
      await otx.execute(sql`update organizations set description = 'other' where id = ${orgB}`)
      const [x] = rowsOf<{ x: string }>(await otx.execute(sql`select pg_current_xact_id()::text as x`))
      held()
      const waited = () => appWaitsFor(String(x?.x))
      await waited()
      await then(otx, waited)
    })
    await holdsB
    const response = await replayOnConflict(post({ name }), fn.handle)
    await other
    return { response, attempts: fn.seen.length }
  }

  const takeA = (otx: Tx) => otx.execute(sql`update organizations set description = 'other' where id = ${a.orgId}`)

  it('the call loses one deadlock, runs again and succeeds', async () => {
    if (t.driver !== 'postgres') return
    const name = unique('after-deadlock')
    const { response, attempts } = await deadlockWith(name, async (otx) => {
      await takeA(otx)
    })
    expect(response.status).toBe(200)
    expect(attempts).toBe(2)
    // The second attempt waited for the other transaction and then wrote both rows.
    expect(await descriptions()).toEqual([name, name])
  }, 30_000)

  it('the call loses a deadlock twice: a 409, and only the other transaction wrote', async () => {
    if (t.driver !== 'postgres') return
    const { response, attempts } = await deadlockWith(unique('twice'), async (otx, waited) => {
      // A savepoint, so A can be let go again while B stays held: the second attempt then takes A and waits for B.
      await otx.execute(sql`savepoint a`)
      await takeA(otx)
      await otx.execute(sql`rollback to savepoint a`)
      await waited()
      await takeA(otx)
    })
    expect(response.status).toBe(409)
    expect(await response.json()).toEqual({ code: 'concurrent_change' })
    expect(attempts).toBe(2)
    expect(await descriptions()).toEqual(['other', 'other'])
  }, 30_000)
})
