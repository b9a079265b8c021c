import { getRouteApi, Link, useNavigate, useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { type FormEvent, useEffect, useState } from 'react'
import { toast } from 'sonner'
import { PageHeader } from '~/components/app-shell'
import { Alert, Badge, Button, Card, EmptyState, Field, Select, Skeleton } from '~/components/ui'
import { Trans } from 'react-i18next'
import { LANGUAGE_NAMES, isLocale } from '~/lib/i18n'
import { useI18n } from '~/lib/i18n/react'
import { ActivityChart, AuditList, FormDialog, formatDate, useStepUp } from './console-ui'
import {
  deleteTenant,
  listTenantAudit,
  listTenantPeople,
  purgeTenant,
  reactivateTenant,
  restoreTenant,
  suspendTenant,
} from './console.functions'
import { DELETE_GRACE_DAYS, IMPERSONATION_MINUTES } from './console.schemas'
import { startImpersonation } from './impersonation.functions'
import { errorMessage } from '~/lib/errors'
import { TenantStatus } from './tenants-page'
import { TableScroller } from '~/components/ui/table-scroller'

const Route = getRouteApi('/console/_app/tenants/$tenantId')

type Dialog = 'suspend' | 'delete' | 'purge' | null

export function TenantPage() {
  const { tenant, activity } = Route.useLoaderData()
  const { q: initialQuery } = Route.useSearch()
  const router = useRouter()
  const navigate = useNavigate()
  const { guard, dialog: stepUpDialog } = useStepUp()
  const [open, setOpen] = useState<Dialog>(null)
  const doSuspend = useServerFn(suspendTenant)
  const doReactivate = useServerFn(reactivateTenant)
  const doDelete = useServerFn(deleteTenant)
  const doRestore = useServerFn(restoreTenant)
  const doPurge = useServerFn(purgeTenant)
  const { t, format } = useI18n()
  const theme = tenant.settings.defaultTheme
  const language = tenant.settings.defaultLanguage

  async function simple(action: () => Promise<unknown>, message: string) {
    try {
      await action()
      toast.success(message)
      await router.invalidate()
    } catch (e) {
      toast.error(errorMessage(e))
    }
  }

  return (
    <>
      <PageHeader
        title={tenant.name}
        description={
          <>
            <span className="font-mono">{tenant.slug}</span> · {t('console.tenant.summary', { plan: tenant.plan, date: formatDate(tenant.createdAt, format.date) })}{' '}
            <TenantStatus isActive={tenant.isActive} isDeleted={tenant.isDeleted} />
          </>
        }
        actions={
          <div className="flex flex-wrap gap-2">
            {!tenant.isDeleted && tenant.isActive && (
              <Button variant="secondary" onClick={() => setOpen('suspend')}>
                {t('console.tenant.suspend')}
              </Button>
            )}
            {!tenant.isDeleted && !tenant.isActive && (
              <Button variant="secondary" onClick={() => simple(() => doReactivate({ data: { id: tenant.id } }), t('console.tenant.activeAgain', { name: tenant.name }))}>
                {t('console.tenant.reactivate')}
              </Button>
            )}
            {!tenant.isDeleted && (
              <Button variant="danger" onClick={() => setOpen('delete')}>
                {t('console.tenant.delete')}
              </Button>
            )}
            {tenant.isDeleted && (
              <>
                <Button variant="secondary" onClick={() => simple(() => doRestore({ data: { id: tenant.id } }), t('console.tenant.restored', { name: tenant.name }))}>
                  {t('console.tenant.restore')}
                </Button>
                <Button variant="danger" onClick={() => setOpen('purge')}>
                  {t('console.tenant.purge')}
                </Button>
              </>
            )}
          </div>
        }
      />
      <div className="space-y-6">
        {tenant.suspendedAt && (
          <Alert tone="info">
            {t('console.tenant.suspendedSince', { time: formatDate(tenant.suspendedAt, format.dateTime), reason: tenant.suspensionReason })}
          </Alert>
        )}
        {tenant.deletedAt && (
          <Alert>
            {t('console.tenant.deletedNote', { time: formatDate(tenant.deletedAt, format.dateTime), date: formatDate(tenant.purgeableFrom, format.date) })}
          </Alert>
        )}
        <dl className="grid grid-cols-2 gap-4 sm:grid-cols-5">
          {[
            [t('console.tenant.figures.people'), tenant.figures.people],
            [t('console.tenant.figures.active30'), tenant.figures.active30],
            [t('console.tenant.figures.categories'), tenant.figures.categories],
            [t('console.tenant.figures.roles'), tenant.figures.roles],
            [t('console.tenant.figures.events30'), tenant.figures.events30],
          ].map(([label, value]) => (
            <div key={label} className="rounded-xl border border-slate-200 p-3 dark:border-slate-800">
              <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
              <dd className="text-xl font-semibold tabular-nums">{format.number.format(Number(value))}</dd>
            </div>
          ))}
        </dl>
        <Card>
          <ActivityChart data={activity} label={t('console.tenant.activityOf', { name: tenant.name })} />
        </Card>
        <Card>
          <h2 className="mb-3 text-base font-semibold">{t('console.tenant.settings')}</h2>
          <dl className="grid gap-2 text-sm sm:grid-cols-3">
            <div>
              <dt className="text-slate-500 dark:text-slate-400">{t('console.tenant.allowImpersonation')}</dt>
              <dd>{tenant.settings.allowImpersonation ? <Badge tone="success">{t('console.tenant.allowed')}</Badge> : <Badge>{t('console.tenant.notAllowed')}</Badge>}</dd>
            </div>
            <div>
              <dt className="text-slate-500 dark:text-slate-400">{t('console.tenant.defaultTheme')}</dt>
              <dd>{theme === 'light' || theme === 'dark' || theme === 'system' ? t(`profile.themes.${theme}`) : theme}</dd>
            </div>
            <div>
              <dt className="text-slate-500 dark:text-slate-400">{t('console.tenant.defaultLanguage')}</dt>
              <dd>{isLocale(language) ? LANGUAGE_NAMES[language] : t('console.tenant.browserLanguage')}</dd>
            </div>
          </dl>
        </Card>
        <People
          key={initialQuery ?? ''}
          initialQuery={initialQuery ?? ''}
          tenantId={tenant.id} tenantName={tenant.name} canImpersonate={tenant.settings.allowImpersonation && tenant.isActive && !tenant.isDeleted} guard={guard} />
        <TenantAudit tenantId={tenant.id} />
      </div>
      <FormDialog
        open={open === 'suspend'}
        title={t('console.tenant.suspendTitle', { name: tenant.name })}
        description={t('console.tenant.suspendDescription')}
        submitLabel={t('console.tenant.suspend')}
        tone="danger"
        onClose={() => setOpen(null)}
        onSubmit={async (values) => {
          await guard(() => doSuspend({ data: { id: tenant.id, reason: values.reason ?? '' } }).then(() => undefined))
          setOpen(null)
          toast.success(t('console.tenant.suspended', { name: tenant.name }))
          await router.invalidate()
        }}
      >
        {(errors) => <Field label={t('console.tenant.reason')} name="reason" required autoFocus error={errors.reason} hint={t('console.tenant.reasonHint')} />}
      </FormDialog>
      <FormDialog
        open={open === 'delete'}
        title={t('console.tenant.deleteTitle', { name: tenant.name })}
        description={t('console.tenant.deleteDescription', { count: DELETE_GRACE_DAYS })}
        submitLabel={t('console.tenant.delete')}
        tone="danger"
        onClose={() => setOpen(null)}
        onSubmit={async () => {
          await guard(() => doDelete({ data: { id: tenant.id } }).then(() => undefined))
          setOpen(null)
          toast.success(t('console.tenant.deleted', { name: tenant.name }))
          await router.invalidate()
        }}
      >
        {() => null}
      </FormDialog>
      <FormDialog
        open={open === 'purge'}
        title={t('console.tenant.purgeTitle', { name: tenant.name })}
        description={<Trans i18nKey="console.tenant.purgeDescription" values={{ slug: tenant.slug }} components={{ strong: <strong className="font-mono" /> }} />}
        submitLabel={t('console.tenant.purge')}
        tone="danger"
        onClose={() => setOpen(null)}
        onSubmit={async (values) => {
          await guard(() => doPurge({ data: { id: tenant.id, confirmSlug: values.confirmSlug ?? '' } }).then(() => undefined))
          setOpen(null)
          toast.success(t('console.tenant.purged', { slug: tenant.slug }))
          await navigate({ to: '/console/tenants' })
        }}
      >
        {(errors) => <Field label={t('console.tenant.slug')} name="confirmSlug" required autoFocus autoComplete="off" error={errors.confirmSlug} />}
      </FormDialog>
      {stepUpDialog}
    </>
  )
}

function People({ initialQuery, tenantId, tenantName, canImpersonate, guard }: {
  initialQuery: string
  tenantId: string
  tenantName: string
  canImpersonate: boolean
  guard: (action: () => Promise<void>) => Promise<void>
}) {
  const load = useServerFn(listTenantPeople)
  const impersonate = useServerFn(startImpersonation)
  const [filters, setFilters] = useState<{ q: string; status: 'all' | 'active' | 'deactivated' }>({ q: initialQuery, status: 'all' })
  const [q, setQ] = useState(initialQuery)
  const [cursors, setCursors] = useState<string[]>([])
  const [page, setPage] = useState<Awaited<ReturnType<typeof listTenantPeople>>>()
  const [error, setError] = useState<string>()
  const [target, setTarget] = useState<{ id: string; fullName: string }>()
  const { t, format } = useI18n()

  useEffect(() => {
    setPage(undefined)
    setError(undefined)
    load({ data: { id: tenantId, q: filters.q || undefined, status: filters.status, cursor: cursors.at(-1) } })
      .then(setPage)
      .catch((e: unknown) => setError(errorMessage(e)))
  }, [load, tenantId, filters, cursors])

  function onSearch(event: FormEvent) {
    event.preventDefault()
    setCursors([])
    setFilters({ ...filters, q: q.trim() })
  }

  return (
    <Card>
      <h2 className="mb-3 text-base font-semibold">{t('console.tenant.people')}</h2>
      {!canImpersonate && (
        <p className="mb-3 text-sm text-slate-500 dark:text-slate-400">{t('console.tenant.impersonationOff', { name: tenantName })}</p>
      )}
      <form onSubmit={onSearch} className="mb-4 flex flex-wrap items-end gap-3">
        <Field label={t('console.tenant.searchPeople')} name="q" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('console.tenant.searchPlaceholder')} className="min-w-60 flex-1" />
        <Select
          label={t('common.status')}
          value={filters.status}
          onChange={(e) => {
            setCursors([])
            setFilters({ ...filters, status: e.target.value as typeof filters.status })
          }}
        >
          <option value="all">{t('console.tenant.all')}</option>
          <option value="active">{t('console.status.active')}</option>
          <option value="deactivated">{t('console.status.deactivated')}</option>
        </Select>
        <Button type="submit" variant="secondary">
          {t('common.search')}
        </Button>
      </form>
      {error ? (
        <Alert>{error}</Alert>
      ) : !page ? (
        <Skeleton className="h-32 w-full" />
      ) : page.items.length === 0 ? (
        <EmptyState title={t('console.tenant.nobody')}>{filters.q || filters.status !== 'all' ? t('console.tenant.tryAnother') : t('console.tenant.noPeople')}</EmptyState>
      ) : (
        <TableScroller label={t('console.tenant.figures.people')}>
          <table className="w-full text-left text-sm">
            <thead className="text-xs uppercase text-slate-500 dark:text-slate-400">
              <tr>
                <th className="py-2 pr-3">{t('common.name')}</th>
                <th className="py-2 pr-3">{t('common.email')}</th>
                <th className="py-2 pr-3">{t('common.status')}</th>
                <th className="py-2 pr-3">{t('console.tenant.lastSignIn')}</th>
                <th className="py-2">
                  <span className="sr-only">{t('console.tenant.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {page.items.map((p) => (
                <tr key={p.id}>
                  <td className="py-2 pr-3 font-medium">{p.fullName}</td>
                  <td className="py-2 pr-3">{p.email}</td>
                  <td className="py-2 pr-3">{p.isActive ? <Badge tone="success">{t('console.status.active')}</Badge> : <Badge>{t('console.status.deactivated')}</Badge>}</td>
                  <td className="py-2 pr-3 text-slate-500 dark:text-slate-400">{formatDate(p.lastSignInAt, format.dateTime)}</td>
                  <td className="py-2 text-right">
                    {canImpersonate && p.isActive && !p.isSuperuser && (
                      <Button variant="secondary" onClick={() => setTarget({ id: p.id, fullName: p.fullName })} aria-label={t('console.tenant.impersonateName', { name: p.fullName })}>
                        {t('console.tenant.impersonate')}
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroller>
      )}
      <nav aria-label={t('console.tenant.peoplePages')} className="mt-3 flex justify-end gap-2">
        <Button variant="secondary" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          {t('common.previous')}
        </Button>
        <Button variant="secondary" disabled={!page?.nextCursor} onClick={() => page?.nextCursor && setCursors([...cursors, page.nextCursor])}>
          {t('common.next')}
        </Button>
      </nav>
      <FormDialog
        open={target !== undefined}
        title={t('console.tenant.impersonateName', { name: target?.fullName ?? '' })}
        description={t('console.tenant.impersonateDescription', { name: tenantName })}
        submitLabel={t('console.tenant.startImpersonating')}
        onClose={() => setTarget(undefined)}
        onSubmit={async (values) => {
          if (!target) return
          let url = ''
          await guard(async () => {
            const result = await impersonate({
              data: { tenantId, userId: target.id, reason: values.reason ?? '', minutes: Number(values.minutes) || IMPERSONATION_MINUTES.default },
            })
            url = result.url
          })
          setTarget(undefined)
          window.location.assign(url)
        }}
      >
        {(errors) => (
          <>
            <Field label={t('console.tenant.reason')} name="reason" required autoFocus error={errors.reason} hint={t('console.tenant.impersonateReasonHint')} />
            <Field
              label={t('console.tenant.minutes')}
              name="minutes"
              type="number"
              min={IMPERSONATION_MINUTES.min}
              max={IMPERSONATION_MINUTES.max}
              defaultValue={IMPERSONATION_MINUTES.default}
              error={errors.minutes}
            />
          </>
        )}
      </FormDialog>
    </Card>
  )
}

function TenantAudit({ tenantId }: { tenantId: string }) {
  const load = useServerFn(listTenantAudit)
  const [items, setItems] = useState<Awaited<ReturnType<typeof listTenantAudit>>['items']>([])
  const [next, setNext] = useState<string | null | undefined>(undefined)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string>()
  const { t } = useI18n()

  useEffect(() => {
    setLoading(true)
    load({ data: { id: tenantId } })
      .then((page) => {
        setItems(page.items)
        setNext(page.nextCursor)
      })
      .catch((e: unknown) => setError(errorMessage(e)))
      .finally(() => setLoading(false))
  }, [load, tenantId])

  async function more() {
    if (!next) return
    setLoading(true)
    try {
      const page = await load({ data: { id: tenantId, cursor: next } })
      setItems((prev) => [...prev, ...page.items])
      setNext(page.nextCursor)
    } catch (e) {
      toast.error(errorMessage(e))
    } finally {
      setLoading(false)
    }
  }

  return (
    <Card>
      <h2 className="mb-3 text-base font-semibold">{t('console.tenant.audit')}</h2>
      {error ? (
        <Alert>{error}</Alert>
      ) : loading && items.length === 0 ? (
        <Skeleton className="h-32 w-full" />
      ) : (
        <AuditList
          items={items}
          showTenant={false}
          more={
            next && (
              <div className="mt-3 flex justify-center">
                <Button variant="secondary" pending={loading} onClick={more}>
                  {t('console.tenant.loadMore')}
                </Button>
              </div>
            )
          }
        />
      )}
      <p className="mt-3 text-xs text-slate-500 dark:text-slate-400">
        {/* The tag is not <link>: Trans reads the message as HTML, where link is a void element and would lose its text. */}
        <Trans i18nKey="console.tenant.seeAlso" components={{ audit: <Link to="/console/audit" search={{ tenantId }} className="underline" /> }} />
      </p>
    </Card>
  )
}
