import { createFileRoute } from '@tanstack/react-router'
import { z } from 'zod'
import { Skeleton } from '~/components/ui'
import { getTenant } from '~/features/console/console.functions'
import { TenantPage } from '~/features/console/tenant-page'
import { consoleTitle } from '~/lib/i18n/title'

export const Route = createFileRoute('/console/_app/tenants/$tenantId')({
  /** `q` prefills the people search (a hit of the cross-tenant search opens the person here). */
  validateSearch: z.object({ q: z.string().optional() }),
  loader: ({ params }) => getTenant({ data: { id: params.tenantId } }),
  pendingComponent: () => <Skeleton className="h-96 w-full" />,
  head: ({ loaderData, match }) => consoleTitle(match.context, loaderData ? { name: loaderData.tenant.name } : { key: 'nav.tenants' }),
  component: TenantPage,
})
