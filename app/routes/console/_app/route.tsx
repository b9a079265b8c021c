import { createFileRoute, Outlet, redirect } from '@tanstack/react-router'
import { AppShell } from '../../../components/app-shell'

export const Route = createFileRoute('/console/_app')({
  beforeLoad: ({ context, location }) => {
    const user = context.consoleSession?.user
    if (!user) throw redirect({ to: '/console/sign-in', search: { redirect: location.publicHref } })
    return { user }
  },
  component: () => {
    const { user } = Route.useRouteContext()
    return (
      <AppShell
        brand="Haven console"
        nav={[
          { to: '/console', label: 'Overview', section: 'main' },
          { to: '/console/tenants', label: 'Tenants', section: 'main' },
          { to: '/console/users', label: 'People search', section: 'main' },
          { to: '/console/audit', label: 'Audit log', section: 'main' },
        ]}
        permissions={[]}
        user={user}
        signInTo="/sign-in"
      >
        <Outlet />
      </AppShell>
    )
  },
})
