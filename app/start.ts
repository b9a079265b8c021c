import { createSerializationAdapter } from '@tanstack/react-router'
import { createMiddleware, createStart, csrfSymbol, isCsrfRequestAllowed } from '@tanstack/react-start'
import { HttpError } from './lib/errors'
import { msg } from './lib/i18n'

/**
 * A request line may carry an absolute URI (`POST http://globex…/_serverFn/x`) whose host the server's URL takes,
 * while the Host header names another; such a request is refused before anything else looks at it (421).
 */
const oneHost = createMiddleware().server(async ({ next, request }) => {
  const { misdirected } = await import('./server/request-guards.server')
  return misdirected(request) ?? next()
})

/**
 * A body over HAVEN_MAX_BODY_BYTES (1 MB by default) is a 413 before it is read: by Content-Length, or by counting
 * a chunked body as it streams in. A server-function payload that cannot be decoded is a 400. It runs after the
 * origin check, so a cross-site request is a 403 whatever its body.
 */
const bodyLimit = createMiddleware().server(async ({ next, request }) => {
  const { guardBody } = await import('./server/request-guards.server')
  return (await guardBody(request)) ?? next()
})

/**
 * With our own start instance Start no longer adds its CSRF middleware, so it is added here: a server-function
 * call must come from the same origin (Sec-Fetch-Site / Origin / Referer). Another tenant's subdomain is another
 * origin, so it is refused too. Origin and Referer are compared with the host the tenant is read from, so the check
 * and the tenant never disagree.
 */
const csrf = createMiddleware().server(async (ctx) => {
  if (ctx.request.method === 'GET' || ctx.request.method === 'HEAD') return ctx.next()
  const { crossSite, csrfOptions } = await import('./server/request-guards.server')
  if (await isCsrfRequestAllowed(csrfOptions, ctx)) return ctx.next()
  return crossSite(ctx.request)
})
Object.defineProperty(csrf, csrfSymbol, { value: true })

/** One structured log line per request (app/server/request-log.server.ts); it also fixes the request id. */
const requestLog = createMiddleware().server(async ({ next, request }) => {
  const { logRequest } = await import('./server/request-log.server')
  let result: Awaited<ReturnType<typeof next>> | undefined
  await logRequest(request, async () => {
    result = await next()
    return result.response
  })
  if (!result) throw new Error('request middleware: no result')
  return result
})

/**
 * A page guard's "Not allowed" answers 403, not the router's 404, and a page whose loader's call was refused with a 4xx
 * answers that status, not 500 (app/server/page-status.server.ts).
 */
const forbiddenPage = createMiddleware().server(async ({ next, request }) => {
  const result = await next()
  const { pageStatus } = await import('./server/page-status.server')
  const response = pageStatus(request, result.response)
  return response === result.response ? result : { ...result, response }
})

/**
 * Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the database answers within 2 s) for load
 * balancers and orchestrators, on every host, before the database gate so liveness never waits for it.
 */
const health = createMiddleware().server(async ({ next, request }) => {
  const { pathname } = new URL(request.url)
  if (request.method !== 'GET' || (pathname !== '/healthz' && pathname !== '/readyz')) return next()
  const json = (status: number, body: object, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers } })
  if (pathname === '/healthz') return json(200, { status: 'ok' })
  const { databaseReadiness } = await import('./server/db/index.server')
  const ready = await databaseReadiness(2000)
  return ready.ok ? json(200, { status: 'ready', ms: ready.ms }) : json(503, { status: 'unavailable', reason: ready.reason }, { 'retry-after': '5' })
})

/**
 * The server listens before the database has migrated; requests wait for it rather than fail. A database that
 * cannot be reached is a 503 with Retry-After, like a connection lost later (db/errors.server.ts).
 */
const databaseReady = createMiddleware().server(async ({ next, request }) => {
  const { bootDatabase } = await import('./server/db/index.server')
  try {
    await bootDatabase()
  } catch (error) {
    const { httpErrorFromDatabase } = await import('./server/db/errors.server')
    const mapped = httpErrorFromDatabase(error)
    if (mapped?.status !== 503) throw error
    console.warn(`[haven] database unavailable: ${error instanceof Error ? error.message : String(error)}`)
    const { refusal } = await import('./server/request-guards.server')
    return refusal(request, 503, mapped.message, { 'retry-after': String(mapped.retryAfterSeconds ?? 5) })
  }
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
    const { noteFailure } = await import('./server/replay.server')
    // A serialization failure or deadlock: the server entry runs the whole call once more (replay.server.ts).
    noteFailure(caught)
    const error = httpErrorFromDatabase(caught) ?? caught
    const { getRequest, setResponseHeader, setResponseStatus } = await import('@tanstack/react-start/server')
    if (new URL(getRequest().url).pathname.startsWith('/_serverFn/')) {
      setResponseStatus(error instanceof HttpError ? error.status : 500)
      if (error instanceof HttpError && error.retryAfterSeconds) setResponseHeader('Retry-After', String(error.retryAfterSeconds))
    } else if (error instanceof HttpError) {
      // Rendering a page: its error page should answer with this status, not the router's 500 (page-status.server.ts).
      ;(await import('./server/page-status.server')).markRefusedCall(error.status)
    }
    if (error instanceof HttpError) {
      if (error !== caught && error.status >= 500) console.warn(`[haven] database error answered ${error.status}: ${caught.message}`)
      throw error
    }
    // An unexpected failure's message may name tables, constraints or library internals: it goes to the server log
    // with the request id, and the caller gets a reason a person can act on.
    const { requestEntry, requestIdFrom } = await import('./server/request-log.server')
    const requestId = requestEntry()?.requestId ?? requestIdFrom(getRequest().headers)
    console.error(`[haven] unexpected error (reference ${requestId})`, error)
    throw new HttpError(500, 'internal', msg('errors.internal', { ref: requestId.slice(0, 8) }))
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
  requestMiddleware: [requestLog, forbiddenPage, health, oneHost, csrf, bodyLimit, databaseReady],
  functionMiddleware: [errorStatus],
  serializationAdapters: [httpErrorAdapter],
}))
