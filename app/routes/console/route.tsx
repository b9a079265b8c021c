import { createFileRoute, notFound, Outlet } from '@tanstack/react-router'
import { NotFound, WorkspaceNotFound } from '../../components/errors'
import { ConsoleShell } from '../../components/shells'
import { getConsoleSession } from '../../features/auth/auth.functions'
import { pickLocale } from '../../lib/i18n'

export const Route = createFileRoute('/console')({
  beforeLoad: async ({ context }) => {
    if (context.realm.kind !== 'console') throw notFound()
    const consoleSession = await getConsoleSession()
    return { consoleSession, locale: pickLocale(consoleSession.user?.preferences.language, context.locale) }
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
