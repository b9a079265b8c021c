import { createFileRoute, Outlet, redirect } from '@tanstack/react-router'
import { ConsoleShell } from '~/components/shells'

export const Route = createFileRoute('/console/_app')({
  beforeLoad: ({ context, location }) => {
    const user = context.consoleSession?.user
    if (!user) throw redirect({ to: '/console/sign-in', search: { redirect: location.publicHref } })
    return { user }
  },
  component: () => {
    const { user } = Route.useRouteContext()
    return (
      <ConsoleShell user={user}>
        <Outlet />
      </ConsoleShell>
    )
  },
})
