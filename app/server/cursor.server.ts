import { z } from 'zod'
import { HttpError } from '../lib/errors'
import { msg } from '../lib/i18n'
import { text } from '../lib/text'

/**
 * Keyset cursors: an opaque base64url JSON token. Decoding is strict (ADR 014): a token that is not base64url JSON
 * of exactly the expected shape is a 400 that says the page link is damaged, never a value that reaches SQL and
 * fails there, and never silently the first page (which would hide a broken client).
 */
export function encodeCursor(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

export function decodeCursor<S extends z.ZodType>(raw: string | undefined, schema: S): z.output<S> | undefined {
  if (raw === undefined || raw === '') return undefined
  let value: unknown
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw new Error('not base64url')
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'))
  } catch {
    throw damagedCursor('it is not a page token')
  }
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw damagedCursor(parsed.error.issues[0]?.message ?? 'its content is not valid')
  return parsed.data
}

function damagedCursor(reason: string) {
  return new HttpError(400, 'invalid_cursor', msg('errors.invalidCursor'), {
    fieldErrors: { cursor: `The page token is not valid: ${reason}` },
  })
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value)

/** A row id inside a cursor. */
export const cursorId = z.string().refine(isUuid, 'the row id is not a UUID')

/**
 * A timestamp exactly as the cursors write it (`to_char(... 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`), and a real instant:
 * the round trip through Date refuses 30 February and other dates PostgreSQL would refuse.
 */
export const cursorTimestamp = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/, 'the time is not in the expected form')
  .refine((s) => {
    const date = new Date(s)
    return !Number.isNaN(date.getTime()) && date.toISOString() === `${s.slice(0, 23)}Z`
  }, 'the time does not exist')

/** A sort value copied from a row (a name, an email): the same rules as any text a client sends. */
export const cursorText = text({ max: 254, trim: false })
