/**
 * Bad input gets a 4xx and changes nothing (ADR 014). A generated-input test calls EVERY server function — found in
 * the source the way the authorization matrix finds them, so a new one is covered without a line here — over HTTP
 * against the built server, as acme's admin and anonymously, with payloads fast-check builds from hostile parts:
 * wrong types, huge and odd strings, NUL and other control characters, lone surrogates, deep nesting, prototype
 * keys, tampered page cursors. Every answer must be below 500, and nothing may change: every string the generator
 * makes carries a marker, and afterwards no list, search or name shows it.
 *
 * Then the examples as regression tests. HTTP only, so it uses Playwright's plain `test`.
 */
import http from 'node:http'
import { randomUUID } from 'node:crypto'
import { expect, test } from '@playwright/test'
import fc from 'fast-check'
import { toJSONAsync } from 'seroval'
import { i18nFor, translateRef } from '~/lib/i18n'
import { DEMO_PASSWORD, PORT } from './fixtures'
import { callOverHttp, discoverServerFunctions, hostHeader, resultOf, sessionCookie } from './server-fn'

const MARKER = 'zz-fuzz'
/** Runs per function and caller; FUZZ_RUNS raises it for a longer hunt. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 6)

const control = fc.integer({ min: 0, max: 0x9f }).filter((c) => c < 0x20 || c >= 0x7f).map((c) => String.fromCharCode(c))
const loneSurrogate = fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff')
/** Never valid for any text field: the marker plus at least one control character or lone surrogate. */
const hostileString = fc
  .tuple(fc.string({ unit: 'binary', maxLength: 30 }), fc.oneof(control, loneSurrogate, fc.constant('\u0000')), fc.string({ unit: 'grapheme', maxLength: 30 }))
  .map(([before, bad, after]) => `${MARKER} ${before}${bad}${after}`)
const hugeString = fc.integer({ min: 10_000, max: 300_000 }).map((n) => `${MARKER}\u0000${'\u{1F98A}'.repeat(n / 2)}`)
/** A page token that decodes to the wrong shape, the example among them. */
const tamperedCursor = fc
  .oneof(
    fc.constant({ v: 'a', id: '-'.repeat(36) }),
    fc.record({ v: hostileString, id: fc.uuid() }),
    fc.record({ at: fc.string(), id: fc.string() }),
    fc.jsonValue(),
  )
  .map((value) => Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url'))
/** Numbers no integer field accepts. */
const oddNumber = fc.constantFrom(-1, 0.5, 1e308, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 2)
const leaf = fc.oneof(hostileString, oddNumber, fc.constant(null), fc.constant(undefined), fc.date({ noInvalidDate: true }), fc.bigInt())
const nested = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 4 }),
})).value
const deep = fc.integer({ min: 50, max: 400 }).map((depth) => {
  let value: unknown = `${MARKER}\u0000`
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { data: value }
  return value
})
/** Field names the schemas use, so hostile values reach real fields and not only unknown ones. */
const FIELD = fc.constantFrom(
  'id',
  'q',
  'cursor',
  'name',
  'description',
  'email',
  'fullName',
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'roleId',
  'roleIds',
  'teamId',
  'userId',
  'organizationId',
  'metadata',
  'metaKey',
  'metaValue',
  'permissions',
  'roles',
  'settings',
  'type',
  'page',
  'pageSize',
  'sort',
  'dir',
  'data',
  'role',
  'theme',
  'language',
  '__proto__',
  'constructor',
  'prototype',
)
const fieldValue = fc.oneof(hostileString, hugeString, tamperedCursor.map((c) => `${c}\u0000`), leaf, nested, deep)
/** A payload: mostly an object of hostile fields (with prototype keys), sometimes not an object at all. */
const payload = fc.oneof(
  { weight: 6, arbitrary: fc.dictionary(FIELD, fieldValue, { minKeys: 1, maxKeys: 5 }).map(withPrototypeKeys) },
  { weight: 1, arbitrary: fc.record({ cursor: tamperedCursor, q: fc.constant(`${MARKER} a\u0000b`) }) },
  { weight: 1, arbitrary: fc.record({ id: fc.uuid(), data: fc.dictionary(FIELD, fieldValue, { minKeys: 1, maxKeys: 3 }) }) },
  { weight: 1, arbitrary: fc.oneof(hostileString, oddNumber, fc.array(leaf, { maxLength: 3 }), deep) },
)

/** `__proto__` as an own key (as JSON.parse makes it), and `constructor`/`prototype` objects. */
function withPrototypeKeys(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = JSON.parse('{"__proto__": {"isSuperuser": true, "polluted": "zz-fuzz\\u0000"}}')
  for (const [key, v] of Object.entries(value)) Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true })
  return out
}

const functions = discoverServerFunctions()

