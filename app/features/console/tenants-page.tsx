import { getRouteApi, Link, useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { ArrowDown, ArrowUp, Plus, Search } from 'lucide-react'
import { type FormEvent, useState } from 'react'
import { toast } from 'sonner'
import { z } from 'zod'
import { PageHeader } from '~/components/app-shell'
import { Alert, Badge, Button, Card, EmptyState, Field, Select } from '~/components/ui'
import { Pager } from '~/components/ui/pager'
import { Trans } from 'react-i18next'
import { useI18n } from '~/lib/i18n/react'
import { FormDialog, formatDate } from './console-ui'
import { provisionTenant } from './console.functions'
import { firstDirection, TENANT_SORTS, TENANT_STATUSES, type TenantSort } from './console.schemas'
import { TableScroller } from '~/components/ui/table-scroller'

const Route = getRouteApi('/console/_app/tenants/')

export const searchSchema = z.object({
  q: z.string().optional(),
  status: z.enum(TENANT_STATUSES).optional(),
  sort: z.enum(TENANT_SORTS).optional(),
  dir: z.enum(['asc', 'desc']).optional(),
  cursor: z.string().optional(),
  /** Cursors of the pages before this one, so Previous works with a forward-only keyset. */
  back: z.array(z.string()).optional(),
})
type TenantsSearch = z.infer<typeof searchSchema>

export function TenantsPage() {
  const page = Route.useLoaderData()
  const search = Route.useSearch()
  const navigate = Route.useNavigate()
  const router = useRouter()
  const provision = useServerFn(provisionTenant)
  const [q, setQ] = useState(search.q ?? '')
  const [creating, setCreating] = useState(false)
  const [created, setCreated] = useState<{ slug: string; link: string }>()
  const sort = search.sort ?? 'created'
  const dir = search.dir ?? 'desc'
  const { t, format } = useI18n()

  const setSearch = (patch: Partial<TenantsSearch>) => navigate({ search: (prev) => ({ ...prev, cursor: undefined, back: undefined, ...patch }) })

  function onSearch(event: FormEvent) {
    event.preventDefault()
    setSearch({ q: q.trim() || undefined })
  }

  function sortBy(column: TenantSort) {
    setSearch({ sort: column, dir: sort === column ? (dir === 'asc' ? 'desc' : 'asc') : firstDirection(column) })
  }

  return (
    <>
      <PageHeader
        title={t('nav.tenants')}
        description={t('console.tenants.count', { count: page.total })}
        actions={
          <Button onClick={() => setCreating(true)}>
            <Plus aria-hidden className="size-4" /> {t('console.tenants.provision')}
          </Button>
        }
      />
      {created && (
        <div className="mb-4">
          <Alert tone="success">
            <span>
              <Trans i18nKey="console.tenants.ready" values={{ slug: created.slug }} components={{ strong: <strong /> }} />{' '}
              <code data-testid="owner-invitation-link" className="break-all">
                {created.link}
              </code>
            </span>
          </Alert>
        </div>
      )}
      <Card>
        <form onSubmit={onSearch} className="mb-4 flex flex-wrap items-end gap-3">
          <Field label={t('console.tenants.search')} name="q" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('console.tenants.searchPlaceholder')} className="min-w-60 flex-1" />
          <Select label={t('common.status')} value={search.status ?? 'all'} onChange={(e) => setSearch({ status: e.target.value as TenantsSearch['status'] })}>
            {TENANT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`console.tenants.statuses.${s}`)}
              </option>
            ))}
          </Select>
          <Button type="submit" variant="secondary">
            <Search aria-hidden className="size-4" /> {t('common.search')}
          </Button>
        </form>
        {page.items.length === 0 ? (
          <EmptyState title={search.q || search.status ? t('console.tenants.noMatch') : t('console.tenants.noneYet')}>
            {search.q || search.status ? t('console.tenants.tryAnother') : t('console.tenants.provisionFirst')}
          </EmptyState>
        ) : (
          <>
            {page.asOf && (
              <p className="mb-2 text-xs text-slate-500 dark:text-slate-400" data-testid="figures-as-of">
                {t('console.tenants.asOf', { time: format.dateTime.format(new Date(page.asOf)) })}
              </p>
            )}
          <TableScroller label={t('nav.tenants')}>
            <table className="w-full text-left text-sm">
              <thead className="text-xs uppercase text-slate-500 dark:text-slate-400">
                <tr>
                  {(['name', 'slug'] as const).map((c) => (
                    <SortHeader key={c} column={c} sort={sort} dir={dir} onSort={sortBy} />
                  ))}
                  <th className="py-2 pr-3">{t('console.tenants.columns.status')}</th>
                  {(['people', 'active30', 'categories', 'events30'] as const).map((c) => (
                    <SortHeader key={c} column={c} sort={sort} dir={dir} onSort={sortBy} numeric />
                  ))}
                  {(['lastActivity', 'created'] as const).map((c) => (
                    <SortHeader key={c} column={c} sort={sort} dir={dir} onSort={sortBy} />
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {page.items.map((t) => (
                  <tr key={t.id}>
                    <td className="py-2 pr-3 font-medium">
                      <Link to="/console/tenants/$tenantId" params={{ tenantId: t.id }} className="text-indigo-600 hover:underline dark:text-indigo-400">
                        {t.name}
                      </Link>
                    </td>
                    <td className="py-2 pr-3 font-mono text-xs">{t.slug}</td>
                    <td className="py-2 pr-3">
                      <TenantStatus isActive={t.isActive} isDeleted={t.isDeleted} />
                    </td>
                    <td className="py-2 pr-3 text-right tabular-nums">{format.number.format(t.people)}</td>
                    <td className="py-2 pr-3 text-right tabular-nums">{format.number.format(t.active30)}</td>
                    <td className="py-2 pr-3 text-right tabular-nums">{format.number.format(t.categories)}</td>
                    <td className="py-2 pr-3 text-right tabular-nums">{format.number.format(t.events30)}</td>
                    <td className="whitespace-nowrap py-2 pr-3 text-slate-500 dark:text-slate-400">{formatDate(t.lastActivity, format.dateTime)}</td>
                    <td className="whitespace-nowrap py-2 pr-3 text-slate-500 dark:text-slate-400">{formatDate(t.createdAt, format.date)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroller>
          </>
        )}
        <Pager
          label={t('console.tenants.pages')}
          className="mt-4"
          status={t('console.tenants.shown', { shown: format.number.format(page.items.length), total: format.number.format(page.total) })}
          hasPrevious={!!search.back?.length || !!search.cursor}
          hasNext={!!page.nextCursor}
          onPrevious={() => {
            const back = [...(search.back ?? [])]
            const previous = back.pop()
            navigate({ search: (prev) => ({ ...prev, cursor: previous || undefined, back }) })
          }}
          onNext={() => navigate({ search: (prev) => ({ ...prev, cursor: page.nextCursor ?? undefined, back: [...(prev.back ?? []), prev.cursor ?? ''] }) })}
        />
      </Card>
      <FormDialog
        open={creating}
        title={t('console.tenants.provisionTitle')}
        description={t('console.tenants.provisionDescription')}
        submitLabel={t('console.tenants.provisionSubmit')}
        onClose={() => setCreating(false)}
        onSubmit={async (values) => {
          const result = await provision({
            data: { name: values.name ?? '', slug: values.slug ?? '', ownerEmail: values.ownerEmail ?? '', ownerName: values.ownerName ?? '' },
          })
          setCreating(false)
          setCreated({ slug: result.slug, link: result.link })
          toast.success(t('console.tenants.provisioned', { slug: result.slug }))
          await router.invalidate()
        }}
      >
        {(errors) => (
          <>
            <Field label={t('console.tenants.workspaceName')} name="name" required autoFocus error={errors.name} />
            <Field label={t('console.tenants.slug')} name="slug" required error={errors.slug} hint={t('console.tenants.slugHint')} />
            <Field label={t('console.tenants.ownerEmail')} name="ownerEmail" type="email" required error={errors.ownerEmail} />
            <Field label={t('console.tenants.ownerName')} name="ownerName" error={errors.ownerName} />
          </>
        )}
      </FormDialog>
    </>
  )
}

function SortHeader({ column, sort, dir, onSort, numeric = false }: {
  column: TenantSort
  sort: string
  dir: 'asc' | 'desc'
  onSort: (c: TenantSort) => void
  numeric?: boolean
}) {
  const { t } = useI18n()
  const active = sort === column
  const Icon = dir === 'asc' ? ArrowUp : ArrowDown
  return (
    <th className={numeric ? 'py-2 pr-3 text-right' : 'py-2 pr-3'} aria-sort={active ? (dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" onClick={() => onSort(column)} className="inline-flex items-center gap-1 whitespace-nowrap uppercase hover:text-slate-900 dark:hover:text-slate-100">
        {t(`console.tenants.columns.${column}`)}
        {active && <Icon aria-hidden className="size-3" />}
      </button>
    </th>
  )
}

export function TenantStatus({ isActive, isDeleted }: { isActive: boolean; isDeleted: boolean }) {
  const { t } = useI18n()
  if (isDeleted) return <Badge tone="danger">{t('console.status.deleted')}</Badge>
  if (!isActive) return <Badge tone="warning">{t('console.status.suspended')}</Badge>
  return <Badge tone="success">{t('console.status.active')}</Badge>
}
