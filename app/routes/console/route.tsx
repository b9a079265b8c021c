import { createFileRoute, notFound, Outlet } from '@tanstack/react-router'
import { useEffect } from 'react'
import { NotFound, WorkspaceNotFound } from '~/components/errors'
import { ConsoleShell } from '~/components/shells'
import { getConsoleSession } from '~/features/auth/auth.functions'
import { pickLocale } from '~/lib/i18n'
import { lastKnown } from '~/lib/last-known'

const consoleSession = lastKnown(getConsoleSession)

export const Route = createFileRoute('/console')({
  beforeLoad: async ({ context }) => {
    if (context.realm.kind !== 'console') throw notFound()
    const session = await consoleSession.get()
    return { consoleSession: session, locale: pickLocale(session.user?.preferences.language, context.locale) }
  },
  notFoundComponent: ConsoleNotFound,
  component: ConsoleHost,
})

function ConsoleHost() {
  const { consoleSession: current } = Route.useRouteContext()
  useEffect(() => consoleSession.remember(current), [current])
  return <Outlet />
}

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
