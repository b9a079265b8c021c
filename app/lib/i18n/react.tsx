import type { ReactNode } from 'react'
import { I18nextProvider, useTranslation } from 'react-i18next'
import { formatsFor } from './format'
import { i18nFor, type Locale, setActiveLocale, translateRef } from './index'

/** Everything below renders in `locale`; changing it re-renders the whole tree in the new language at once. */
export function LocaleProvider({ locale, children }: { locale: Locale; children: ReactNode }) {
  if (typeof window !== 'undefined') setActiveLocale(locale)
  return <I18nextProvider i18n={i18nFor(locale)}>{children}</I18nextProvider>
}

/** `t` for keys, `tr` for a message reference from the server or a schema, `locale` and Intl formatters. */
export function useI18n() {
  const { t, i18n } = useTranslation()
  const locale = i18n.language as Locale
  return { t, tr: (text: string) => translateRef(i18n, text), locale, format: formatsFor(locale) }
}
