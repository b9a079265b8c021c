import { AsyncLocalStorage } from 'node:async_hooks'
import { randomUUID } from 'node:crypto'
import pino from 'pino'
import { config } from '../../app.config'

/**
 * One structured line per request (pino, JSON): request id, method, path, host, the server function, tenant, user,
 * impersonator, status and duration in ms. The middleware that learns who is calling fills the entry in as the
 * request goes; nothing else is logged per request. Query strings, cookies, bodies and headers are never logged, so
 * reset and invitation tokens (which travel in them) stay out of the log.
 */
export const logger = pino({
  base: undefined,
  level: process.env.HAVEN_LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'warn' : 'info'),
  timestamp: pino.stdTimeFunctions.isoTime,
})

export type RequestEntry = {
  requestId: string
  fn?: string
  tenant?: string
  user?: string
  impersonator?: string
}

const current = new AsyncLocalStorage<RequestEntry>()

/** The entry of the request being served, or undefined outside one (boot, scripts, tests). */
export function requestEntry(): RequestEntry | undefined {
  return current.getStore()
}

/** Records who the caller turned out to be, for the request's log line. */
export function noteCaller(fields: Partial<Omit<RequestEntry, 'requestId'>>) {
  const entry = current.getStore()
  if (entry) Object.assign(entry, fields)
}

/**
 * The request's id, which the audit log records with every change. A proxy's `x-request-id` is taken only behind a
 * trusted proxy (`HAVEN_TRUSTED_PROXY`, as for the client's IP and host) and only when it is a short safe token;
 * otherwise, and always when a browser talks to Haven directly, Haven makes a new one: a client never chooses it.
 */
export function requestIdFrom(headers: Headers, trustedProxy = config().trustedProxy): string {
  const fromProxy = trustedProxy ? headers.get('x-request-id') : null
  return fromProxy && /^[\w.:-]{1,64}$/.test(fromProxy) ? fromProxy : randomUUID()
}

/** Runs a request with its log entry and writes the line when it ends (or fails). */
export async function logRequest(request: Request, serve: () => Promise<Response>): Promise<Response> {
  const url = new URL(request.url)
  const entry: RequestEntry = {
    requestId: requestIdFrom(request.headers),
    fn: url.pathname.startsWith('/_serverFn/') ? decodeURIComponent(url.pathname.slice('/_serverFn/'.length)).slice(0, 80) : undefined,
  }
  const started = performance.now()
  let status = 500
  try {
    const response = await current.run(entry, serve)
    status = response.status
    return response
  } finally {
    const line = {
      req: entry.requestId,
      method: request.method,
      path: url.pathname,
      host: request.headers.get('host') ?? undefined,
      fn: entry.fn,
      tenant: entry.tenant,
      user: entry.user,
      impersonator: entry.impersonator,
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    }
    if (status >= 500) logger.error(line, 'request')
    else logger.info(line, 'request')
  }
}
