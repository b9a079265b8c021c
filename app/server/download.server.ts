import type { z } from 'zod'
import { forbidden, HttpError, notFound, unauthorized } from '../lib/errors'
import { i18nFor, type Locale, localeFromAcceptLanguage, msg, pickLocale, translateRef } from '../lib/i18n'
import type { Permission } from '../lib/permissions'
import { input } from '../lib/validate'
import type { Tx } from './db/client.server'
import { httpErrorFromDatabase } from './db/errors.server'
import type { TenantContext } from './db/scope.server'
import { type Caller, describeRequest, requestLocale, withTenantSession } from './session.server'

/** Who asked and from where, for the stream's own short transactions after the check. */
export type DownloadContext = TenantContext & { userId: string; impersonatorId: string | null }

type Download<S extends z.ZodType, T> = {
  permission: Permission
  /** The query string's parameters (each a string), validated only once the caller is known to hold `permission`. */
  query: S
  /** Runs in the checked transaction (counting, recording the export); committed before the response starts. */
  begin: (tx: Tx, tenantId: string, query: z.output<S>, caller: Caller) => Promise<T>
  /** `locale`: the request's language (the person's, else the workspace's, else the browser's), for the file's words. */
  respond: (ctx: DownloadContext, query: z.output<S>, begun: T, locale: Locale) => Response
}

/**
 * A download route (GET, not a server function, because its body streams) checked the way `requirePermission` checks
 * a server function: the Host's workspace, then the session, then the permission, and only then the query — so a
 * signed-out caller learns nothing about which parameters are wrong. A refusal is the status and one sentence in the
 * request's language (the person's, else the workspace's, else the browser's), since a browser may show it as the page.
 */
export async function serveDownload<S extends z.ZodType, T>(request: Request, download: Download<S, T>): Promise<Response> {
  const acceptLocale = localeFromAcceptLanguage(request.headers.get('accept-language'))
  let locale: Locale = pickLocale(acceptLocale)
  try {
    const { realm, audit } = await describeRequest()
    if (realm.kind === 'suspended') throw new HttpError(403, 'tenant_suspended', msg('errors.suspended', { name: realm.name }))
    if (realm.kind !== 'tenant') throw notFound('workspace')
    const { tenantId } = realm
    const params = Object.fromEntries(new URL(request.url).searchParams)
    const checked = await withTenantSession({ ...audit, tenantId }, async (tx, caller) => {
      locale = await requestLocale(tx, tenantId, caller, request.headers)
      if (!caller) throw unauthorized()
      if (!caller.permissions.includes(download.permission)) throw forbidden()
      const query: z.output<S> = input(download.query)(params as z.input<S>)
      return { caller, query, begun: await download.begin(tx, tenantId, query, caller) }
    })
    const { caller, query, begun } = checked
    return download.respond({ ...audit, tenantId, userId: caller.user.id, impersonatorId: caller.impersonatorId }, query, begun, locale)
  } catch (error) {
    const refusal = httpErrorFromDatabase(error)
    if (!refusal) throw error
    return refuse(refusal, locale)
  }
}

/** The refusal as plain text: its sentence, or one line per wrong parameter naming it (`_`: the query as a whole). */
function refuse(error: HttpError, locale: Locale): Response {
  const i18n = i18nFor(locale)
  const fields = Object.entries(error.fieldErrors ?? {})
  const text = fields.length
    ? fields.map(([name, reason]) => translateRef(i18n, name === '_' ? reason : msg('errors.download.badParameter', { name, reason }))).join('\n')
    : translateRef(i18n, error.message)
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8', 'content-language': locale, 'cache-control': 'no-store' }
  if (error.retryAfterSeconds) headers['retry-after'] = String(error.retryAfterSeconds)
  return new Response(text, { status: error.status, headers })
}
