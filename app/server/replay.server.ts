import { AsyncLocalStorage } from 'node:async_hooks'
import { isRetryableDbError } from './db/errors.server'

/**
 * A server-function call that lost a serialization failure or a deadlock runs once more, whole (ADR 014).
 *
 * The retry cannot live in the tenant scope: that scope's transaction wraps a function middleware's `next()`, and
 * TanStack Start's `next()` runs the rest of the chain at most once (`executeMiddleware` in start-client-core keeps
 * one shared index into the middleware list, so a second call runs nothing and returns the first call's context as
 * a success). So the call is repeated from the server entry (`app/server.ts`), with the same bytes, on a request
 * the first attempt did not touch; the function middleware, the scope and the handler all run afresh. It is repeated
 * only when nothing of the first attempt outlived it: its failed transaction rolled back, and no other transaction
 * of the attempt committed and no background work was started (`noteLasting`). Otherwise, and after the second
 * failure, the caller gets the 409 that `httpErrorFromDatabase` gives.
 */
type Attempt = { conflict: boolean; lasting: boolean }

// On globalThis because the server bundle may hold more than one copy of this module.
const holder = globalThis as typeof globalThis & { __havenReplay?: AsyncLocalStorage<Attempt> }
holder.__havenReplay ??= new AsyncLocalStorage<Attempt>()
const attempts = holder.__havenReplay

const SERVER_FN_PATH = '/_serverFn/'

/** Called where a server function's error becomes its answer: a serialization failure or deadlock may be retried. */
export function noteFailure(error: unknown): void {
  const attempt = attempts.getStore()
  if (attempt && isRetryableDbError(error)) attempt.conflict = true
}

/** Something this attempt did will outlive it (a committed transaction, background work): it must not run again. */
export function noteLasting(): void {
  const attempt = attempts.getStore()
  if (attempt) attempt.lasting = true
}

/** Runs `handle` for a request, and once more for a server-function call that lost a conflict (see above). */
export async function replayOnConflict(request: Request, handle: (request: Request) => Response | Promise<Response>): Promise<Response> {
  if (!new URL(request.url).pathname.startsWith(SERVER_FN_PATH)) return handle(request)
  // A second reader of the body: it holds what the first attempt reads, which the body guard keeps under
  // HAVEN_MAX_BODY_BYTES (the guard stops reading at the limit, so the copy stops there too).
  const spare = request.body ? request.clone() : undefined
  const first: Attempt = { conflict: false, lasting: false }
  const response = await attempts.run(first, () => handle(request))
  if (!first.conflict || first.lasting) {
    void spare?.body?.cancel().catch(() => {})
    return response
  }
  await response.body?.cancel().catch(() => {})
  console.warn(`[haven] ${new URL(request.url).pathname}: serialization failure or deadlock, running the call once more`)
  const again = new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: spare ? await spare.arrayBuffer() : undefined,
    signal: request.signal,
  })
  // The client address the server read from the socket (h3's getRequestIP reads `ip`), for the audit trail and
  // the sign-in throttle.
  const ip = (request as Request & { ip?: string }).ip
  if (ip !== undefined) Object.defineProperty(again, 'ip', { value: ip })
  return attempts.run({ conflict: false, lasting: false }, () => handle(again))
}
