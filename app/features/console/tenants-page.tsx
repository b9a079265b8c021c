import { getRouteApi, Link, useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { ArrowDown, ArrowUp, Plus, Search } from 'lucide-react'
import { type FormEvent, useState } from 'react'
import { toast } from 'sonner'
import { z } from 'zod'
import { PageHeader } from '~/components/app-shell'
import { Alert, Badge, Button, Card, EmptyState, Field, Select } from '~/components/ui'
import { dateTime, FormDialog, formatDate } from './console-ui'
import { provisionTenant } from './console.functions'
import { TENANT_SORTS, TENANT_STATUSES } from './console.schemas'

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

const SORT_LABELS = { name: 'Name', slug: 'Slug', created: 'Created' } as const

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

  const setSearch = (patch: Partial<TenantsSearch>) => navigate({ search: (prev) => ({ ...prev, cursor: undefined, back: undefined, ...patch }) })

  function onSearch(event: FormEvent) {
    event.preventDefault()
    setSearch({ q: q.trim() || undefined })
  }

  function sortBy(column: (typeof TENANT_SORTS)[number]) {
    setSearch({ sort: column, dir: sort === column && dir === 'asc' ? 'desc' : sort === column ? 'asc' : column === 'created' ? 'desc' : 'asc' })
  }

  return (
    <>
      <PageHeader
        title="Tenants"
        description={`${page.total.toLocaleString()} workspace${page.total === 1 ? '' : 's'}. Figures: people, people signed in within 30 days, categories, audit events in 30 days.`}
        actions={
          <Button onClick={() => setCreating(true)}>
            <Plus aria-hidden className="size-4" /> Provision tenant
          </Button>
        }
      />
      {created && (
        <div className="mb-4">
          <Alert tone="success">
            <span>
              <strong>{created.slug}</strong> is ready. Send the owner this invitation link (shown once, also in the server log):{' '}
              <code data-testid="owner-invitation-link" className="break-all">
                {created.link}
              </code>
            </span>
          </Alert>
        </div>
      )}
      <Card>
        <form onSubmit={onSearch} className="mb-4 flex flex-wrap items-end gap-3">
          <Field label="Search tenants" name="q" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Name or slug" className="min-w-60 flex-1" />
          <Select label="Status" value={search.status ?? 'all'} onChange={(e) => setSearch({ status: e.target.value as TenantsSearch['status'] })}>
            {TENANT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s[0]?.toUpperCase() + s.slice(1)}
              </option>
            ))}
          </Select>
          <Button type="submit" variant="secondary">
            <Search aria-hidden className="size-4" /> Search
          </Button>
        </form>
        {page.items.length === 0 ? (
          <EmptyState title={search.q || search.status ? 'No tenant matches' : 'No tenants yet'}>
            {search.q || search.status ? 'Try another search or status.' : 'Provision the first workspace.'}
          </EmptyState>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className="text-xs uppercase text-slate-500 dark:text-slate-400">
                <tr>
                  {(['name', 'slug'] as const).map((c) => (
                    <SortHeader key={c} column={c} sort={sort} dir={dir} onSort={sortBy} />
                  ))}
                  <th className="py-2 pr-3">Status</th>
                  <th className="py-2 pr-3 text-right">People</th>
                  <th className="py-2 pr-3 text-right">Active 30 d</th>
                  <th className="py-2 pr-3 text-right">Categories</th>
                  <th className="py-2 pr-3 text-right">Events 30 d</th>
                  <th className="py-2 pr-3">Last activity</th>
                  <SortHeader column="created" sort={sort} dir={dir} onSort={sortBy} />
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
                    <td className="py-2 pr-3 text-right tabular-nums">{t.people.toLocaleString()}</td>
                    <td className="py-2 pr-3 text-right tabular-nums">{t.active30.toLocaleString()}</td>
                    <td className="py-2 pr-3 text-right tabular-nums">{t.categories.toLocaleString()}</td>
                    <td className="py-2 pr-3 text-right tabular-nums">{t.events30.toLocaleString()}</td>
                    <td className="whitespace-nowrap py-2 pr-3 text-slate-500 dark:text-slate-400">{formatDate(t.lastActivity, dateTime)}</td>
                    <td className="whitespace-nowrap py-2 pr-3 text-slate-500 dark:text-slate-400">{formatDate(t.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <nav aria-label="Pages" className="mt-4 flex justify-end gap-2">
          <Button
            variant="secondary"
            disabled={!search.back?.length && !search.cursor}
            onClick={() => {
              const back = [...(search.back ?? [])]
              const previous = back.pop()
              navigate({ search: (prev) => ({ ...prev, cursor: previous || undefined, back }) })
            }}
          >
            Previous
          </Button>
          <Button
            variant="secondary"
            disabled={!page.nextCursor}
            onClick={() =>
              navigate({ search: (prev) => ({ ...prev, cursor: page.nextCursor ?? undefined, back: [...(prev.back ?? []), prev.cursor ?? ''] }) })
            }
          >
            Next
          </Button>
        </nav>
      </Card>
      <FormDialog
        open={creating}
        title="Provision a tenant"
        description="Creates the workspace with its system roles and an invitation for its owner."
        submitLabel="Provision"
        onClose={() => setCreating(false)}
        onSubmit={async (values) => {
          const result = await provision({
            data: { name: values.name ?? '', slug: values.slug ?? '', ownerEmail: values.ownerEmail ?? '', ownerName: values.ownerName ?? '' },
          })
          setCreating(false)
          setCreated({ slug: result.slug, link: result.link })
          toast.success(`Provisioned ${result.slug}`)
          await router.invalidate()
        }}
      >
        {(errors) => (
          <>
            <Field label="Workspace name" name="name" required autoFocus error={errors.name} />
            <Field label="Slug" name="slug" required error={errors.slug} hint="Its address: <slug>.your-domain. Lowercase letters, digits, dashes." />
            <Field label="Owner email" name="ownerEmail" type="email" required error={errors.ownerEmail} />
            <Field label="Owner name" name="ownerName" error={errors.ownerName} />
          </>
        )}
      </FormDialog>
    </>
  )
}

function SortHeader({ column, sort, dir, onSort }: {
  column: (typeof TENANT_SORTS)[number]
  sort: string
  dir: 'asc' | 'desc'
  onSort: (c: (typeof TENANT_SORTS)[number]) => void
}) {
  const active = sort === column
  const Icon = dir === 'asc' ? ArrowUp : ArrowDown
  return (
    <th className="py-2 pr-3" aria-sort={active ? (dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" onClick={() => onSort(column)} className="inline-flex items-center gap-1 uppercase hover:text-slate-900 dark:hover:text-slate-100">
        {SORT_LABELS[column]}
        {active && <Icon aria-hidden className="size-3" />}
      </button>
    </th>
  )
}

export function TenantStatus({ isActive, isDeleted }: { isActive: boolean; isDeleted: boolean }) {
  if (isDeleted) return <Badge tone="danger">Deleted</Badge>
  if (!isActive) return <Badge tone="warning">Suspended</Badge>
  return <Badge tone="success">Active</Badge>
}