test.describe.configure({ mode: 'serial' })

test('every server function answers generated hostile input below 500 and changes nothing', async () => {
  test.setTimeout(120_000)
  expect(functions.size).toBeGreaterThan(30)
  const adminCookie = await sessionCookie('acme', 'admin@acme.test', DEMO_PASSWORD)
  const failures: string[] = []
  const started = Date.now()
  for (const [id, fn] of functions) {
    // A function without a validator ignores its input; signing out as the admin would only end the session this
    // test uses. It is still called anonymously.
    const callers: Array<[string, string | null]> = [['anonymous', null]]
    if (fn.takesInput || fn.method === 'GET') callers.push(['admin', adminCookie])
    for (const [caller, cookie] of callers) {
      const samples = fc.sample(payload, { numRuns: RUNS, seed: hashSeed(`${id}:${caller}`) })
      for (const data of samples) {
        const response = await callOverHttp({ host: 'acme', method: fn.method, id, data, cookie }).catch(async (error: Error) => {
          // A GET carries its payload in the URL; past Node's header limit (16 KB) the server answers 431 and drops
          // the socket, which the client may see as a reset before it reads the answer.
          const urlLength = encodeURIComponent(JSON.stringify(await toJSONAsync({ data }))).length
          const tooLongUrl = fn.method === 'GET' && urlLength > 16 * 1024 && /ECONNRESET|EPIPE/.test(error.message)
          return { status: tooLongUrl ? 431 : 599, text: error.message, setCookies: [] }
        })
        if (response.status >= 500) failures.push(`${id} as ${caller}: ${response.status} ${response.text.slice(0, 300)} for ${show(data)}`)
      }
    }
  }
  expect(failures, 'answers of 500 or more').toEqual([])

  // Nothing the generator made shows up anywhere the admin can look.
  const views: Array<[string, unknown]> = [
    ['users.listUsers', { q: MARKER }],
    ['teams.listOrganizations', { q: MARKER }],
    ['teams.listTeams', { q: MARKER }],
    ['roles.listRoles', undefined],
    ['trash.listTrash', {}],
    ['auth.getTenantSession', undefined],
  ]
  for (const [id, data] of views) {
    const response = await callOverHttp({ host: 'acme', method: 'GET', id, data, cookie: adminCookie })
    expect(response.status, id).toBe(200)
    expect(response.text, `${id} shows something the generator made`).not.toContain(MARKER)
  }
  const { user } = resultOf<{ user: { email: string; isSuperuser?: boolean } | null }>(
    await callOverHttp({ host: 'acme', method: 'GET', id: 'auth.getTenantSession', cookie: adminCookie }),
  )
  expect(user?.email, 'the admin is still signed in').toBe('admin@acme.test')
  expect(({} as Record<string, unknown>).polluted, 'no prototype pollution in the test process either').toBeUndefined()
  console.log(`[bad-input] ${functions.size} functions × ${RUNS} payloads per caller in ${Date.now() - started} ms`)
})

function hashSeed(text: string): number {
  let h = 0
  for (const c of text) h = (Math.imul(h, 31) + (c.codePointAt(0) ?? 0)) | 0
  return h
}

function show(data: unknown): string {
  try {
    return JSON.stringify(data, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))?.slice(0, 200) ?? String(data)
  } catch {
    return String(data)
  }
}

/** A raw request: exact request line, headers and body, for what callOverHttp cannot send. */
function raw(opts: { method?: string; path: string; host?: string; headers?: Record<string, string>; body?: string | Buffer; end?: boolean }) {
  return new Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders; ms: number }>((resolve, reject) => {
    const started = Date.now()
    const req = http.request(
      { host: '127.0.0.1', port: PORT, method: opts.method ?? 'POST', path: opts.path, headers: { host: hostHeader(opts.host ?? 'acme'), ...opts.headers } },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers, ms: Date.now() - started }))
      },
    )
    req.on('error', reject)
    if (opts.body) req.write(opts.body)
    if (opts.end !== false) req.end()
  })
}

/** The reasons in a server function's error answer, in English: they travel as message references (ADR 020). */
function englishReasons(text: string): string {
  return [...text.matchAll(/"s":"([a-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+)"/g)].map((m) => translateRef(i18nFor('en'), m[1] ?? '')).join(' ')
}

const serverFnHeaders = (host = 'acme') => ({
  'x-tsr-serverFn': 'true',
  accept: 'application/json',
  'content-type': 'application/json',
  origin: `http://${hostHeader(host)}`,
})

