import { createFileRoute } from '@tanstack/react-router'
import { PageHeader } from '../../../components/app-shell'
import { Card } from '../../../components/ui'

export const Route = createFileRoute('/console/_app/')({
  head: () => ({ meta: [{ title: 'Console — Haven' }] }),
  component: () => {
    const { user } = Route.useRouteContext()
    return (
      <>
        <PageHeader title="Console" description={`Signed in as ${user.email} (superuser).`} />
        <Card>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            The cross-tenant screens (tenants, user search, global audit log, impersonation) arrive with the console issue.
          </p>
        </Card>
      </>
    )
  },
})
