import { getRequest } from '@tanstack/react-start/server'

/**
 * The router answers every not-found render with 404, including the "Not allowed" page a page guard renders (a
 * not-found that carries `forbidden`). The guard marks its request here during server rendering, and the request
 * middleware turns that 404 into the 403 the page shows.
 */
const forbidden = new WeakSet<Request>()

export function markForbidden() {
  forbidden.add(getRequest())
}

export function pageStatus(request: Request, response: Response): Response {
  if (response.status !== 404 || !forbidden.has(request)) return response
  return new Response(response.body, { status: 403, statusText: 'Forbidden', headers: response.headers })
}
