import { createSerializationAdapter } from '@tanstack/react-router'
import { createCsrfMiddleware, createMiddleware, createStart } from '@tanstack/react-start'
import { HttpError } from './lib/errors'

/** The host the tenant is resolved from (describeRequest reads the same one): Host, or X-Forwarded-Host behind a trusted proxy. */
async function tenantHost(): Promise<string> {
  const [{ getRequestHost }, { config }] = await Promise.all([import('@tanstack/react-start/server'), import('../app.config')])
  return normalizeHost(getRequestHost({ xForwardedHost: config().trustedProxy }) ?? '')
}

/** `acme.example.com:443` and `ACME.example.com` name the same host as a URL's `host`. */
function normalizeHost(host: string): string {
  try {
    return new URL(`http://${host}`).host
  } catch {
    return ''
  }
}

/**
 * A request line may carry an absolute URI (`POST http://globex…/_serverFn/x`) whose host the server's URL takes,
 * while the Host header names another: the origin check would then compare against one host and the tenant come
 * from the other. Such a request is refused before anything else looks at it (421 Misdirected Request).
 */
const oneHost = createMiddleware().server(async ({ next, request }) => {
  const urlHost = new URL(request.url).host
  const hostHeader = normalizeHost(request.headers.get('host') ?? '')
  if (hostHeader !== '' && urlHost !== hostHeader) {
    return new Response('The request names two different hosts (request line and Host header).', {
      status: 421,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    })
  }
  return next()
})

/**
 * With our own start instance Start no longer adds its CSRF middleware, so it is added here: a server-function
 * call must come from the same origin (Sec-Fetch-Site / Origin / Referer). Another tenant's subdomain is another
 * origin, so it is refused too. An Origin or Referer is compared with the host the tenant is read from, so the
 * check and the tenant can never disagree.
 */
const sameTenantOrigin = async (value: string, { request }: { request: Request }) => {
  let origin: URL
  try {
    origin = new URL(value)
  } catch {
    return false
  }
  const { config } = await import('../app.config')
  const schemes = new Set([new URL(request.url).protocol, `${config().protocol}:`])
  return schemes.has(origin.protocol) && origin.host === (await tenantHost())
}
const csrf = createCsrfMiddleware({
  filter: ({ request }) => request.method !== 'GET' && request.method !== 'HEAD',
  origin: sameTenantOrigin,
  referer: (value, ctx) => sameTenantOrigin(value, ctx),
})

/**
 * Refuses a request body larger than the configured limit (HAVEN_MAX_BODY_BYTES, 1 MB by default) with 413 before
 * it is read: by its Content-Length when it declares one, otherwise by counting a chunked body as it streams in
 * (a clone is read up to the limit; the handler then reads the buffered original).
 */
const bodyLimit = createMiddleware().server(async ({ next, request }) => {
  if (request.method === 'GET' || request.method === 'HEAD') return next()
  const { config } = await import('../app.config')
  const limit = config().maxBodyBytes
  const declared = request.headers.get('content-length')
  if (declared !== null) {
    if (!/^\d{1,15}$/.test(declared.trim())) return plainResponse(400, 'The Content-Length header is not a number.')
    return Number(declared) > limit ? tooLarge(limit) : next()
  }
  if (!request.body) return next()
  const reader = request.clone().body?.getReader()
  let total = 0
  for (;;) {
    const chunk = await reader?.read()
    if (!chunk || chunk.done) break
    total += chunk.value.byteLength
    if (total > limit) {
      await reader?.cancel().catch(() => {})
      return tooLarge(limit)
    }
  }
  return next()
})

function tooLarge(limit: number) {
  const size = limit >= 1024 * 1024 ? `${Math.round((limit / 1024 / 1024) * 10) / 10} MB` : `${Math.round(limit / 1024)} KB`
  return plainResponse(413, `The request is too large (the limit is ${size}). Send less at once.`)
}

/** `Connection: close`: the rest of an unread body is not worth draining. */
function plainResponse(status: number, message: string) {
  return new Response(message, { status, headers: { 'content-type': 'text/plain; charset=utf-8', connection: 'close' } })
}

/** The server listens before the database has migrated; requests wait for it rather than fail. */
const databaseReady = createMiddleware().server(async ({ next }) => {
  const { bootDatabase } = await import('./server/db/index.server')
  await bootDatabase()
  return next()
})

/**
 * Start answers a server-function call whose handler threw with 200 and the error in the body; this puts the
 * status on the wire: an HttpError's own (401, 403, 404, 429 …), a database failure mapped by SQLSTATE
 * (db/errors.server.ts: bad value 400, unique 409, gone 404, connection lost 503 + Retry-After …), and 500 for any
 * other Error (a redirect or notFound is not an Error and keeps Start's handling). Only for calls over HTTP:
 * during SSR the same functions run for a page, whose status is the router's business.
 */
const errorStatus = createMiddleware({ type: 'function' }).server(async ({ next }) => {
  try {
    return await next()
  } catch (caught) {
    if (!(caught instanceof Error)) throw caught
    const { httpErrorFromDatabase } = await import('./server/db/errors.server')
    const error = httpErrorFromDatabase(caught) ?? caught
    const { getRequest, setResponseHeader, setResponseStatus } = await import('@tanstack/react-start/server')
    if (new URL(getRequest().url).pathname.startsWith('/_serverFn/')) {
      setResponseStatus(error instanceof HttpError ? error.status : 500)
      if (error instanceof HttpError && error.retryAfterSeconds) setResponseHeader('Retry-After', String(error.retryAfterSeconds))
    }
    if (error instanceof HttpError) {
      if (error !== caught && error.status >= 500) console.warn(`[haven] database unavailable: ${caught.message}`)
      throw error
    }
    // An unexpected failure's message may name tables, constraints or library internals: it goes to the server log
    // with the request id, and the caller gets a reason a person can act on.
    const requestId = getRequest().headers.get('x-request-id') ?? crypto.randomUUID()
    console.error(`[haven] unexpected error (reference ${requestId})`, error)
    throw new HttpError(500, 'internal', `Something went wrong on our side. Please try again (reference ${requestId.slice(0, 8)}).`)
  }
})

/** Without this an HttpError reaches the client as a bare Error: no status, code or field errors for the forms. */
const httpErrorAdapter = createSerializationAdapter({
  key: 'haven-http-error',
  test: (value): value is HttpError => value instanceof HttpError,
  toSerializable: (e) => ({
    status: e.status,
    code: e.code,
    message: e.message,
    fieldErrors: e.fieldErrors,
    retryAfterSeconds: e.retryAfterSeconds,
  }),
  fromSerializable: (v) => new HttpError(v.status, v.code, v.message, { fieldErrors: v.fieldErrors, retryAfterSeconds: v.retryAfterSeconds }),
})

export const startInstance = createStart(() => ({
  requestMiddleware: [oneHost, bodyLimit, databaseReady, csrf],
  functionMiddleware: [errorStatus],
  serializationAdapters: [httpErrorAdapter],
}))
