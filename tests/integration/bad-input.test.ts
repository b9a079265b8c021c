import { english } from '../support/errors'
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { and, eq, sql } from 'drizzle-orm'
import fc from 'fast-check'
import { toJSONAsync } from 'seroval'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { listAuditEvents } from '~/features/audit/audit.server'
import { createCategorySchema } from '~/features/categories/categories.schemas'
import { findAuditEvents, searchUsers } from '~/features/console/console.server'
import { findTrash } from '~/features/trash/trash.server'
import { findUsers } from '~/features/users/users.server'
import { HttpError } from '~/lib/errors'
import { text } from '~/lib/text'
import { input } from '~/lib/validate'
import { createPglite, openDatabase } from '~/server/db/client.server'
import { httpErrorFromDatabase, isRetryableDbError } from '~/server/db/errors.server'
import { organizations, users } from '~/server/db/schema'
import { withTenant } from '~/server/db/scope.server'
import { ofTenant } from '~/server/db/tenant.server'
import { encodeCursor } from '~/server/cursor.server'
import { guardBody, misdirected } from '~/server/request-guards.server'
import { openTestDatabase, type TestDatabase } from '../support/db'
import { createTenantWithData, type TenantData } from '../support/tenant-data'

let t: TestDatabase
let a: TenantData
let b: TenantData

beforeAll(async () => {
  t = await openTestDatabase()
  a = await createTenantWithData()
  b = await createTenantWithData()
}, 60_000)
afterAll(() => t.close())

const as = <T>(f: TenantData, work: Parameters<typeof withTenant<T>>[1]) => withTenant({ tenantId: f.tenantId, userId: f.ownerId, requestId: 'bad-input' }, work)

async function caught(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error('expected a failure')
    },
    (e: unknown) => e,
  )
}

/** What a database failure becomes on the wire: the mapped HttpError (or the raw error when unmapped). */
async function mapped(work: Promise<unknown>): Promise<HttpError> {
  const error = await caught(work)
  const http = httpErrorFromDatabase(error)
  if (!http) throw new Error(`unmapped database error: ${String(error)}`, { cause: error })
  return http
}

