import { HttpError } from '~/lib/errors'
import { msg } from '~/lib/i18n'

/**
 * The one place that turns a database failure into an answer a client can act on (ADR 014). Feature code still
 * catches the errors it expects and gives them a specific message (a unique name → "That name is taken"); what it
 * does not expect arrives here through app/start.ts, mapped by SQLSTATE class, so a database error is never a 500
 * unless it is a bug in our SQL (syntax, undefined column …), which stays a logged 500.
 */

/** Seconds a client should wait before trying again after the database became unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5

type DriverError = {
  code?: unknown
  message?: unknown
  cause?: unknown
  errors?: unknown
  constraint?: unknown
  constraint_name?: unknown
}

/** The errors inside an error: drizzle wraps the driver's in `cause`, Node's connection errors may be an AggregateError. */
function* chain(error: unknown): Generator<DriverError> {
  const seen = new Set<unknown>()
  const queue: unknown[] = [error]
  while (queue.length > 0 && seen.size < 16) {
    const e = queue.shift()
    if (!e || typeof e !== 'object' || seen.has(e)) continue
    seen.add(e)
    const d = e as DriverError
    yield d
    if (d.cause) queue.push(d.cause)
    if (Array.isArray(d.errors)) queue.push(...d.errors)
  }
}

/** The five-character SQLSTATE of a PostgreSQL error (either driver, wrapped or not), or undefined. */
export function sqlState(error: unknown): string | undefined {
  for (const e of chain(error)) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code
  }
  return undefined
}

/** The constraint a 23xxx error names (postgres.js calls it `constraint_name`, PGlite `constraint`). */
export function violatedConstraint(error: unknown): string | undefined {
  for (const e of chain(error)) {
    const name = e.constraint_name ?? e.constraint
    if (typeof name === 'string') return name
  }
  return undefined
}

/** Driver and socket codes for a connection that failed or went away (postgres.js, Node's net, PGlite). */
const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])

export function isConnectionError(error: unknown): boolean {
  for (const e of chain(error)) {
    if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return true
    const state = typeof e.code === 'string' ? e.code : ''
    if (state.startsWith('08') || state === '57P01' || state === '57P02' || state === '57P03') return true
    if (typeof e.message === 'string' && /PGlite is closed|connection (refused|ended|terminated|closed)/i.test(e.message)) return true
  }
  return false
}

/**
 * A failure that the same transaction, run again from the start, may not meet: a serialization failure or a
 * deadlock. The tenant scope retries such a transaction once (scope.server.ts); a second failure becomes a 409.
 */
export function isRetryableDbError(error: unknown): boolean {
  const state = sqlState(error)
  return state === '40001' || state === '40P01'
}

const unavailable = () =>
  new HttpError(503, 'database_unavailable', msg('errors.unavailable'), {
    retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
  })

/**
 * The HttpError for a database failure, or undefined when `error` is not one (or is a bug in our own SQL, which
 * should stay a 500 and be fixed). An HttpError passes through unchanged.
 */
export function httpErrorFromDatabase(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error
  if (isConnectionError(error)) return unavailable()
  const state = sqlState(error)
  if (!state) return undefined
  const cls = state.slice(0, 2)
  if (cls === '22') {
    const tooLong = state === '22001'
    return new HttpError(
      400,
      'invalid_value',
      tooLong ? msg('errors.valueTooLong') : msg('errors.valueNotStorable'),
    )
  }
  if (state === '23505' || state === '23P01') {
    return new HttpError(409, 'conflict', msg('errors.dbConflict'))
  }
  if (state === '23503') {
    // "insert or update … violates" means the thing referred to is gone; "update or delete … violates" means
    // something still refers to the row being removed.
    const message = [...chain(error)].map((e) => (typeof e.message === 'string' ? e.message : '')).join(' ')
    if (/update or delete on table/i.test(message)) {
      return new HttpError(409, 'in_use', msg('errors.inUse'))
    }
    return new HttpError(404, 'not_found', msg('errors.refGone'))
  }
  if (cls === '23') return new HttpError(400, 'invalid_value', msg('errors.valueMissing'))
  if (state === '40001' || state === '40P01') {
    return new HttpError(409, 'concurrent_change', msg('errors.concurrent'))
  }
  if (cls === '40') return new HttpError(409, 'concurrent_change', msg('errors.notCompleted'))
  if (state === '55P03' || state === '55006') {
    return new HttpError(409, 'busy', msg('errors.busy'))
  }
  if (state === '57014') {
    return new HttpError(503, 'timeout', msg('errors.timeout'), {
      retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
    })
  }
  if (cls === '53') return unavailable()
  if (cls === '54') return new HttpError(413, 'too_complex', msg('errors.tooComplex'))
  if (state === '42501') return new HttpError(403, 'forbidden', msg('errors.forbidden'))
  if (state === '2201B' || state === '2200M') return new HttpError(400, 'invalid_value', msg('errors.invalidValue'))
  return undefined
}

/** The drizzle/driver error of a unique violation, wherever the driver put it. */
export function isUniqueViolation(error: unknown): boolean {
  return sqlState(error) === '23505'
}
