import { createFileRoute, useNavigate } from '@tanstack/react-router'
import { z } from 'zod'
import { PageHeader } from '~/components/app-shell'
import { Button, Card, Select, Skeleton } from '~/components/ui'
import { AuditList } from '~/features/console/console-ui'
import { listGlobalAudit, listTenants } from '~/features/console/console.functions'
import { useI18n } from '~/lib/i18n/react'
import { consoleTitle } from '~/lib/i18n/title'

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
  head: ({ match }) => consoleTitle(match.context, { key: 'nav.audit' }),
  component: GlobalAudit,
})

function GlobalAudit() {
  const { page, tenants } = Route.useLoaderData()
  const search = Route.useSearch()
  const navigate = useNavigate({ from: Route.fullPath })
  const { t } = useI18n()
  return (
    <>
      <PageHeader title={t('nav.audit')} description={t('console.audit.description')} />
      <Card>
        <div className="mb-4 max-w-xs">
          <Select label={t('console.audit.tenant')} value={search.tenantId ?? ''} onChange={(e) => navigate({ search: { tenantId: e.target.value || undefined } })}>
            <option value="">{t('console.audit.allTenants')}</option>
            <option value="console">{t('console.audit.consoleOnly')}</option>
            {tenants.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name} ({t.slug})
              </option>
            ))}
          </Select>
        </div>
        <AuditList items={page.items} showTenant={!search.tenantId} />
        <nav aria-label={t('console.audit.pages')} className="mt-4 flex justify-end gap-2">
          <Button
            variant="secondary"
            disabled={!search.cursor}
            onClick={() => {
              const back = [...(search.back ?? [])]
              const previous = back.pop()
              navigate({ search: (prev) => ({ ...prev, cursor: previous || undefined, back }) })
            }}
          >
            {t('console.audit.newer')}
          </Button>
          <Button
            variant="secondary"
            disabled={!page.nextCursor}
            onClick={() => navigate({ search: (prev) => ({ ...prev, cursor: page.nextCursor ?? undefined, back: [...(prev.back ?? []), prev.cursor ?? ''] }) })}
          >
            {t('console.audit.older')}
          </Button>
        </nav>
      </Card>
    </>
  )
}