describe('the one text type', () => {
  const controls = fc.integer({ min: 0, max: 0x9f }).filter((c) => c < 0x20 || c >= 0x7f).map((c) => String.fromCharCode(c))
  const name = text({ max: 100, min: 1 })

  it('refuses every control character anywhere in single-line text, with a message naming it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), controls, fc.string({ maxLength: 20 }), (before, control, after) => {
        const value = `a${before}${control}${after}a`
        const parsed = name.safeParse(value)
        expect(parsed.success).toBe(false)
        expect(english(parsed.error?.issues[0]?.message)).toMatch(/control characters|invalid character|at most/)
      }),
    )
  })

  it('keeps tab and line breaks in multi-line text, refuses NUL there too', () => {
    const description = text({ max: 500, multiline: true })
    expect(description.parse('line one\n\tline two\r\n')).toBe('line one\n\tline two')
    expect(description.safeParse('a\u0000b').success).toBe(false)
  })

  it('trims, bounds, and refuses lone surrogates but keeps real astral characters', () => {
    expect(name.parse('  Zoë 🦊 ')).toBe('Zoë 🦊')
    expect(name.safeParse('x'.repeat(101)).success).toBe(false)
    expect(name.safeParse('a\ud800b').success).toBe(false)
    expect(name.safeParse('a\udc00').success).toBe(false)
    expect(name.safeParse('   ').success).toBe(false)
  })

  it('passwords are not trimmed', () => {
    expect(text({ max: 256, trim: false }).parse(' secret ')).toBe(' secret ')
  })

  it('refuses bidirectional overrides everywhere and line separators in single-line text', () => {
    for (const c of ['\u202a', '\u202e', '\u2066', '\u2069', '\u2028', '\u2029']) expect(name.safeParse(`evil${c}gpj.exe`).success, c).toBe(false)
    const multi = text({ max: 100, multiline: true })
    expect(multi.safeParse('line one\u2028line two').success).toBe(true)
    expect(multi.safeParse('a\u202eb').success).toBe(false)
    expect(name.safeParse('Zoë ☕ 日本 \u{1F98A} عربى').success).toBe(true)
  })

  it('category metadata: every key and string at every depth follows the rules, with the path in the message', () => {
    const refused: Array<[unknown, string]> = [
      [{ k: { n: 'a\u0000b' } }, 'metadata.k.n'],
      [{ k: { 'a\u0000': 1 } }, 'metadata.k.a\u0000'],
      [{ k: ['ok', 'a\u0001b'] }, 'metadata.k.1'],
      [{ k: '\ud800' }, 'metadata.k'],
      [{ k: { constructor: 1 } }, 'metadata.k.constructor'],
      [{ k: [{ prototype: 1 }] }, 'metadata.k.0.prototype'],
      [{ __proto__x: 1, constructor: 1 }, 'metadata.constructor'],
      [{ k: JSON.parse(`${'['.repeat(30)}1${']'.repeat(30)}`) }, 'metadata.k'],
    ]
    for (const [metadata, field] of refused) {
      const error = (() => {
        try {
          input(createCategorySchema)({ name: 'x', metadata } as never)
        } catch (e) {
          return e
        }
      })()
      expect(error, field).toBeInstanceOf(HttpError)
      expect((error as HttpError).status).toBe(400)
      const fields = Object.keys((error as HttpError).fieldErrors ?? {})
      expect(fields.some((f) => f.startsWith(field.split('.').slice(0, 2).join('.'))), `${field} in ${fields.join(', ')}`).toBe(true)
    }
    const fine = { sku: 'A-1', size: { w: 1, h: 2.5, unit: 'cm' }, tags: ['x', 'y'], note: 'two\nlines', empty: null, flag: true }
    expect(input(createCategorySchema)({ name: 'x', metadata: fine } as never).metadata).toEqual(fine)
  })

  it('every text field of every schema refuses NUL with a 400 that names the field', async () => {
    const features = path.resolve(import.meta.dirname, '../../app/features')
    const files = readdirSync(features, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.schemas.ts'))
    expect(files.length).toBeGreaterThan(5)
    let checked = 0
    for (const file of files) {
      const module: Record<string, unknown> = await import(path.join(features, file))
      for (const [exportName, schema] of Object.entries(module)) {
        if (!isObjectSchema(schema)) continue
        for (const field of stringFields(schema)) {
          const error = (() => {
            try {
              input(schema)({ [field]: 'abcdefghij\u0000klmnop' } as never)
            } catch (e) {
              return e
            }
          })()
          expect(error, `${file} ${exportName}.${field}`).toBeInstanceOf(HttpError)
          const http = error as HttpError
          expect(http.status).toBe(400)
          // Only the field's own message is checked: other fields may be missing too.
          expect(http.fieldErrors?.[field], `${exportName}.${field}`).toEqual(expect.any(String))
          if (/control characters/.test(english(http.fieldErrors?.[field]))) checked += 1
        }
      }
    }
    expect(checked).toBeGreaterThan(15)
  })
})

type ObjectSchema = z.ZodObject<z.ZodRawShape>
function isObjectSchema(value: unknown): value is ObjectSchema {
  return typeof value === 'object' && value !== null && (value as { def?: { type?: string } }).def?.type === 'object'
}
/** Top-level fields whose innermost type is a string (through optional, default, pipe). */
function stringFields(schema: ObjectSchema): string[] {
  const out: string[] = []
  for (const [key, field] of Object.entries(schema.shape)) {
    let inner: unknown = field
    for (let i = 0; i < 5; i++) {
      const def = (inner as { def?: { type?: string; innerType?: unknown; in?: unknown } }).def
      if (!def) break
      if (def.type === 'string') {
        out.push(key)
        break
      }
      // A URL search parser that drops a bad value (`.catch`) by design is not a server-function input.
      if (def.type === 'catch') break
      inner = def.innerType ?? def.in
      if (!inner) break
    }
  }
  return out
}

