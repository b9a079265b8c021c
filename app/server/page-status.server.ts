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

/**
 * A server function that a page's loader called while rendering on the server and that refused with a 4xx (a damaged
 * page link's cursor: 400) makes the router render the error page, which it answers with 500. The first such refusal
 * of the request is noted here, and a 500 page becomes that status: what the page says is what the status says.
 */
const refused = new WeakMap<Request, number>()

export function markRefusedCall(status: number) {
  const request = getRequest()
  if (status >= 400 && status < 500 && !refused.has(request)) refused.set(request, status)
}

export function pageStatus(request: Request, response: Response): Response {
  if (response.status === 404 && forbidden.has(request)) {
    return new Response(response.body, { status: 403, statusText: 'Forbidden', headers: response.headers })
  }
  const status = refused.get(request)
  if (response.status === 500 && status) return new Response(response.body, { status, headers: response.headers })
  return response
}
