import { createFileRoute } from '@tanstack/react-router'
import { getDashboard } from '~/features/dashboard/dashboard.functions'
import { DashboardView } from '~/features/dashboard/dashboard-view'
import { useI18n } from '~/lib/i18n/react'
import { pageTitle } from '~/lib/i18n/title'

export const Route = createFileRoute('/tenant/_app/')({
  head: ({ match }) => pageTitle(match.context, 'dashboard.title'),
  loader: () => getDashboard(),
  component: Dashboard,
})

function Dashboard() {
  const { user, permissions, session } = Route.useRouteContext()
  const { t } = useI18n()
  return (
    <DashboardView
      data={Route.useLoaderData()}
      firstName={user.fullName.split(' ')[0] ?? user.fullName}
      workspace={session?.tenant.name ?? t('dashboard.thisWorkspace')}
      permissions={permissions}
    />
  )
}
