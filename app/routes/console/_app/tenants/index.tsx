import { createFileRoute } from '@tanstack/react-router'
import { Skeleton } from '~/components/ui'
import { listTenants } from '~/features/console/console.functions'
import { searchSchema, TenantsPage } from '~/features/console/tenants-page'
import { useI18n } from '~/lib/i18n/react'
import { consoleTitle } from '~/lib/i18n/title'

export const Route = createFileRoute('/console/_app/tenants/')({
  validateSearch: searchSchema,
  loaderDeps: ({ search }) => ({ q: search.q, status: search.status, sort: search.sort, dir: search.dir, cursor: search.cursor }),
  loader: ({ deps }) => listTenants({ data: { ...deps, pageSize: 25 } }),
  pendingComponent: TenantsLoading,
  head: ({ match }) => consoleTitle(match.context, { key: 'nav.tenants' }),
  component: TenantsPage,
})

function TenantsLoading() {
  const { t } = useI18n()
  return (
    <div role="status" aria-busy="true" aria-label={t('nav.loadingPage')} className="space-y-3">
      <Skeleton className="h-8 w-48" />
      <Skeleton className="h-64 w-full" />
    </div>
  )
}
