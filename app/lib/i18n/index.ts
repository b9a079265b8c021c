import { createInstance, type i18n, type ParseKeys, type TFunction } from 'i18next'
import { de } from './de'
import { en } from './en'

/**
 * The languages Haven ships, complete (tests/integration/i18n-messages.test.ts). A stored preference for any
 * other code is ignored and the next source decides: the workspace default, then Accept-Language, then English.
 */
export const LOCALES = ['en', 'de'] as const
export type Locale = (typeof LOCALES)[number]
export const DEFAULT_LOCALE: Locale = 'en'
export const LANGUAGE_NAMES: Record<Locale, string> = { en: 'English', de: 'Deutsch' }
export const MESSAGES = { en, de } as const

export type MessageKey = ParseKeys
export type MessageParams = Record<string, string | number>

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value)
}

/** The first candidate that is a shipped locale, else English. */
export function pickLocale(...candidates: unknown[]): Locale {
  return candidates.find(isLocale) ?? DEFAULT_LOCALE
}

/** The best shipped locale for an Accept-Language header (q-values honoured, region ignored), or undefined. */
export function localeFromAcceptLanguage(header: string | null | undefined): Locale | undefined {
  if (!header) return undefined
  const ranked = header
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';')
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
      return { lang: tag.trim().toLowerCase().split('-')[0] ?? '', q: q ? Number(q.slice(2)) || 0 : 1, index }
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
  return ranked.map((r) => r.lang).find(isLocale)
}

const instances = new Map<Locale, i18n>()

/**
 * One i18next instance per locale, initialised synchronously with bundled messages and never switched: concurrent
 * server renders in different languages each take their own, and switching language on the client is handing
 * React another instance.
 */
export function i18nFor(locale: Locale): i18n {
  let instance = instances.get(locale)
  if (!instance) {
    instance = createInstance()
    void instance.init({
      lng: locale,
      fallbackLng: false,
      resources: { [locale]: { translation: MESSAGES[locale] } },
      initAsync: false,
      nsSeparator: false,
      interpolation: { escapeValue: false },
      returnNull: false,
    })
    instances.set(locale, instance)
  }
  return instance
}

export const tFor = (locale: Locale): TFunction => i18nFor(locale).t

/**
 * A message that crosses from the server (or a zod schema) to the screen travels as a reference: its key, and its
 * parameters after a `|`. The screen translates it in the language it shows; text that is no reference (a
 * library's own message) passes through unchanged.
 */
export function msg(key: MessageKey, params?: MessageParams): string {
  return params ? `${key}|${JSON.stringify(params)}` : key
}

/** A key's last part may hold a colon: permission descriptions are keyed by the permission (`permissions.audit:read`). */
const REF = /^([a-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*(?:\.[A-Za-z0-9_:]+))(?:\|(\{.*\}))?$/s

export function translateRef(i18n: i18n, text: string): string {
  const match = REF.exec(text)
  if (!match) return text
  const [, key = '', json] = match
  let params: MessageParams = {}
  if (json) {
    try {
      params = JSON.parse(json) as MessageParams
    } catch {
      return text
    }
  }
  if (!i18n.exists(key, params)) return text
  // A parameter may itself be a reference (a reason inside a sentence).
  for (const [name, value] of Object.entries(params)) if (typeof value === 'string') params[name] = translateRef(i18n, value)
  return (i18n.t as (k: string, p: MessageParams) => string)(key, params)
}

/** The language the client shows now, for messages built outside React (toasts from event handlers). */
let activeLocale: Locale = DEFAULT_LOCALE
export function setActiveLocale(locale: Locale) {
  activeLocale = locale
}
export const activeLocaleNow = () => activeLocale
export const tr = (text: string) => translateRef(i18nFor(activeLocale), text)
