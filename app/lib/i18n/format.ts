import type { Locale } from './index'

export type Formats = {
  date: Intl.DateTimeFormat
  dateTime: Intl.DateTimeFormat
  dateTimeLong: Intl.DateTimeFormat
  number: Intl.NumberFormat
  relative: Intl.RelativeTimeFormat
  list: Intl.ListFormat
}

const cache = new Map<Locale, Formats>()

/** Dates, times and numbers in the active language, through Intl (one set of formatters per locale). */
export function formatsFor(locale: Locale): Formats {
  let f = cache.get(locale)
  if (!f) {
    f = {
      date: new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }),
      dateTime: new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }),
      dateTimeLong: new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'long' }),
      number: new Intl.NumberFormat(locale),
      relative: new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }),
      list: new Intl.ListFormat(locale, { type: 'conjunction' }),
    }
    cache.set(locale, f)
  }
  return f
}
