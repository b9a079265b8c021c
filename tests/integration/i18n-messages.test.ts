/**
 * English and German are shipped complete: the same keys, no empty message, the same parameters and tags in both,
 * plural forms for every language's categories; and the request locale falls back as it should.
 */
import { describe, expect, it } from 'vitest'
import { de } from '~/lib/i18n/de'
import { en } from '~/lib/i18n/en'
import { i18nFor, LOCALES, localeFromAcceptLanguage, MESSAGES, msg, pickLocale, translateRef } from '~/lib/i18n'
import { crossSite, guardBody, misdirected } from '~/server/request-guards.server'

type Tree = { [key: string]: string | Tree }

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (typeof value === 'string') out.set(path, value)
    else for (const [k, v] of flatten(value, path)) out.set(k, v)
  }
  return out
}

/** `{{name}}` parameters and `<tag>` components of a message, sorted. */
const placeholders = (message: string) =>
  [...message.matchAll(/\{\{\s*([\w.]+)\s*(?:,[^}]*)?\}\}|<\/?(\w+)>/g)].map((m) => (m[1] ? `{{${m[1]}}}` : `<${m[2]}>`)).sort()

/** Keys with their plural suffix removed: `x_one` and `x_other` are one message. */
const base = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, '')

describe('messages', () => {
  const english = flatten(en)
  const german = flatten(de as Tree)

  it('has the same keys in English and German', () => {
    expect([...german.keys()].filter((k) => !english.has(k))).toEqual([])
    expect([...english.keys()].filter((k) => !german.has(k))).toEqual([])
    expect(english.size).toBeGreaterThan(100)
  })

  it('has no empty message in either language', () => {
    for (const [locale, messages] of [['en', english], ['de', german]] as const) {
      const empty = [...messages].filter(([, v]) => v.trim() === '').map(([k]) => `${locale}:${k}`)
      expect(empty).toEqual([])
    }
  })

  it('uses the same parameters and tags in both languages', () => {
    const differ = [...english]
      .filter(([key, message]) => JSON.stringify(placeholders(message)) !== JSON.stringify(placeholders(german.get(key) ?? '')))
      .map(([key]) => key)
    expect(differ).toEqual([])
  })

  it('gives every plural message the forms each language needs', () => {
    const pluralBases = new Set([...english.keys()].filter((k) => k !== base(k)).map(base))
    for (const locale of LOCALES) {
      const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories
      const messages = flatten(MESSAGES[locale] as Tree)
      for (const key of pluralBases) for (const c of categories) expect(messages.has(`${key}_${c}`), `${locale}: ${key}_${c}`).toBe(true)
    }
  })

  it('translates a message reference with its parameters, and passes other text through', () => {
    const ref = msg('validation.maxChars', { max: 100 })
    expect(translateRef(i18nFor('en'), ref)).toBe('Use at most 100 characters')
    expect(translateRef(i18nFor('de'), ref)).toBe('Verwenden Sie höchstens 100 Zeichen')
    expect(translateRef(i18nFor('de'), msg('errors.tooManySignIns', { count: 1 }))).toContain('1 Minute ')
    expect(translateRef(i18nFor('de'), 'Plain text from a library.')).toBe('Plain text from a library.')
    expect(translateRef(i18nFor('de'), 'no.such.key')).toBe('no.such.key')
  })
})

describe('refusals before a server function runs', () => {
  const url = 'http://acme.localhost:3000/_serverFn/teams.createOrganization'
  const post = (body: string, headers: Record<string, string> = {}) =>
    new Request(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } })

  it('answer with message references that both languages translate', async () => {
    const refusals = [
      misdirected(new Request(url, { headers: { host: 'globex.localhost:3000' } })),
      await guardBody(post('{}', { 'content-length': 'many' })),
      await guardBody(post('a=b', { 'content-type': 'application/x-www-form-urlencoded' })),
      await guardBody(post('{"t":')),
      await guardBody(post('x'.repeat(2048)), 1024),
      await guardBody(post('x'.repeat(3 * 1024 * 1024)), 1.5 * 1024 * 1024),
      crossSite(post('{}')),
    ]
    const texts = await Promise.all(refusals.map((r) => r?.text() ?? ''))
    expect(refusals.map((r) => r?.status)).toEqual([421, 400, 415, 400, 413, 413, 403])
    for (const text of texts) {
      const [english, german] = [translateRef(i18nFor('en'), text), translateRef(i18nFor('de'), text)]
      expect(text, text).toMatch(/^errors\.request\./)
      expect(english, text).not.toBe(text)
      expect(german, text).not.toBe(english)
    }
    expect(translateRef(i18nFor('en'), texts[4] ?? '')).toContain('the limit is 1 KB')
    expect(translateRef(i18nFor('de'), texts[5] ?? '')).toContain('höchstens 1,5 MB')
  })

  it('to a page or a download (no client to translate them) are sentences in the browser\'s language', async () => {
    const download = (headers: Record<string, string>) => new Request('http://acme.localhost:3000/audit-export?format=csv', { headers })
    const german = misdirected(download({ host: 'globex.localhost:3000', 'accept-language': 'de-DE,de;q=0.9' }))
    expect(german?.status).toBe(421)
    expect(german?.headers.get('content-language')).toBe('de')
    expect(await german?.text()).toBe(translateRef(i18nFor('de'), msg('errors.request.twoHosts')))
    const english = crossSite(new Request('http://acme.localhost:3000/admin/users', { method: 'POST', body: 'x' }))
    expect(await english.text()).toBe('This request came from another site, so it was refused. Reload the page and try again.')
  })
})

describe('the request locale', () => {
  it('takes the first shipped locale: person, workspace, browser, English', () => {
    expect(pickLocale('de', 'en')).toBe('de')
    expect(pickLocale(undefined, 'de', 'en')).toBe('de')
    expect(pickLocale('fr', null, 'de')).toBe('de')
    expect(pickLocale(undefined, null)).toBe('en')
  })

  it('reads Accept-Language by quality, ignoring regions and languages Haven does not ship', () => {
    expect(localeFromAcceptLanguage('de-CH,de;q=0.9,en;q=0.8')).toBe('de')
    expect(localeFromAcceptLanguage('fr-FR,fr;q=0.9,de;q=0.5,en;q=0.7')).toBe('en')
    expect(localeFromAcceptLanguage('en;q=0.1, de')).toBe('de')
    expect(localeFromAcceptLanguage('fr, es')).toBeUndefined()
    expect(localeFromAcceptLanguage('')).toBeUndefined()
  })
})
