import { getRequestHost } from '@tanstack/react-start/server'
import { fromJSON } from 'seroval'
import { config } from '../../app.config'
import { i18nFor, localeFromAcceptLanguage, msg, pickLocale, translateRef } from '../lib/i18n'

/** `acme.example.com:80` and `ACME.example.com` name the same host as a URL's `host` does. */
export function normalizeHost(host: string): string {
  try {
    return new URL(`http://${host.trim()}`).host
  } catch {
    return ''
  }
}

/** The host the tenant is resolved from (describeRequest reads the same one): Host, or X-Forwarded-Host behind a trusted proxy. */
export function tenantHost(): string {
  return normalizeHost(getRequestHost({ xForwardedHost: config().trustedProxy }) ?? '')
}

/**
 * A refusal before any route or server function runs. To a server-function call its text is a message reference
 * (ADR 020): Start's client throws the body as the error's message, and the page shows it in the language it shows.
 * Any other request (a page, a download) is read as it is, so it gets the sentence in the browser's language.
 */
export function refusal(request: Request, status: number, message: string, headers: Record<string, string> = {}) {
  const serverFn = new URL(request.url).pathname.startsWith('/_serverFn/')
  const locale = pickLocale(localeFromAcceptLanguage(request.headers.get('accept-language')))
  const text = serverFn ? message : translateRef(i18nFor(locale), message)
  return new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...(serverFn ? {} : { 'content-language': locale }), ...headers } })
}

// Connection: close, because the rest of an unread body is not worth draining.
const plainResponse = (request: Request, status: number, message: string) => refusal(request, status, message, { connection: 'close' })

/**
 * A request whose absolute URI (request line) names another host than its Host header: the server's URL takes the
 * former, the tenant the latter, so the origin check and the tenant could disagree. Refused with 421.
 */
export function misdirected(request: Request): Response | undefined {
  const urlHost = new URL(request.url).host
  const hostHeader = normalizeHost(request.headers.get('host') ?? '')
  if (hostHeader === '' || urlHost === hostHeader) return undefined
  return plainResponse(request, 421, msg('errors.request.twoHosts'))
}

/**
 * The body check in front of every server function (and every other POST):
 * - a body over the limit is a 413 before it is read: by Content-Length when it declares one, otherwise by counting
 *   a chunked body as it streams in (a clone is read up to the limit; the handler then reads the buffered original);
 * - a server-function call must carry a payload Start can decode (JSON, in seroval's form), else 400/415. Start
 *   decodes it before any function middleware runs, so a broken one would otherwise surface as its 500.
 */
export async function guardBody(request: Request, limit = config().maxBodyBytes): Promise<Response | undefined> {
  const serverFn = new URL(request.url).pathname.startsWith('/_serverFn/')
  if (request.method === 'GET' || request.method === 'HEAD') {
    return serverFn ? undecodable(request, new URL(request.url).searchParams.get('payload') ?? undefined) : undefined
  }
  const declared = request.headers.get('content-length')
  if (declared !== null) {
    if (!/^\d{1,15}$/.test(declared.trim())) return plainResponse(request, 400, msg('errors.request.badLength'))
    if (Number(declared) > limit) return tooLarge(request, limit)
  }
  if (!request.body || (!serverFn && declared !== null)) return undefined
  if (serverFn && !/^application\/json\b/i.test(request.headers.get('content-type') ?? 'application/json')) {
    return plainResponse(request, 415, msg('errors.request.jsonOnly'))
  }
  const reader = request.clone().body?.getReader()
  if (!reader) return undefined
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const chunk = await reader.read()
    if (chunk.done) break
    total += chunk.value.byteLength
    if (total > limit) {
      // Both branches of the clone's tee must be cancelled for the source to stop; neither promise is awaited
      // (a branch's cancel settles only when the other one is cancelled too).
      reader.cancel().catch(() => {})
      request.body?.cancel().catch(() => {})
      return tooLarge(request, limit)
    }
    if (serverFn) chunks.push(chunk.value)
  }
  return serverFn ? undecodable(request, total === 0 ? undefined : Buffer.concat(chunks).toString('utf8')) : undefined
}

/** 400 when a server-function payload is not JSON in seroval's form (what Start's client sends). */
function undecodable(request: Request, payload: string | undefined): Response | undefined {
  if (payload === undefined) return undefined
  try {
    fromJSON(JSON.parse(payload))
    return undefined
  } catch {
    return plainResponse(request, 400, msg('errors.request.unreadable'))
  }
}

function tooLarge(request: Request, limit: number) {
  return plainResponse(
    request,
    413,
    limit >= 1024 * 1024
      ? msg('errors.request.tooLargeMb', { size: Math.round((limit / 1024 / 1024) * 10) / 10 })
      : msg('errors.request.tooLargeKb', { size: Math.round(limit / 1024) }),
  )
}

/** A non-GET request that the origin check refused (start.ts). */
export const crossSite = (request: Request) => plainResponse(request, 403, msg('errors.request.crossSite'))

/** An Origin (or a Referer's origin) is same-origin when it names the tenant's host with the server's scheme. */
function sameTenantOrigin(value: string, request: Request): boolean {
  let origin: URL
  try {
    origin = new URL(value)
  } catch {
    return false
  }
  const schemes = new Set([new URL(request.url).protocol, `${config().protocol}:`])
  return schemes.has(origin.protocol) && origin.host === tenantHost()
}

/** For Start's isCsrfRequestAllowed: Sec-Fetch-Site must say same-origin; else Origin, else Referer, against the tenant host. */
export const csrfOptions = {
  origin: (value: string, ctx: { request: Request }) => sameTenantOrigin(value, ctx.request),
  referer: (value: string, ctx: { request: Request }) => sameTenantOrigin(value, ctx.request),
}