describe('strict page cursors', () => {
  const tampered = [
    ['the issue’s example: an id of 36 dashes', encodeCursor({ v: 'a', id: '-'.repeat(36) })],
    ['not base64url', 'not a cursor!'],
    ['not JSON', Buffer.from('{oops').toString('base64url')],
    ['a NUL in the sort value', encodeCursor({ v: 'a\u0000', id: '00000000-0000-4000-8000-000000000000' })],
    ['a number as the value', encodeCursor({ v: 1, id: '00000000-0000-4000-8000-000000000000' })],
    ['an extra key', encodeCursor({ v: 'a', id: '00000000-0000-4000-8000-000000000000', __proto__x: 1 })],
    ['an array', encodeCursor([1, 2])],
  ] as const

  it.each(tampered)('users: %s → 400 invalid_cursor', async (_label, cursor) => {
    const error = await caught(as(a, (tx) => findUsers(tx, { cursor, pageSize: 25, sort: 'name', dir: 'asc' })))
    expect(error).toMatchObject({ status: 400, code: 'invalid_cursor' })
    expect((error as HttpError).fieldErrors?.cursor).toEqual(expect.any(String))
  })

  it('users sorted by creation: a value that is not our timestamp, or a date that does not exist → 400', async () => {
    for (const v of ['yesterday', '2026-02-30T10:00:00.000000Z', '1', '2026-11-30T10:00:00Z']) {
      const cursor = encodeCursor({ v, id: '00000000-0000-4000-8000-000000000000' })
      const error = await caught(as(a, (tx) => findUsers(tx, { cursor, pageSize: 25, sort: 'created', dir: 'asc' })))
      expect(error, v).toMatchObject({ status: 400, code: 'invalid_cursor' })
    }
  })

  it('trash: a tampered cursor → 400, a real one pages on', async () => {
    for (const cursor of [encodeCursor({ at: '1', id: a.freeUserId }), encodeCursor({ at: '2026-01-01T00:00:00.000000Z', id: 'x'.repeat(36) })]) {
      const error = await caught(as(a, (tx) => findTrash(tx, { types: ['user'], pageSize: 5, cursor })))
      expect(error).toMatchObject({ status: 400, code: 'invalid_cursor' })
    }
    const page = await as(a, (tx) => findTrash(tx, { types: ['user'], pageSize: 5, cursor: encodeCursor({ at: '2099-01-01T00:00:00.000000Z', id: a.freeUserId }) }))
    expect(page.items).toEqual([])
  })

  it('audit log and console lists: a time the cursor never writes, or text with NUL → 400 before any SQL', async () => {
    const id = '00000000-0000-4000-8000-000000000000'
    for (const at of ['infinity', '2026-02-30 10:00:00+00', '2026-01-01 24:00:00+00', 'now', '2026-01-01 10:00:00+00\u0000']) {
      const error = await caught(as(a, (tx) => listAuditEvents(tx, a.tenantId, { cursor: encodeCursor({ at, id }), pageSize: 5 })))
      expect(error, at).toMatchObject({ status: 400, code: 'invalid_cursor' })
    }
    const real = await as(a, (tx) => listAuditEvents(tx, a.tenantId, { pageSize: 5 }))
    expect(real.nextCursor).not.toBeNull()
    await as(a, (tx) => listAuditEvents(tx, a.tenantId, { cursor: real.nextCursor ?? undefined, pageSize: 5 }))
    for (const v of ['infinity', 'a\u0000', '2026-02-30T10:00:00.000000Z']) {
      const error = await caught(as(a, (tx) => findAuditEvents(tx, { cursor: encodeCursor({ v, id }) })))
      expect(error, v).toMatchObject({ status: 400, code: 'invalid_cursor' })
    }
    for (const cursor of [encodeCursor({ v: 'a\u0000', id }), encodeCursor({ v: 'a\u202e', t: id, id })]) {
      const error = await caught(as(a, (tx) => searchUsers(tx, { q: 'a', cursor })))
      expect(error).toMatchObject({ status: 400, code: 'invalid_cursor' })
    }
  })

  it('a real cursor still pages (the strict codec reads what it writes)', async () => {
    const first = await as(a, (tx) => findUsers(tx, { pageSize: 5, sort: 'created', dir: 'asc' }))
    expect(first.items.length).toBeGreaterThan(0)
    if (first.nextCursor) await as(a, (tx) => findUsers(tx, { cursor: first.nextCursor ?? undefined, pageSize: 5, sort: 'created', dir: 'asc' }))
  })
})

