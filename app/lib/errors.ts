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

export const unauthorized = (message = 'Please sign in to continue.') => new HttpError(401, 'unauthorized', message)
export const forbidden = (message = 'You do not have permission to do that.') => new HttpError(403, 'forbidden', message)
export const notFound = (what = 'That item') => new HttpError(404, 'not_found', `${what} was not found.`)
export const conflict = (message: string, fieldErrors?: Record<string, string>) =>
  new HttpError(409, 'conflict', message, { fieldErrors })
export const badRequest = (message: string, fieldErrors?: Record<string, string>) =>
  new HttpError(400, 'bad_request', message, { fieldErrors })

export const OFFLINE_MESSAGE = "Couldn't reach Haven — check your connection"

/**
 * The browser could not reach the server at all (offline, DNS, a dropped connection): fetch rejects with a TypeError
 * whose text differs per browser ("Failed to fetch", "NetworkError when attempting to fetch resource.", "Load failed").
 */
export function isNetworkError(error: unknown): boolean {
  return error instanceof TypeError && /failed to fetch|networkerror|load failed|network request failed/i.test(error.message)
}

/** What the UI shows for any thrown value. */
export function errorMessage(error: unknown): string {
  if (isNetworkError(error)) return OFFLINE_MESSAGE
  if (error instanceof Error && error.message) {
    try {
      const parsed = JSON.parse(error.message) as { message?: string }
      if (parsed && typeof parsed.message === 'string') return parsed.message
    } catch {}
    return error.message
  }
  return 'Something went wrong. Please try again.'
}

export function fieldErrorsOf(error: unknown): Record<string, string> | undefined {
  const value = (error as { fieldErrors?: unknown } | null)?.fieldErrors
  return value && typeof value === 'object' ? (value as Record<string, string>) : undefined
}
