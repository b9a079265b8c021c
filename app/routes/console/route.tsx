import { createFileRoute, notFound, Outlet } from '@tanstack/react-router'
import { NotFound, WorkspaceNotFound } from '../../components/errors'
import { ConsoleShell } from '../../components/shells'
import { getConsoleSession } from '../../features/auth/auth.functions'

export const Route = createFileRoute('/console')({
  beforeLoad: async ({ context }) => {
    if (context.realm.kind !== 'console') throw notFound()
    return { consoleSession: await getConsoleSession() }
  },
  notFoundComponent: ConsoleNotFound,
  component: Outlet,
})

/** An unknown path on the console is a missing page inside the console, not a missing workspace. */
function ConsoleNotFound() {
  const { realm, consoleSession } = Route.useRouteContext()
  if (realm.kind !== 'console') return <WorkspaceNotFound />
  const user = consoleSession?.user
  if (!user) {
    return (
      <main>
        <NotFound />
      </main>
    )
  }
  return (
    <ConsoleShell user={user}>
      <NotFound />
    </ConsoleShell>
  )
}
