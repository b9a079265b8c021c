import { createFileRoute, useNavigate } from '@tanstack/react-router'
import { z } from 'zod'
import { PageHeader } from '~/components/app-shell'
import { Button, Card, Select, Skeleton } from '~/components/ui'
import { AuditList } from '~/features/console/console-ui'
import { listGlobalAudit, listTenants } from '~/features/console/console.functions'

const searchSchema = z.object({ tenantId: z.string().optional(), cursor: z.string().optional(), back: z.array(z.string()).optional() })

export const Route = createFileRoute('/console/_app/audit')({
  validateSearch: searchSchema,
  loaderDeps: ({ search }) => ({ tenantId: search.tenantId, cursor: search.cursor }),
  loader: async ({ deps }) => {
    const [page, tenants] = await Promise.all([
      listGlobalAudit({ data: { tenantId: deps.tenantId || undefined, cursor: deps.cursor } }),
      listTenants({ data: { sort: 'name', dir: 'asc', pageSize: 100 } }),
    ])
    return { page, tenants: tenants.items }
  },
  pendingComponent: () => <Skeleton className="h-64 w-full" />,
  head: () => ({ meta: [{ title: 'Audit log — Haven console' }] }),
  component: GlobalAudit,
})

function GlobalAudit() {
  const { page, tenants } = Route.useLoaderData()
  const search = Route.useSearch()
  const navigate = useNavigate({ from: Route.fullPath })
  return (
    <>
      <PageHeader title="Audit log" description="Every tenant's events and the console's own, newest first." />
      <Card>
        <div className="mb-4 max-w-xs">
          <Select label="Tenant" value={search.tenantId ?? ''} onChange={(e) => navigate({ search: { tenantId: e.target.value || undefined } })}>
            <option value="">All tenants</option>
            {tenants.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name} ({t.slug})
              </option>
            ))}
          </Select>
        </div>
        <AuditList items={page.items} showTenant={!search.tenantId} />
        <nav aria-label="Pages" className="mt-4 flex justify-end gap-2">
          <Button
            variant="secondary"
            disabled={!search.cursor}
            onClick={() => {
              const back = [...(search.back ?? [])]
              const previous = back.pop()
              navigate({ search: (prev) => ({ ...prev, cursor: previous || undefined, back }) })
            }}
          >
            Newer
          </Button>
          <Button
            variant="secondary"
            disabled={!page.nextCursor}
            onClick={() => navigate({ search: (prev) => ({ ...prev, cursor: page.nextCursor ?? undefined, back: [...(prev.back ?? []), prev.cursor ?? ''] }) })}
          >
            Older
          </Button>
        </nav>
      </Card>
    </>
  )
}
