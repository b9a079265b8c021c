import type { z } from 'zod'
import { HttpError } from './errors'
import { msg } from './i18n'
import { fieldErrorsFromZod } from './zod-errors'

/**
 * A server-function validator from a zod schema: bad input becomes a 400 with a message per field, which forms
 * show next to the field, instead of a 500.
 */
export function input<S extends z.ZodType>(schema: S) {
  return (data: z.input<S>): z.output<S> => {
    const parsed = schema.safeParse(data)
    if (parsed.success) return parsed.data
    const fieldErrors = fieldErrorsFromZod(parsed.error)
    const first = Object.entries(fieldErrors)[0]
    throw new HttpError(400, 'invalid_input', first ? first[1] : msg('errors.invalidRequest'), { fieldErrors })
  }
}
