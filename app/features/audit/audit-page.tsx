import { Trans } from 'react-i18next'
import { useI18n } from '~/lib/i18n/react'
import { getRouteApi, useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { ChevronRight, Download, RotateCcw, ShieldCheck, SlidersHorizontal, X } from 'lucide-react'
import { type FormEvent, useEffect, useId, useRef, useState } from 'react'
import { toast } from 'sonner'
import { PageHeader } from '~/components/app-shell'
import { Alert, Badge, Button, cx, EmptyState, Field, Select, Skeleton } from '~/components/ui'
import { verifyAuditChain } from './audit.functions'
import { AUDIT_ENTITY_TYPES, type AuditSearch, type ExportFormat } from './audit.schemas'
import { AuditEventDetail } from './event-detail'
import { AuditEventList, LocalTime } from './event-list'
import { AUDIT_ACTIONS } from '~/lib/enums'
import { errorMessage } from '~/lib/errors'

const Route = getRouteApi('/tenant/_app/admin/audit')

/** Local midnight of a calendar day (plus `plusDays`), as an ISO instant with the viewer's offset on that day. */
function localMidnight(day: string, plusDays = 0): string {
  const [y, m, d] = day.split('-').map(Number)
  const date = new Date(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + plusDays)
  const offset = -date.getTimezoneOffset()
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0')
  const ymd = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
  return `${ymd}T00:00:00${offset >= 0 ? '+' : '-'}${pad(offset / 60)}:${pad(offset % 60)}`
}

/** A complete calendar day as a date field reports it (`yyyy-mm-dd`), with a four-digit year. */
function isDay(value: string): boolean {
  return /^[1-9]\d{3}-\d{2}-\d{2}$/.test(value)
}

/** Two complete days where the "To" day comes before the "From" day. */
function outOfOrder(from: string, to: string): boolean {
  return isDay(from) && isDay(to) && to < from
}

/** The calendar day an instant from the URL names, read from its own text (the same on the server and in the browser). */
function dayOf(instant: string | undefined, minusDays = 0): string {
  if (!instant) return ''
  const [y, m, d] = instant.slice(0, 10).split('-').map(Number)
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) - minusDays)).toISOString().slice(0, 10)
}

/** Two views are the same when every parameter that is set is equal (an absent value and `undefined` alike). */
function sameSearch(a: AuditSearch, b: AuditSearch): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof AuditSearch)[])
  return [...keys].every((key) => a[key] === b[key])
}

/** The filter as the server functions and the export take it. */
export function filterOf(search: AuditSearch) {
  return {
    actor: search.actor,
    action: search.action,
    entity: search.entity,
    record: search.record,
    from: search.from,
    to: search.to,
    ip: search.ip?.trim() || undefined,
    requestId: search.requestId?.trim() || undefined,
    impersonated: search.impersonated || undefined,
    related: (search.record && search.related) || undefined,
  }
}

export function AuditLoading() {
  const { t } = useI18n()
  return (
    <div role="status" aria-busy="true" aria-label={t('audit.loading')} className="space-y-3">
      <Skeleton className="h-8 w-48" />
      <Skeleton className="h-24 w-full" />
      {Array.from({ length: 8 }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: static placeholders
        <Skeleton key={i} className="h-12 w-full" />
      ))}
    </div>
  )
}

type ChainReport = Awaited<ReturnType<typeof verifyAuditChain>>

/** The chain check's verdict in the viewer's language, the time of the last sealed event in their time zone. */
function ChainVerdict({ report }: { report: ChainReport }) {
  const { t, tr } = useI18n()
  if (report.status === 'broken' && report.break) {
    return <>{t('auditVerify.broken', { seq: report.break.seq, reason: tr(report.break.reasonRef), through: report.intactThrough })}</>
  }
  if (report.checked === 0 && !report.checkpoint) return <>{t('auditVerify.nothingSealed', { count: report.unsealed })}</>
  return (
    <>
      {report.sealedUpTo ? (
        <Trans i18nKey="auditVerify.intactSealed" values={{ through: report.intactThrough }} components={{ time: <LocalTime iso={report.sealedUpTo} /> }} />
      ) : (
        t('auditVerify.intact', { through: report.intactThrough })
      )}
      {report.unsealed > 0 && ` ${t('auditVerify.pending', { count: report.unsealed })}`}
    </>
  )
}

