import { createSerializationAdapter } from '@tanstack/react-router'
import { createCsrfMiddleware, createMiddleware, createStart } from '@tanstack/react-start'
import { HttpError } from './lib/errors'

/**
 * With our own start instance Start no longer adds its CSRF middleware, so it is added here: a server-function
 * call must come from the same origin (Sec-Fetch-Site / Origin / Referer). Another tenant's subdomain is another
 * origin, so it is refused too.
 */
const csrf = createCsrfMiddleware({
  filter: ({ request }) => request.method !== 'GET' && request.method !== 'HEAD',
})

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

/** The server listens before the database has migrated; requests wait for it rather than fail. */
const databaseReady = createMiddleware().server(async ({ next }) => {
  const { bootDatabase } = await import('./server/db/index.server')
  await bootDatabase()
  return next()
})

/**
 * Start answers a server-function call whose handler threw with 200 and the error in the body; this puts the
 * status on the wire: an HttpError's own (401, 403, 404, 429 …), 500 for any other Error (a redirect or notFound
 * is not an Error and keeps Start's handling). Only for calls over HTTP: during SSR the same functions run for a
 * page, whose status is the router's business.
 */
const errorStatus = createMiddleware({ type: 'function' }).server(async ({ next }) => {
  try {
    return await next()
  } catch (error) {
    if (!(error instanceof Error)) throw error
    const { getRequest, setResponseStatus } = await import('@tanstack/react-start/server')
    if (new URL(getRequest().url).pathname.startsWith('/_serverFn/')) setResponseStatus(error instanceof HttpError ? error.status : 500)
    if (error instanceof HttpError) throw error
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
  requestMiddleware: [requestLog, health, databaseReady, csrf],
  functionMiddleware: [errorStatus],
  serializationAdapters: [httpErrorAdapter],
}))
