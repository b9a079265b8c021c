import { notFound } from '@tanstack/react-router'
import { createIsomorphicFn } from '@tanstack/react-start'
import { can } from './navigation'
import type { Permission } from './permissions'

/**
 * For a page's beforeLoad: navigation only (the page's server functions check again). A not-found carrying
 * `forbidden` renders the "Not allowed" page inside the app shell; unlike a thrown error it is not reported as a
 * failure, because it is not one.
 */
export async function guardPage(permissions: readonly string[], anyOf: Permission[]) {
  if (can(permissions, anyOf)) return
  await markForbidden()
  throw notFound({ data: { forbidden: true } })
}

/** While rendering on the server, the response becomes a 403; in the browser there is no response to change. */
export const markForbidden = createIsomorphicFn()
  .server(async () => (await import('../server/page-status.server')).markForbidden())
  .client(async () => {})

export function isForbiddenNotFound(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { forbidden?: unknown }).forbidden === true
}

/** A loader's 404 (a missing or another tenant's id) becomes the not-found page instead of an error boundary. */
export async function orNotFound<T>(work: Promise<T>): Promise<T> {
  try {
    return await work
  } catch (error) {
    if ((error as { status?: unknown }).status === 404) throw notFound()
    throw error
  }
}