type ExportState = { format: ExportFormat; received: number; total: number | null; controller: AbortController }

export function AuditPage() {
  const { page, options } = Route.useLoaderData()
  const search = Route.useSearch()
  const navigate = Route.useNavigate()
  const { t, format } = useI18n()
  const verify = useServerFn(verifyAuditChain)
  const typed = () => ({ ip: search.ip ?? '', requestId: search.requestId ?? '', from: dayOf(search.from), to: dayOf(search.to, 1) })
  const [text, setText] = useState(typed)
  const [verifying, setVerifying] = useState(false)
  const [report, setReport] = useState<ChainReport | null>(null)
  const [exporting, setExporting] = useState<ExportState | null>(null)
  const listRef = useRef<HTMLDivElement>(null)

  // Each typed value follows the URL when its own parameter changes (Back, Clear, a shared link), and only then: a
  // navigation that completes while another field is being typed (the "From" day applied, "To" half typed) leaves
  // that field as typed.
  useEffect(() => setText((v) => ({ ...v, ip: search.ip ?? '' })), [search.ip])
  useEffect(() => setText((v) => ({ ...v, requestId: search.requestId ?? '' })), [search.requestId])
  useEffect(() => setText((v) => ({ ...v, from: dayOf(search.from) })), [search.from])
  useEffect(() => setText((v) => ({ ...v, to: dayOf(search.to, 1) })), [search.to])

  const router = useRouter()
  // Back or Forward always shows that entry's filter as typed values, also when it interrupts a navigation that had
  // not finished (Apply, then Back at once): the rendered search never changed then, so the effects above cannot tell.
  useEffect(
    () =>
      router.history.subscribe(({ action }) => {
        if (action.type === 'PUSH' || action.type === 'REPLACE') return
        const s = router.latestLocation.search as AuditSearch
        setText({ ip: s.ip ?? '', requestId: s.requestId ?? '', from: dayOf(s.from), to: dayOf(s.to, 1) })
      }),
    [router],
  )

  /** A new history entry only for a view that differs from this one: Back then returns to the previous distinct filter. */
  const setSearch = (patch: Partial<AuditSearch>) => {
    // From the latest location, not this render's: two quick changes (person, then action) must both be kept.
    const current = router.latestLocation.search as AuditSearch
    const next: AuditSearch = { ...current, ...patch, cursor: 'cursor' in patch ? patch.cursor : undefined, event: 'event' in patch ? patch.event : undefined }
    if (sameSearch(next, current)) return
    void navigate({ search: next })
  }

  const activeFilters = [search.actor, search.action, search.entity, search.record, search.from, search.to, search.ip, search.requestId, search.impersonated].filter(
    Boolean,
  ).length
  const filtered = activeFilters > 0
  // On a phone the form would fill the screen: it folds behind a button that says how many filters are on.
  const [filtersOpen, setFiltersOpen] = useState(false)
  const formId = useId()

  /**
   * The days as typed: a date field reports every keystroke of its year (0002, 0020, 0202, 2026), so a day applies
   * once its year has four digits (as typed or picked), and otherwise when the field is left or the form applied.
   * Typed past the fields' min/max, a "To" day before the "From" day is not applied at all (the server refuses it
   * too): nothing, rather than the days of a render that a pending navigation may already have replaced.
   */
  const typedDays = (): Pick<AuditSearch, 'from' | 'to'> | undefined =>
    outOfOrder(text.from, text.to)
      ? undefined
      : {
          from: text.from === '' ? undefined : isDay(text.from) ? localMidnight(text.from) : search.from,
          to: text.to === '' ? undefined : isDay(text.to) ? localMidnight(text.to, 1) : search.to,
        }
  const applyDays = () => {
    const days = typedDays()
    if (days) setSearch(days)
  }
  const daysError = outOfOrder(text.from, text.to) ? t('validation.toBeforeFrom') : undefined

  function onApply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setSearch({ ip: text.ip.trim() || undefined, requestId: text.requestId.trim() || undefined, ...typedDays() })
  }

  async function onVerify() {
    setVerifying(true)
    try {
      const result = await verify()
      setReport(result)
      if (result.status === 'intact') toast.success(t('audit.intact'))
      else toast.error(t('audit.broken'))
    } catch (e) {
      toast.error(errorMessage(e))
    } finally {
      setVerifying(false)
    }
  }

  async function onExport(format: ExportFormat) {
    const controller = new AbortController()
    setExporting({ format, received: 0, total: null, controller })
    const params = new URLSearchParams({ format })
    for (const [key, value] of Object.entries(filterOf(search))) if (value !== undefined) params.set(key, String(value))
    try {
      const response = await fetch(`/audit-export?${params}`, { signal: controller.signal })
      if (!response.ok || !response.body) throw new Error((await response.text()) || t('audit.exportFailed', { status: response.status }))
      const total = Number(response.headers.get('x-total-count') ?? Number.NaN)
      const reader = response.body.getReader()
      const parts: Uint8Array[] = []
      let received = 0
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        parts.push(value)
        for (const byte of value) if (byte === 10) received += 1
        setExporting({ format, received, total: Number.isFinite(total) ? total : null, controller })
      }
      const blob = new Blob(parts as BlobPart[], { type: format === 'csv' ? 'text/csv' : 'application/x-ndjson' })
      const url = URL.createObjectURL(blob)
      const a = document.createElement('a')
      a.href = url
      a.download = `audit-log-${new Date().toISOString().slice(0, 10)}.${format === 'csv' ? 'csv' : 'ndjson'}`
      document.body.append(a)
      a.click()
      a.remove()
      setTimeout(() => URL.revokeObjectURL(url), 10_000)
      const rows = format === 'csv' ? Math.max(received - 1, 0) : received
      toast.success(t('audit.downloaded', { count: rows }))
    } catch (e) {
      if (controller.signal.aborted) toast.info(t('audit.cancelled'))
      else toast.error(errorMessage(e))
    } finally {
      setExporting(null)
    }
  }

  const { retention } = options
  const actorName = options.actors.find((a) => a.id === search.actor)

  return (
    <>
      <PageHeader
        title={t('nav.audit')}
        description={
          <span className="flex flex-wrap items-center gap-2">
            {t('audit.intro')}
            <span>
              {retention.retentionDays ? t('audit.keptFor', { count: retention.retentionDays }) : t('audit.keptForever')}
              {retention.legalHold && (
                <>
                  {' '}
                  <Badge tone="warning">{t('audit.legalHold')}</Badge>
                </>
              )}
            </span>
          </span>
        }
        actions={
          <>
            <Button variant="secondary" pending={verifying} onClick={onVerify}>
              <ShieldCheck aria-hidden className="size-4" /> {t('audit.verify')}
            </Button>
            <Button variant="secondary" disabled={exporting !== null} onClick={() => onExport('csv')}>
              <Download aria-hidden className="size-4" /> {t('audit.exportCsv')}
            </Button>
            <Button variant="secondary" disabled={exporting !== null} onClick={() => onExport('ndjson')}>
              <Download aria-hidden className="size-4" /> {t('audit.exportNdjson')}
            </Button>
          </>
        }
      />
      {report && (
        <div className="mb-4">
          <Alert tone={report.status === 'intact' ? 'success' : 'error'}>
            <ChainVerdict report={report} />
            {report.checkpoint && ` ${t('audit.checkpoint', { through: report.checkpoint.seq, seq: report.checkpoint.seq + 1 })}`}
            {report.headHash && <span className="mt-1 block break-all font-mono text-xs">{t('audit.latestHash', { hash: report.headHash })}</span>}
          </Alert>
        </div>
      )}
      {exporting && (
        <div className="mb-4 flex items-center gap-3 rounded-xl bg-white p-4 ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800">
          <div className="flex-1">
            <p className="text-sm">
              {exporting.total !== null
                ? t('audit.exportingOf', {
                    format: exporting.format.toUpperCase(),
                    received: format.number.format(exporting.received),
                    total: format.number.format(exporting.total),
                  })
                : t('audit.exporting', { format: exporting.format.toUpperCase(), received: format.number.format(exporting.received) })}
            </p>
            <progress
              className="mt-1 h-2 w-full"
              aria-label={t('audit.progress')}
              max={exporting.total ?? undefined}
              value={exporting.total !== null ? Math.min(exporting.received, exporting.total) : undefined}
            />
          </div>
          <Button variant="secondary" onClick={() => exporting.controller.abort()}>
            {t('common.cancel')}
          </Button>
        </div>
      )}
      <Button
        variant="secondary"
        className="mb-3 sm:hidden"
        aria-expanded={filtersOpen}
        aria-controls={formId}
        onClick={() => setFiltersOpen((open) => !open)}
      >
        <SlidersHorizontal aria-hidden className="size-4" /> {filtered ? t('audit.filtersActive', { n: activeFilters }) : t('audit.showFilters')}
      </Button>
      <form
        id={formId}
        onSubmit={onApply}
        aria-label={t('audit.filters')}
        className={cx(
          'mb-4 gap-3 rounded-xl bg-white p-4 ring-1 ring-slate-200 sm:grid sm:grid-cols-2 lg:grid-cols-4 dark:bg-slate-900 dark:ring-slate-800',
          filtersOpen ? 'grid' : 'hidden',
        )}
      >
        <Select label={t('audit.person')} value={search.actor ?? ''} onChange={(e) => setSearch({ actor: e.target.value || undefined })}>
          <option value="">{t('audit.anyone')}</option>
          {search.actor && !actorName && <option value={search.actor}>{t('audit.noLongerListed')}</option>}
          {options.actors.map((a) => (
            <option key={a.id} value={a.id}>
              {a.deleted ? t('audit.deletedSuffix', { name: a.name, email: a.email }) : `${a.name} (${a.email})`}
            </option>
          ))}
        </Select>
        <Select label={t('audit.action')} value={search.action ?? ''} onChange={(e) => setSearch({ action: (e.target.value || undefined) as AuditSearch['action'] })}>
          <option value="">{t('audit.anyAction')}</option>
          {AUDIT_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {t(`auditActions.${a}`)}
            </option>
          ))}
        </Select>
        <Select label={t('audit.kind')} value={search.entity ?? ''} onChange={(e) => setSearch({ entity: (e.target.value || undefined) as AuditSearch['entity'] })}>
          <option value="">{t('audit.anyKind')}</option>
          {AUDIT_ENTITY_TYPES.map((type) => (
            <option key={type} value={type}>
              {t(`auditEntities.${type}`)}
            </option>
          ))}
        </Select>
        <label className="flex items-end gap-2 pb-2 text-sm">
          <input type="checkbox" checked={search.impersonated ?? false} onChange={(e) => setSearch({ impersonated: e.target.checked || undefined })} />
          {t('audit.impersonatedOnly')}
        </label>
        <Field
          label={t('audit.from')}
          type="date"
          value={text.from}
          max={text.to || undefined}
          onChange={(e) => {
            const day = e.target.value
            setText((v) => ({ ...v, from: day }))
            if ((day === '' || isDay(day)) && !outOfOrder(day, text.to)) setSearch({ from: day ? localMidnight(day) : undefined })
          }}
          onBlur={applyDays}
        />
        <Field
          label={t('audit.to')}
          type="date"
          value={text.to}
          min={text.from || undefined}
          error={daysError}
          onChange={(e) => {
            const day = e.target.value
            setText((v) => ({ ...v, to: day }))
            if ((day === '' || isDay(day)) && !outOfOrder(text.from, day)) setSearch({ to: day ? localMidnight(day, 1) : undefined })
          }}
          onBlur={applyDays}
        />
        <Field
          label={t('audit.ip')}
          name="ip"
          maxLength={64}
          value={text.ip}
          onChange={(e) => setText((v) => ({ ...v, ip: e.target.value }))}
          placeholder="203.0.113.7"
        />
        <Field
          label={t('audit.requestId')}
          name="requestId"
          maxLength={64}
          value={text.requestId}
          onChange={(e) => setText((v) => ({ ...v, requestId: e.target.value }))}
        />
        <div className="flex items-end gap-2 lg:col-span-4">
          <Button type="submit" variant="secondary">
            {t('audit.apply')}
          </Button>
          {filtered && (
            <Button type="button" variant="ghost" onClick={() => navigate({ search: {} })}>
              <X aria-hidden className="size-4" /> {t('audit.clear')}
            </Button>
          )}
          {search.record && (
            <span className="ml-2 flex items-center gap-1 text-sm">
              <Badge tone="info">{search.related ? t('audit.oneRecordLinks') : t('audit.oneRecord')}</Badge>
              <button type="button" className="text-indigo-700 hover:underline dark:text-indigo-300" onClick={() => setSearch({ record: undefined, related: undefined })}>
                {t('audit.showAll')}
              </button>
            </span>
          )}
        </div>
      </form>

      {page.items.length === 0 ? (
        <EmptyState
          title={search.cursor ? t('audit.noOlder') : filtered ? t('audit.noMatch') : t('audit.nothingYet')}
          action={
            filtered || search.cursor ? (
              <Button variant="secondary" onClick={() => navigate({ search: {} })}>
                {search.cursor ? t('audit.backToNewest') : t('audit.clear')}
              </Button>
            ) : undefined
          }
        >
          {filtered ? t('audit.wider') : t('audit.appearHere')}
        </EmptyState>
      ) : (
        <div ref={listRef} className="overflow-hidden rounded-xl bg-white ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800">
          <AuditEventList items={page.items} onOpen={(id) => setSearch({ event: id, cursor: search.cursor })} />
          <nav aria-label={t('users.pages')} className="flex items-center justify-between border-t border-slate-200 px-4 py-3 dark:border-slate-800">
            <p className="text-sm text-slate-600 dark:text-slate-400">{t('auditPage.onPage', { count: page.items.length })}</p>
            <div className="flex gap-2">
              {search.cursor && (
                <Button variant="secondary" onClick={() => setSearch({ cursor: undefined })}>
                  <RotateCcw aria-hidden className="size-4" /> {t('audit.newest')}
                </Button>
              )}
              {page.nextCursor && (
                <Route.Link
                  search={(prev) => ({ ...prev, cursor: page.nextCursor ?? undefined, event: undefined })}
                  className="inline-flex items-center gap-1 rounded-md px-3.5 py-2 text-sm font-semibold ring-1 ring-inset ring-slate-300 hover:bg-slate-50 dark:ring-slate-600 dark:hover:bg-slate-800"
                >
                  {t('audit.older')} <ChevronRight
 aria-hidden className="size-4" />
                </Route.Link>
              )}
            </div>
          </nav>
        </div>
      )}
      <AuditEventDetail id={search.event ?? null} onClose={() => setSearch({ event: undefined, cursor: search.cursor })} />
    </>
  )
}
