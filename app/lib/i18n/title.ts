import { isNetworkError } from '../errors'
import { isForbiddenNotFound } from '../guards'
import { isLocale, type MessageKey, type MessageParams, pickLocale, tFor } from './index'

/** A route's `head()`: the page's name in the request's language, then the product. */
export function pageTitle(context: { locale?: unknown } | undefined, key: MessageKey, params?: MessageParams, extra?: string) {
  const t = tFor(pickLocale(context?.locale))
  const title = String(t(key, params ?? {}))
  return { meta: [{ title: t('common.titleSuffix', { title: extra ? `${extra} — ${title}` : title }) }] }
}

/** A title made of data (a person's or team's name), with the product after it. */
export function dataTitle(context: { locale?: unknown } | undefined, name: string) {
  return { meta: [{ title: tFor(pickLocale(context?.locale))('common.titleSuffix', { title: name }) }] }
}

/** A console page's `head()`: its name (a message key, or a name from data), then the console. */
export function consoleTitle(context: { locale?: unknown } | undefined, page: { key: MessageKey } | { name: string }) {
  const t = tFor(pickLocale(context?.locale))
  const title = 'key' in page ? String(t(page.key, {})) : page.name
  return { meta: [{ title: t('console.titleSuffix', { title }) }] }
}

type HeadMatch = { status: string; error?: unknown; globalNotFound?: boolean; _notFound?: boolean; context?: unknown }

/**
 * The title of the status page a render ends in — a missing page or workspace, a suspended one, a page the person may
 * not see, a failure — in the page's language, or undefined when the page renders normally. The root's head() uses
 * it, so the HTML the server sends names the page before any script runs; the choice mirrors the not-found and error
 * components (routes/__root.tsx, tenant/route.tsx, tenant/_app/route.tsx, components/errors.tsx).
 */
export function statusPageTitle(matches: readonly HeadMatch[]): string | undefined {
  const ended = matches.find((m) => m.status === 'notFound' || m.status === 'error' || m._notFound || m.globalNotFound)
  if (!ended) return undefined
  const contexts = matches.map((m) => (m.context ?? {}) as { locale?: unknown; realm?: { kind?: string } })
  const t = tFor(pickLocale(contexts.findLast((c) => isLocale(c.locale))?.locale))
  const error = ended.error as { status?: unknown; data?: unknown } | undefined
  const realm = contexts[0]?.realm?.kind
  const key: MessageKey =
    ended.status === 'error'
      ? error?.status === 403
        ? 'status.forbiddenTitle'
        : error?.status === 404
          ? 'status.notFoundTitle'
          : isNetworkError(error)
            ? 'status.offlineTitle'
            : 'status.errorTitle'
      : realm === 'suspended'
        ? 'status.suspendedTitle'
        : realm === 'unknown'
          ? 'status.noWorkspaceTitle'
          : isForbiddenNotFound(error?.data)
            ? 'status.forbiddenTitle'
            : 'status.notFoundTitle'
  return t('common.titleSuffix', { title: String(t(key, {})) })
}