describe('database errors map by SQLSTATE, on this driver', () => {
  it('a data exception (NUL in text, a bad uuid, an overflow) is a 400', async () => {
    for (const statement of [sql`select ${'a\u0000b'}::text`, sql`select ${'not-a-uuid'}::uuid`, sql`select 2147483647::int + 1`, sql`select '2026-02-30'::date`]) {
      const error = await mapped(as(a, (tx) => tx.execute(statement)))
      expect(error).toMatchObject({ status: 400, code: 'invalid_value' })
    }
  })

  it('a unique violation is a 409, a missing reference a 404, a row still referenced a 409', async () => {
    const [org] = await as(a, (tx) => tx.select().from(organizations).where(and(ofTenant(organizations), eq(organizations.id, a.orgId))))
    expect(org).toBeDefined()
    const duplicate = await mapped(as(a, (tx) => tx.insert(organizations).values({ tenantId: a.tenantId, name: org?.name ?? '' })))
    expect(duplicate).toMatchObject({ status: 409, code: 'conflict' })
    // A team in an organization of another tenant: the composite foreign key finds no parent.
    const missing = await mapped(as(a, (tx) => tx.execute(sql`insert into teams (tenant_id, organization_id, name) values (${a.tenantId}, ${b.orgId}, 'x')`)))
    expect(missing).toMatchObject({ status: 404 })
    // Every foreign key here cascades, so the "still referenced" form is raised as PostgreSQL words it.
    const inUse = await mapped(
      as(a, (tx) =>
        tx.execute(
          sql.raw(`do $$ begin raise exception 'update or delete on table "roles" violates foreign key constraint "x" on table "y"' using errcode = '23503'; end $$`),
        ),
      ),
    )
    expect(inUse).toMatchObject({ status: 409, code: 'in_use' })
  })

  it('serialization failure and deadlock: retryable, then a 409', async () => {
    for (const state of ['40001', '40P01']) {
      const error = await caught(as(a, (tx) => tx.execute(sql.raw(`do $$ begin raise exception 'x' using errcode = '${state}'; end $$`))))
      expect(isRetryableDbError(error)).toBe(true)
      expect(httpErrorFromDatabase(error)).toMatchObject({ status: 409, code: 'concurrent_change' })
    }
    expect(isRetryableDbError(await caught(as(a, (tx) => tx.execute(sql`select 1/0`))))).toBe(false)
  })

  it('resource and limit errors are 503 / 413, a permission error 403; nothing database-made is a 500', async () => {
    const cases: Array<[string, number]> = [
      ['53300', 503],
      ['54001', 413],
      ['57014', 503],
      ['55P03', 409],
      ['42501', 403],
      ['23502', 400],
      ['23514', 400],
    ]
    for (const [state, status] of cases) {
      const error = await caught(as(a, (tx) => tx.execute(sql.raw(`do $$ begin raise exception 'x' using errcode = '${state}'; end $$`))))
      expect(httpErrorFromDatabase(error), state).toMatchObject({ status })
    }
  })

  it('a lost or refused connection is a 503 with Retry-After', async () => {
    const closed =
      t.driver === 'postgres'
        ? await openDatabase({ driver: 'postgres', url: 'postgres://haven_app@127.0.0.1:1/none', max: 1 })
        : await (async () => {
            const instance = await createPglite(undefined, await t.app.pglite?.dumpDataDir('none'))
            const db = await openDatabase({ driver: 'pglite', instance })
            await db.close()
            return db
          })()
    const error = await caught(closed.db.execute(sql`select 1`))
    const http = httpErrorFromDatabase(error)
    expect(http).toMatchObject({ status: 503, code: 'database_unavailable' })
    expect(http?.retryAfterSeconds).toBeGreaterThan(0)
    if (t.driver === 'postgres') await closed.close()
  })

  it('what went wrong is not left half-done: the failing transaction changed nothing', async () => {
    const before = await t.owner.db.select({ id: users.id }).from(users).where(eq(users.tenantId, a.tenantId))
    await caught(
      as(a, async (tx) => {
        await tx.execute(sql`update users set full_name = full_name || ' x' where tenant_id = ${a.tenantId}`)
        await tx.execute(sql`select ${'a\u0000'}::text`)
      }),
    )
    const names = await t.owner.db.select({ fullName: users.fullName }).from(users).where(eq(users.tenantId, a.tenantId))
    expect(names.length).toBe(before.length)
    expect(names.every((n) => !n.fullName.endsWith(' x'))).toBe(true)
  })
})

