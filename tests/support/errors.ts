import { expect } from 'vitest'
import { i18nFor, translateRef } from '~/lib/i18n'

/** What the two drivers' errors have in common. */
export type PgError = { code: string; message: string; constraint?: string }

/**
 * The PostgreSQL error inside whatever wraps it: drizzle puts the driver's error in `cause`; postgres.js calls the
 * constraint `constraint_name`, PGlite `constraint`.
 */
export function pgError(err: unknown): PgError | undefined {
  let current: unknown = err
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const e = current as { code?: unknown; message?: unknown; constraint?: unknown; constraint_name?: unknown; cause?: unknown }
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
      const constraint = e.constraint_name ?? e.constraint
      return {
        code: e.code,
        message: String(e.message),
        constraint: typeof constraint === 'string' ? constraint : undefined,
      }
    }
    current = e.cause
  }
  return undefined
}

/** Awaits `work`, which must fail with SQLSTATE `code` (and a message matching `message`, when given). */
export async function expectPgError(work: Promise<unknown> | (() => Promise<unknown>), code: string, message?: RegExp): Promise<PgError> {
  let caught: unknown
  try {
    await (typeof work === 'function' ? work() : work)
  } catch (err) {
    caught = err
  }
  if (caught === undefined) throw new Error(`expected SQLSTATE ${code}, but the statement succeeded`)
  const pg = pgError(caught)
  if (!pg) throw new Error(`expected SQLSTATE ${code}, got a non-database error: ${String(caught)}`, { cause: caught })
  expect({ code: pg.code, message: pg.message }).toEqual({ code, message: message ? expect.stringMatching(message) : pg.message })
  return pg
}

export const SQLSTATE = {
  insufficientPrivilege: '42501',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  invalidParameterValue: '22023',
  invalidTextRepresentation: '22P02',
} as const

/** Thrown inside a scope to roll it back on purpose. */
export class Rollback<T = unknown> extends Error {
  constructor(readonly value: T) {
    super('rollback')
  }
}

/** Runs a scope that ends by throwing Rollback(value), and returns that value: the work happened, nothing stays. */
export async function rolledBack<T>(scope: Promise<never>): Promise<T> {
  try {
    await scope
  } catch (err) {
    if (err instanceof Rollback) return err.value as T
    throw err
  }
  throw new Error('the scope was expected to roll back')
}

/** What a person reading English sees for a message reference (errors carry a key and parameters, ADR 020). */
export function english(message: string | undefined): string {
  return translateRef(i18nFor('en'), message ?? '')
}

/** An HttpError-like value with its message and field errors as an English reader sees them. */
export function inEnglish(error: unknown): unknown {
  const e = error as { status?: number; code?: string; message?: string; fieldErrors?: Record<string, string> }
  return {
    status: e.status,
    code: e.code,
    message: english(e.message),
    fieldErrors: e.fieldErrors && Object.fromEntries(Object.entries(e.fieldErrors).map(([k, v]) => [k, english(v)])),
  }
}
