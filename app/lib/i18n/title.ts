import { type MessageKey, type MessageParams, pickLocale, tFor } from './index'

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