test.describe("the issue's examples", () => {
  test('a NUL in the search of users.listUsers is a 400 naming the field', async () => {
    const cookie = await sessionCookie('acme', 'admin@acme.test', DEMO_PASSWORD)
    const response = await callOverHttp({ host: 'acme', method: 'GET', id: 'users.listUsers', data: { q: 'a\u0000b' }, cookie })
    expect(response.status).toBe(400)
    expect(englishReasons(response.text)).toContain('control characters')
    expect(response.text).toContain('"q"')
  })

  test('an edited page cursor is a 400 that says the page link is damaged', async () => {
    const cookie = await sessionCookie('acme', 'admin@acme.test', DEMO_PASSWORD)
    const cursor = Buffer.from(JSON.stringify({ v: 'a', id: '-'.repeat(36) })).toString('base64url')
    const response = await callOverHttp({ host: 'acme', method: 'GET', id: 'users.listUsers', data: { cursor }, cookie })
    expect(response.status).toBe(400)
    expect(response.text).toContain('invalid_cursor')
  })

  test('a page opened with a damaged page link answers 400, the status of the error it shows, not 500', async () => {
    const cookie = await sessionCookie('acme', 'admin@acme.test', DEMO_PASSWORD)
    for (const path of ['/admin/audit?cursor=garbage', '/admin/audit?cursor=AAAA', '/admin/trash?cursor=garbage', '/admin/users?cursor=garbage']) {
      const response = await raw({ method: 'GET', path, headers: { cookie } })
      expect(response.status, path).toBe(400)
      expect(response.text, path).toContain('This page link is damaged')
    }
  })

  test('an anonymous 64 MB POST is refused with 413 before it is read', async () => {
    // The body is announced but only its first kilobyte is sent: an answer proves nothing waited for the rest.
    const response = await raw({
      path: '/_serverFn/auth.signIn',
      headers: { ...serverFnHeaders(), 'content-length': String(64 * 1024 * 1024) },
      body: 'x'.repeat(1024),
    })
    expect(response.status).toBe(413)
    expect(translateRef(i18nFor('en'), response.text)).toContain('too large')
  })

  test('a chunked body is counted as it streams: over the limit is 413, a small one goes through', async () => {
    const big = await raw({ path: '/_serverFn/auth.signIn', headers: { ...serverFnHeaders(), 'transfer-encoding': 'chunked' }, body: Buffer.alloc(1.5 * 1024 * 1024, 120) })
    expect(big.status).toBe(413)
    const body = JSON.stringify(await toJSONAsync({ data: { email: 'nobody@acme.test', password: 'wrong-password', rememberMe: false } }))
    const small = await raw({ path: '/_serverFn/auth.signIn', headers: { ...serverFnHeaders(), 'transfer-encoding': 'chunked' }, body })
    expect(small.status).toBe(401)
  })

  test('a body that is not JSON, or JSON that is not a payload, is a 4xx', async () => {
    for (const body of ['{"t":', 'null', '[]', '{"t":{"t":10,"i":0,"p":{"k":["__proto__"],"v":[{"t":1,"s":"x"}]},"o":0},"f":0,"m":[]}', '\u0000']) {
      const response = await raw({ path: '/_serverFn/auth.signIn', headers: serverFnHeaders(), body })
      expect(response.status, body).toBeGreaterThanOrEqual(400)
      expect(response.status, body).toBeLessThan(500)
    }
  })

  test('two identical creations at the same moment: one 200, the other 409 with a reason', async () => {
    const cookie = await sessionCookie('acme', 'admin@acme.test', DEMO_PASSWORD)
    const name = `Zz race ${randomUUID().slice(0, 8)}`
    const responses = await Promise.all(
      [0, 1].map(() => callOverHttp({ host: 'acme', method: 'POST', id: 'teams.createOrganization', data: { name }, cookie })),
    )
    expect(responses.map((r) => r.status).sort()).toEqual([200, 409])
    expect(englishReasons(responses.find((r) => r.status === 409)?.text ?? '')).toContain('already exists')
  })

  test('a request line naming globex with Host acme is refused, and nothing is created at either', async () => {
    const cookie = await sessionCookie('acme', 'admin@acme.test', DEMO_PASSWORD)
    const name = `Zz two hosts ${randomUUID().slice(0, 8)}`
    const body = JSON.stringify(await toJSONAsync({ data: { name } }))
    const response = await raw({
      path: `http://${hostHeader('globex')}/_serverFn/teams.createOrganization`,
      headers: { ...serverFnHeaders('globex'), cookie },
      body,
    })
    expect(response.status).toBe(421)
    const list = await callOverHttp({ host: 'acme', method: 'GET', id: 'teams.listOrganizations', data: { q: name }, cookie })
    expect(resultOf<{ items: unknown[] }>(list).items).toEqual([])
    // And the Origin is compared with the tenant's host: globex's Origin at acme is refused.
    const crossOrigin = await raw({ path: '/_serverFn/teams.createOrganization', headers: { ...serverFnHeaders('globex'), cookie }, body })
    expect(crossOrigin.status).toBe(403)
  })
})
