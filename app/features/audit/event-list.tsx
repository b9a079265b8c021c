import type { Formats } from '~/lib/i18n/format'
import { useI18n } from '~/lib/i18n/react'
import { Link } from '@tanstack/react-router'
import { useEffect, useState } from 'react'
import { Badge } from '~/components/ui'
import type { AuditEventView } from './audit.server'
import { entityLink, type Json, type Names, REDACTED } from './describe'

function relative(date: Date, now: number, format: Formats, justNow: string): string {
  const seconds = Math.round((date.getTime() - now) / 1000)
  const abs = Math.abs(seconds)
  const f = format.relative
  if (abs < 45) return justNow
  if (abs < 3600) return f.format(Math.round(seconds / 60), 'minute')
  if (abs < 86_400) return f.format(Math.round(seconds / 3600), 'hour')
  if (abs < 30 * 86_400) return f.format(Math.round(seconds / 86_400), 'day')
  return format.date.format(date)
}

/** The instant in UTC to the minute: what the server and the browser's first render agree on. */
const utcMinute = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`

/**
 * A time relative to now, with the exact time (in the viewer's time zone) on hover. The server does not know
 * the viewer's zone, so the first render shows the UTC time and the browser replaces it once it runs.
 */
export function When({ iso }: { iso: string }) {
  const [now, setNow] = useState<number | null>(null)
  const { t, format } = useI18n()
  useEffect(() => {
    setNow(Date.now())
    const timer = setInterval(() => setNow(Date.now()), 60_000)
    return () => clearInterval(timer)
  }, [])
  const date = new Date(iso)
  return (
    <time dateTime={iso} title={now === null ? utcMinute(date) : format.dateTimeLong.format(date)} className="whitespace-nowrap">
      {now === null ? utcMinute(date) : relative(date, now, format, t('events.justNow'))}
    </time>
  )
}

/**
 * An exact time in the viewer's language and time zone, the zone named on hover. Like `When`, the server's render
 * and the first one in the browser show UTC, so hydration matches; the browser's zone follows at once.
 */
export function LocalTime({ iso }: { iso: string }) {
  const [zone, setZone] = useState<string | null>(null)
  const { format } = useI18n()
  useEffect(() => setZone(Intl.DateTimeFormat().resolvedOptions().timeZone), [])
  const date = new Date(iso)
  return (
    <time dateTime={date.toISOString()} title={zone ?? 'UTC'}>
      {zone === null ? utcMinute(date) : format.dateTimeLong.format(date)}
    </time>
  )
}

/** A timestamp as PostgreSQL's to_jsonb writes it, and an id. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}(:\d{2})?)$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * A stored value as a person reads it: names for ids, local times for timestamps, secrets hidden, no raw ids, and
 * `words` (`valueWords`: yes or no, a sign-in method, a status… in the screen's language) when it has them.
 */
export function Value({ value, secret = false, names, words }: { value: Json | undefined; secret?: boolean; names?: Names; words?: string }) {
  const { t, tr } = useI18n()
  if (secret || value === REDACTED) return <>{t('auditValues.secret')}</>
  if (words) return <>{tr(words)}</>
  if (value === undefined) return <>{t('auditValues.none')}</>
  if (value === null || value === '' || (typeof value === 'object' && Object.keys(value).length === 0)) return <>{t('auditValues.empty')}</>
  if (typeof value === 'string') {
    const named = names?.[value]
    if (named) return <>{tr(named.name)}</>
    if (INSTANT.test(value)) return <LocalTime iso={value} />
    if (UUID.test(value)) return <span title={value}>{t('auditValues.unknownRecord')}</span>
  }
  return <>{typeof value === 'object' ? JSON.stringify(value) : String(value)}</>
}

/**
 * A person's email beside their name, as both were at the time of the event: a member who renames themselves after
 * the owner is still told apart by it.
 */
function Email({ email }: { email?: string | null }) {
  if (!email) return null
  return <span className="break-all font-normal text-slate-500 dark:text-slate-400"> ({email})</span>
}

/** "Adam Admin (admin@acme.test)", or "Root Operator (console) (root@…) as Mia Member (mia@…)" when impersonated. */
export function Who({ event }: { event: Pick<AuditEventView, 'actor' | 'impersonator'> }) {
  const { t, tr } = useI18n()
  const actor = event.actor ? (
    <span>
      {tr(event.actor.name)}
      <Email email={event.actor.email} />
      {event.actor.deleted || event.actor.gone ? <span className="text-slate-500 dark:text-slate-400"> {t('events.deleted')}</span> : null}
    </span>
  ) : (
    <span className="text-slate-500 dark:text-slate-400">{t('events.system')}</span>
  )
  if (!event.impersonator) return actor
  return (
    <span>
      <span>
        {tr(event.impersonator.name)}
        <Email email={event.impersonator.email} />
      </span>{' '}
      <span className="text-slate-500 dark:text-slate-400">{t('events.as')}</span> {actor}
    </span>
  )
}

/** What happened, with the record linked when it still has a page; the link's text names it. */
export function What({ event }: { event: AuditEventView }) {
  const link = event.entityExists ? entityLink(event.tableName, event.recordId) : undefined
  const { t, tr } = useI18n()
  return (
    <span>
      {tr(event.summary)}
      {link && (
        <>
          {' · '}
          <Link
            to={link.to}
            params={link.params}
            search={link.search}
            // Underlined: a link inside a sentence must not be told apart by colour alone.
            className="text-indigo-700 underline underline-offset-2 hover:no-underline dark:text-indigo-300"
          >
            {t('events.open', { name: event.entityName ? tr(event.entityName) : t('events.theRecord') })}
          </Link>
        </>
      )}
    </span>
  )
}

/** The changed fields of an update, in one line each. */
export function ChangeList({ event }: { event: AuditEventView }) {
  const { t, tr } = useI18n()
  if (event.changes.length === 0) return null
  return (
    <ul className="mt-1 space-y-0.5 text-slate-600 dark:text-slate-400">
      {event.changes.slice(0, 6).map((c) => (
        <li key={c.path}>
          <span className="font-medium">{tr(c.label)}</span>:{' '}
          <span className="line-through decoration-slate-400">
            <Value value={c.from} secret={c.secret} names={event.names} words={c.fromWords} />
          </span>{' '}
          → <Value value={c.to} secret={c.secret} names={event.names} words={c.toWords} />
        </li>
      ))}
      {event.changes.length > 6 && <li>{t('events.more', { count: event.changes.length - 6 })}</li>}
    </ul>
  )
}

/** "Root Operator (console) as Mia Member changed name of team Web", flagged when impersonated. */
export function Sentence({ event }: { event: AuditEventView }) {
  const { t } = useI18n()
  return (
    <>
      <span className="font-medium">
        <Who event={event} />
      </span>{' '}
      <What event={event} />
      {event.impersonator && (
        <>
          {' '}
          <Badge tone="warning">{t('events.impersonated')}</Badge>
        </>
      )}
    </>
  )
}

/**
 * The events of a page or a record's history: one row per event, newest first. `onOpen` shows an event's
 * detail; `compact` leaves out the record column (a History tab is about one record).
 */
export function AuditEventList({ items, onOpen, compact = false }: { items: AuditEventView[]; onOpen?: (id: string) => void; compact?: boolean }) {
  const { t, tr } = useI18n()
  return (
    <ol className="divide-y divide-slate-100 dark:divide-slate-800" aria-label={t('events.label')}>
      {items.map((e) => (
        <li key={e.id} className="flex flex-col gap-1 px-4 py-3 text-sm sm:flex-row sm:items-start sm:gap-4">
          <div className="w-32 shrink-0 text-slate-600 dark:text-slate-400">
            <When iso={e.createdAt} />
          </div>
          <div className="min-w-0 flex-1">
            <p>
              <Sentence event={e} />
            </p>
            {(compact || e.action === 'UPDATE') && <ChangeList event={e} />}
          </div>
          {onOpen && (
            <button
              type="button"
              onClick={() => onOpen(e.id)}
              className="shrink-0 self-start rounded px-2 py-1 text-indigo-700 hover:bg-indigo-50 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-indigo-300 dark:hover:bg-slate-800"
              aria-label={t('events.detailsOf', { summary: tr(e.summary) })}
            >
              {t('events.details')}

            </button>
          )}
        </li>
      ))}
    </ol>
  )
}
