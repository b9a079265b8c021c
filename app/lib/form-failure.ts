import { toast } from 'sonner'
import { errorMessage, fieldErrorsOf, isNetworkError } from './errors'
import { tr } from './i18n'

export type FormFailure = {
  /** The server's field errors, by the form's own field names (an update's `data.` prefix dropped). */
  fields: Record<string, string>
  /** What belongs to no field, for the form's summary; undefined when the fields say it all. */
  message?: string
}

/**
 * How every form reads a failed submit. A lost connection is no field's fault and says nothing about what was typed:
 * it is one toast for the whole form (it stays until dismissed), saying the input is kept, and the form shows
 * neither a field error nor a summary of its own — the fields keep their values, so trying again is one click.
 */
export function formFailure(error: unknown): FormFailure {
  if (isNetworkError(error)) {
    // One id: pressing Save again while still offline does not stack copies.
    toast.error(tr('errors.offlineKept'), { id: 'form-offline' })
    return { fields: {} }
  }
  const fields = Object.fromEntries(Object.entries(fieldErrorsOf(error) ?? {}).map(([key, message]) => [key.replace(/^data\./, ''), message]))
  return { fields, message: Object.keys(fields).length > 0 ? undefined : errorMessage(error) }
}
