import { getRouteApi, Link, useNavigate, useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { type FormEvent, useEffect, useState } from 'react'
import { toast } from 'sonner'
import { PageHeader } from '~/components/app-shell'
import { Alert, Badge, Button, Card, EmptyState, Field, Select, Skeleton } from '~/components/ui'
import { ActivityChart, AuditList, dateTime, FormDialog, formatDate, useStepUp } from './console-ui'
import {
  deleteTenant,
  listTenantAudit,
  listTenantPeople,
  purgeTenant,
  reactivateTenant,
  restoreTenant,
  suspendTenant,
} from './console.functions'
import { IMPERSONATION_MINUTES } from './console.schemas'
import { startImpersonation } from './impersonation.functions'
import { errorMessage } from '~/lib/errors'
import { TenantStatus } from './tenants-page'

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
            <span className="font-mono">{tenant.slug}</span> · {tenant.plan} plan · created {formatDate(tenant.createdAt)} ·{' '}
            <TenantStatus isActive={tenant.isActive} isDeleted={tenant.isDeleted} />
          </>
        }
        actions={
          <div className="flex flex-wrap gap-2">
            {!tenant.isDeleted && tenant.isActive && (
              <Button variant="secondary" onClick={() => setOpen('suspend')}>
                Suspend
              </Button>
            )}
            {!tenant.isDeleted && !tenant.isActive && (
              <Button variant="secondary" onClick={() => simple(() => doReactivate({ data: { id: tenant.id } }), `${tenant.name} is active again`)}>
                Reactivate
              </Button>
            )}
            {!tenant.isDeleted && (
              <Button variant="danger" onClick={() => setOpen('delete')}>
                Delete
              </Button>
            )}
            {tenant.isDeleted && (
              <>
                <Button variant="secondary" onClick={() => simple(() => doRestore({ data: { id: tenant.id } }), `${tenant.name} is restored`)}>
                  Restore
                </Button>
                <Button variant="danger" onClick={() => setOpen('purge')}>
                  Purge
                </Button>
              </>
            )}
          </div>
        }
      />
      <div className="space-y-6">
        {tenant.suspendedAt && (
          <Alert tone="info">
            Suspended {formatDate(tenant.suspendedAt, dateTime)}: {tenant.suspensionReason}
          </Alert>
        )}
        {tenant.deletedAt && (
          <Alert>
            Deleted {formatDate(tenant.deletedAt, dateTime)}. Restorable until {formatDate(tenant.purgeableFrom)}; purging removes every row for good.
          </Alert>
        )}
        <dl className="grid grid-cols-2 gap-4 sm:grid-cols-5">
          {[
            ['People', tenant.figures.people],
            ['Active in 30 days', tenant.figures.active30],
            ['Categories', tenant.figures.categories],
            ['Roles', tenant.figures.roles],
            ['Events in 30 days', tenant.figures.events30],
          ].map(([label, value]) => (
            <div key={label} className="rounded-xl border border-slate-200 p-3 dark:border-slate-800">
              <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
              <dd className="text-xl font-semibold tabular-nums">{Number(value).toLocaleString()}</dd>
            </div>
          ))}
        </dl>
        <Card>
          <ActivityChart data={activity} label={`Activity of ${tenant.name}`} />
        </Card>
        <Card>
          <h2 className="mb-3 text-base font-semibold">Settings (read-only)</h2>
          <dl className="grid gap-2 text-sm sm:grid-cols-3">
            <div>
              <dt className="text-slate-500 dark:text-slate-400">Impersonation by Haven support</dt>
              <dd>{tenant.settings.allowImpersonation ? <Badge tone="success">Allowed</Badge> : <Badge>Not allowed</Badge>}</dd>
            </div>
            <div>
              <dt className="text-slate-500 dark:text-slate-400">Default theme</dt>
              <dd>{tenant.settings.defaultTheme}</dd>
            </div>
            <div>
              <dt className="text-slate-500 dark:text-slate-400">Default language</dt>
              <dd>{tenant.settings.defaultLanguage}</dd>
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
        title={`Suspend ${tenant.name}`}
        description="Its people are signed out at once and its address shows the suspended page until you reactivate it."
        submitLabel="Suspend"
        tone="danger"
        onClose={() => setOpen(null)}
        onSubmit={async (values) => {
          await guard(() => doSuspend({ data: { id: tenant.id, reason: values.reason ?? '' } }).then(() => undefined))
          setOpen(null)
          toast.success(`${tenant.name} is suspended`)
          await router.invalidate()
        }}
      >
        {(errors) => <Field label="Reason" name="reason" required autoFocus error={errors.reason} hint="Recorded in the tenant's audit log." />}
      </FormDialog>
      <FormDialog
        open={open === 'delete'}
        title={`Delete ${tenant.name}`}
        description="The workspace disappears and its people are signed out. You can restore it for 30 days, or purge it."
        submitLabel="Delete"
        tone="danger"
        onClose={() => setOpen(null)}
        onSubmit={async () => {
          await guard(() => doDelete({ data: { id: tenant.id } }).then(() => undefined))
          setOpen(null)
          toast.success(`${tenant.name} is deleted`)
          await router.invalidate()
        }}
      >
        {() => null}
      </FormDialog>
      <FormDialog
        open={open === 'purge'}
        title={`Purge ${tenant.name} for good`}
        description={
          <>
            Every row of this workspace — people, roles, categories, audit log — is removed. This cannot be undone. Type <strong className="font-mono">{tenant.slug}</strong> to
            confirm.
          </>
        }
        submitLabel="Purge"
        tone="danger"
        onClose={() => setOpen(null)}
        onSubmit={async (values) => {
          await guard(() => doPurge({ data: { id: tenant.id, confirmSlug: values.confirmSlug ?? '' } }).then(() => undefined))
          setOpen(null)
          toast.success(`${tenant.slug} is purged`)
          await navigate({ to: '/console/tenants' })
        }}
      >
        {(errors) => <Field label="Slug" name="confirmSlug" required autoFocus autoComplete="off" error={errors.confirmSlug} />}
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
      <h2 className="mb-3 text-base font-semibold">People</h2>
      {!canImpersonate && (
        <p className="mb-3 text-sm text-slate-500 dark:text-slate-400">Impersonation is off: {tenantName} has not allowed it in its settings (or it is not active).</p>
      )}
      <form onSubmit={onSearch} className="mb-4 flex flex-wrap items-end gap-3">
        <Field label="Search people" name="q" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Name or email" className="min-w-60 flex-1" />
        <Select
          label="Status"
          value={filters.status}
          onChange={(e) => {
            setCursors([])
            setFilters({ ...filters, status: e.target.value as typeof filters.status })
          }}
        >
          <option value="all">All</option>
          <option value="active">Active</option>
          <option value="deactivated">Deactivated</option>
        </Select>
        <Button type="submit" variant="secondary">
          Search
        </Button>
      </form>
      {error ? (
        <Alert>{error}</Alert>
      ) : !page ? (
        <Skeleton className="h-32 w-full" />
      ) : page.items.length === 0 ? (
        <EmptyState title="Nobody found">{filters.q || filters.status !== 'all' ? 'Try another search.' : 'This workspace has no people yet.'}</EmptyState>
      ) : (
        <div className="relative overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="text-xs uppercase text-slate-500 dark:text-slate-400">
              <tr>
                <th className="py-2 pr-3">Name</th>
                <th className="py-2 pr-3">Email</th>
                <th className="py-2 pr-3">Status</th>
                <th className="py-2 pr-3">Last sign-in</th>
                <th className="py-2">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {page.items.map((p) => (
                <tr key={p.id}>
                  <td className="py-2 pr-3 font-medium">{p.fullName}</td>
                  <td className="py-2 pr-3">{p.email}</td>
                  <td className="py-2 pr-3">{p.isActive ? <Badge tone="success">Active</Badge> : <Badge>Deactivated</Badge>}</td>
                  <td className="py-2 pr-3 text-slate-500 dark:text-slate-400">{formatDate(p.lastSignInAt, dateTime)}</td>
                  <td className="py-2 text-right">
                    {canImpersonate && p.isActive && !p.isSuperuser && (
                      <Button variant="secondary" onClick={() => setTarget({ id: p.id, fullName: p.fullName })} aria-label={`Impersonate ${p.fullName}`}>
                        Impersonate
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav aria-label="People pages" className="mt-3 flex justify-end gap-2">
        <Button variant="secondary" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous
        </Button>
        <Button variant="secondary" disabled={!page?.nextCursor} onClick={() => page?.nextCursor && setCursors([...cursors, page.nextCursor])}>
          Next
        </Button>
      </nav>
      <FormDialog
        open={target !== undefined}
        title={`Impersonate ${target?.fullName ?? ''}`}
        description={`You will act as this person in the ${tenantName} workspace. Everything you do is recorded with both your names and shown to the workspace's admins.`}
        submitLabel="Start impersonating"
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
            <Field label="Reason" name="reason" required autoFocus error={errors.reason} hint="Why you need to see the workspace as this person." />
            <Field
              label="Duration (minutes)"
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
      <h2 className="mb-3 text-base font-semibold">Audit log</h2>
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
                  Load more
                </Button>
              </div>
            )
          }
        />
      )}
      <p className="mt-3 text-xs text-slate-500 dark:text-slate-400">
        See also the <Link to="/console/audit" search={{ tenantId }} className="underline">global audit log</Link> filtered to this tenant.
      </p>
    </Card>
  )
}
