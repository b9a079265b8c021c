import { createFileRoute } from '@tanstack/react-router'
import { getDashboard } from '../../../features/dashboard/dashboard.functions'
import { DashboardView } from '../../../features/dashboard/dashboard-view'

export const Route = createFileRoute('/tenant/_app/')({
  head: () => ({ meta: [{ title: 'Dashboard — Haven' }] }),
  loader: () => getDashboard(),
  component: Dashboard,
})

function Dashboard() {
  const { user, permissions, session } = Route.useRouteContext()
  return (
    <DashboardView
      data={Route.useLoaderData()}
      firstName={user.fullName.split(' ')[0] ?? user.fullName}
      workspace={session?.tenant.name ?? 'this workspace'}
      permissions={permissions}
    />
  )
}
