import type { en } from './i18n/en'
import { msg, tr } from './i18n'
/**
 * An expected failure with an HTTP status and a reason a person can read. app/start.ts puts the status on the
 * wire for server-function calls and carries code and field errors to the client.
 * Client-safe.
 */
export class HttpError extends Error {
  readonly status: number
  readonly code: string
  readonly fieldErrors?: Record<string, string>
  readonly retryAfterSeconds?: number

  constructor(
    status: number,
    code: string,
    message: string,
    extra: { fieldErrors?: Record<string, string>; retryAfterSeconds?: number } = {},
  ) {
    super(message)
    this.name = 'HttpError'
    this.status = status
    this.code = code
    this.fieldErrors = extra.fieldErrors
    this.retryAfterSeconds = extra.retryAfterSeconds
  }
}

export const unauthorized = (message = msg('errors.unauthorized')) => new HttpError(401, 'unauthorized', message)
export const forbidden = (message = msg('errors.forbidden')) => new HttpError(403, 'forbidden', message)
/** What was not found, as one of the sentences in `errors.notFound`. */
export type NotFoundThing = keyof (typeof en)['errors']['notFound']
export const notFound = (what: NotFoundThing = 'thing') => new HttpError(404, 'not_found', msg(`errors.notFound.${what}`))
export const conflict = (message: string, fieldErrors?: Record<string, string>) =>
  new HttpError(409, 'conflict', message, { fieldErrors })
export const badRequest = (message: string, fieldErrors?: Record<string, string>) =>
  new HttpError(400, 'bad_request', message, { fieldErrors })

/**
 * The browser could not reach the server at all (offline, DNS, a dropped connection): fetch rejects with a TypeError
 * whose text differs per browser ("Failed to fetch", "NetworkError when attempting to fetch resource.", "Load failed").
 */
export function isNetworkError(error: unknown): boolean {
  return error instanceof TypeError && /failed to fetch|networkerror|load failed|network request failed/i.test(error.message)
}

/**
 * The message of any thrown value as it travels: a message reference (`msg()`) from the server or a schema, or a
 * library's own text. Loaders return this, and the page translates it when it renders.
 */
export function errorRef(error: unknown): string {
  if (isNetworkError(error)) return msg('errors.offline')
  if (error instanceof Error && error.message) {
    try {
      const parsed = JSON.parse(error.message) as { message?: string }
      if (parsed && typeof parsed.message === 'string') return parsed.message
    } catch {}
    return error.message
  }
  return 'common.somethingWrong'
}

/** What the UI shows for any thrown value, in the language the client shows (event handlers, toasts). */
export function errorMessage(error: unknown): string {
  return tr(errorRef(error))
}

export function fieldErrorsOf(error: unknown): Record<string, string> | undefined {
  const value = (error as { fieldErrors?: unknown } | null)?.fieldErrors
  if (!value || typeof value !== 'object') return undefined
  return Object.fromEntries(Object.entries(value as Record<string, string>).map(([k, v]) => [k, tr(v)]))
}