describe('the request guards in front of every server function', () => {
  const url = 'http://acme.localhost:3000/_serverFn/auth.signIn'
  const post = (body: BodyInit | null, headers: Record<string, string> = {}) =>
    new Request(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, duplex: 'half' } as RequestInit)

  it('413 by Content-Length, before anything is read', async () => {
    let pulled = 0
    const body = new ReadableStream({
      pull(controller) {
        pulled += 1
        controller.enqueue(new Uint8Array(1024))
      },
    })
    const response = await guardBody(post(body, { 'content-length': String(64 * 1024 * 1024) }), 1024 * 1024)
    expect(response?.status).toBe(413)
    expect(pulled).toBeLessThanOrEqual(1)
  })

  it('413 for a chunked body once it passes the limit, without reading the rest', async () => {
    let sent = 0
    const body = new ReadableStream({
      pull(controller) {
        sent += 64 * 1024
        controller.enqueue(new Uint8Array(64 * 1024))
      },
    })
    const response = await guardBody(post(body), 1024 * 1024)
    expect(response?.status).toBe(413)
    expect(sent).toBeLessThan(2 * 1024 * 1024)
  })

  it('a payload that is not JSON in seroval form is a 400; another content type a 415; a good one passes', async () => {
    expect((await guardBody(post('{"t":')))?.status).toBe(400)
    expect((await guardBody(post('null')))?.status).toBe(400)
    expect((await guardBody(post('a=b', { 'content-type': 'application/x-www-form-urlencoded' })))?.status).toBe(415)
    const good = JSON.stringify(await toJSONAsync({ data: { email: 'a@b.test' } }))
    const request = post(good)
    expect(await guardBody(request)).toBeUndefined()
    // The handler still reads the whole body after the guard did.
    expect(await request.text()).toBe(good)
    expect((await guardBody(new Request(`${url}?payload=${encodeURIComponent('{oops')}`)))?.status).toBe(400)
  })

  it('a request line naming another host than Host is refused (421)', () => {
    const twoHosts = new Request('http://globex.localhost:3000/_serverFn/teams.createOrganization', { headers: { host: 'acme.localhost:3000' } })
    expect(misdirected(twoHosts)?.status).toBe(421)
    const oneHost = new Request('http://acme.localhost:3000/_serverFn/teams.createOrganization', { headers: { host: 'ACME.localhost:3000' } })
    expect(misdirected(oneHost)).toBeUndefined()
  })
})
