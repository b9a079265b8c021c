/**
 * Calls a server function by id (`auth.inviteUser`) the way the app's client does (Start's serverFnFetcher): the
 * payload `{ data }` serialized with seroval, in the query for GET and as a JSON body for POST, with the
 * `x-tsr-serverFn` header. Either from a page (its cookies and origin) or from Node with an explicit Host.
 */
import { readdirSync, readFileSync } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import type { Page } from '@playwright/test'
import { fromCrossJSON, toJSONAsync } from 'seroval'
import { PORT } from './fixtures'
import { withTotpCode } from './totp'

export type Method = 'GET' | 'POST'
export type ServerFnResponse = { status: number; text: string; setCookies: string[] }

async function encodePayload(data: unknown): Promise<string | undefined> {
  return data === undefined ? undefined : JSON.stringify(await toJSONAsync({ data }))
}

async function request(method: Method, id: string, data: unknown) {
  const payload = await encodePayload(data)
  const query = method === 'GET' && payload !== undefined ? `?${new URLSearchParams({ payload })}` : ''
  const headers: Record<string, string> = {
    'x-tsr-serverFn': 'true',
    accept: 'application/x-tss-framed, application/x-ndjson, application/json',
  }
  if (method === 'POST' && payload !== undefined) headers['content-type'] = 'application/json'
  return { path: `/_serverFn/${id}${query}`, headers, body: method === 'POST' ? payload : undefined }
}

/** The value a successful call returned (the body is `{ result }`, or `{ error }` for a failure). */
export function resultOf<T = unknown>(response: ServerFnResponse): T {
  const decoded = fromCrossJSON(JSON.parse(response.text), { refs: new Map(), plugins: [] }) as { result?: T }
  if (!('result' in decoded)) throw new Error(`not a result: ${response.text}`)
  return decoded.result as T
}

/** From the page's document: same origin, with the page's cookies, so it passes CSRF like the app's own calls. */
export async function callFromPage(page: Page, method: Method, id: string, data?: unknown): Promise<ServerFnResponse> {
  const req = await request(method, id, data)
  const response = await page.evaluate(
    async ({ path, headers, body, method }) => {
      const r = await fetch(path, { method, headers, body, credentials: 'same-origin' })
      return { status: r.status, text: await r.text() }
    },
    { ...req, method },
  )
  return { ...response, setCookies: [] }
}

/** `acme` → `acme.localhost:PORT`; `null` → the landing host. */
export function hostHeader(slug: string | null): string {
  return `${slug ? `${slug}.` : ''}localhost:${PORT}`
}

/**
 * From Node, to 127.0.0.1 with an explicit Host (Node resolves no *.localhost names, and fetch ignores a Host
 * header). A POST carries the Host's own Origin unless `origin` says otherwise (`null` for none).
 */
export async function callOverHttp(opts: {
  host: string | null
  method: Method
  id: string
  data?: unknown
  cookie?: string | null
  origin?: string | null
  headers?: Record<string, string>
}): Promise<ServerFnResponse> {
  const host = hostHeader(opts.host)
  const req = await request(opts.method, opts.id, opts.data)
  const headers: Record<string, string> = { ...req.headers, host, ...opts.headers }
  const origin = opts.origin === undefined ? (opts.method === 'POST' ? `http://${host}` : null) : opts.origin
  if (origin) headers.origin = origin
  if (opts.cookie) headers.cookie = opts.cookie
  return new Promise((resolve, reject) => {
    const r = http.request({ host: '127.0.0.1', port: PORT, method: opts.method, path: req.path, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          text: Buffer.concat(chunks).toString('utf8'),
          setCookies: res.headers['set-cookie'] ?? [],
        }),
      )
      res.on('error', reject)
    })
    r.on('error', reject)
    r.end(req.body)
  })
}

/** A page as the server renders it, fetched from Node: no browser, no script runs. */
export function pageOverHttp(host: string | null, path: string, headers: Record<string, string> = {}): Promise<{ status: number; html: string }> {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: '127.0.0.1', port: PORT, method: 'GET', path, headers: { host: hostHeader(host), accept: 'text/html', ...headers } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, html: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    r.on('error', reject)
    r.end()
  })
}

const cookieNamed = (response: ServerFnResponse, name: string) =>
  response.setCookies.map((c) => c.split(';')[0] ?? '').find((c) => c.startsWith(`${name}=`))

/**
 * Signs in over HTTP at a host and returns the session cookie (`haven.session_token=…`) to send as `Cookie`. At the
 * console the password opens a code challenge, answered with root's authenticator code.
 */
export async function sessionCookie(host: string, email: string, password: string): Promise<string> {
  let response = await callOverHttp({ host, method: 'POST', id: 'auth.signIn', data: { email, password, rememberMe: true } })
  const challenge = cookieNamed(response, 'haven.console_mfa')
  if (response.status === 200 && challenge) {
    response = await withTotpCode((code) => callOverHttp({ host, method: 'POST', id: 'mfa.completeSignIn', data: { code }, cookie: challenge }))
  }
  const cookie = cookieNamed(response, 'haven.session_token')
  if (response.status !== 200 || !cookie) throw new Error(`sign-in of ${email} at ${host} failed: ${response.status} ${response.text}`)
  return cookie
}

export type DiscoveredFunction = { method: Method; /** It declares a validator, so it takes input. */ takesInput: boolean }

/**
 * `<file basename without .functions.ts>.<export>` for every createServerFn export under app/features, read from the
 * source: a new server function is found (and must be covered) without anyone listing it.
 */
export function discoverServerFunctions(): Map<string, DiscoveredFunction> {
  const features = path.resolve(import.meta.dirname, '../../app/features')
  const found = new Map<string, DiscoveredFunction>()
  const files = readdirSync(features, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.functions.ts'))
  for (const file of files) {
    const prefix = path.basename(file, '.functions.ts')
    const source = readFileSync(path.join(features, file), 'utf8')
    const matches = [...source.matchAll(/export const (\w+) = createServerFn\(\{ method: '(GET|POST)' \}\)/g)]
    matches.forEach((match, i) => {
      const [, name, method] = match
      const body = source.slice(match.index, matches[i + 1]?.index ?? source.length)
      found.set(`${prefix}.${name}`, { method: method as Method, takesInput: body.includes('.validator(') })
    })
  }
  return found
}
