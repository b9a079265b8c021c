import { createFileRoute } from '@tanstack/react-router'
import { Skeleton } from '~/components/ui'
import { listTenants } from '~/features/console/console.functions'
import { searchSchema, TenantsPage } from '~/features/console/tenants-page'

export const Route = createFileRoute('/console/_app/tenants/')({
  validateSearch: searchSchema,
  loaderDeps: ({ search }) => ({ q: search.q, status: search.status, sort: search.sort, dir: search.dir, cursor: search.cursor }),
  loader: ({ deps }) => listTenants({ data: { ...deps, pageSize: 25 } }),
  pendingComponent: () => (
    <div role="status" aria-busy="true" aria-label="Loading tenants" className="space-y-3">
      <Skeleton className="h-8 w-48" />
      <Skeleton className="h-64 w-full" />
    </div>
  ),
  head: () => ({ meta: [{ title: 'Tenants — Haven console' }] }),
  component: TenantsPage,
})
