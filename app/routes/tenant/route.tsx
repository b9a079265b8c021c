import { createFileRoute, notFound, Outlet } from '@tanstack/react-router'
import { useEffect } from 'react'
import { NotFound, WorkspaceNotFound, WorkspaceSuspended } from '~/components/errors'
import { TenantShell } from '~/components/shells'
import { getTenantSession } from '~/features/auth/auth.functions'
import { markForbidden } from '~/lib/guards'
import { pickLocale } from '~/lib/i18n'
import { lastKnown } from '~/lib/last-known'
import { defaultThemeScript } from '~/lib/theme'

const tenantSession = lastKnown(getTenantSession)

/** The tenant host. Unknown and suspended workspaces stop here with a page a person understands. */
export const Route = createFileRoute('/tenant')({
  beforeLoad: async ({ context }) => {
    if (context.realm.kind === 'suspended') await markForbidden()
    if (context.realm.kind !== 'tenant') throw notFound()
    const session = await tenantSession.get()
    return { session, locale: pickLocale(session.user?.preferences.language, session.tenant.defaults.language, context.locale) }
  },
  notFoundComponent: TenantNotFound,
  component: TenantHost,
})

function TenantHost() {
  const { session } = Route.useRouteContext()
  useEffect(() => tenantSession.remember(session), [session])
  return (
    <>
      {/* biome-ignore lint/security/noDangerouslySetInnerHtml: a constant script built from a theme name the server validated */}
      <script dangerouslySetInnerHTML={{ __html: defaultThemeScript(session.tenant.defaults.theme) }} />
      <Outlet />
    </>
  )
}

/** "No workspace here" only for a host that is no workspace; an unknown path on a real one is a missing page. */
function TenantNotFound() {
  const { realm, session } = Route.useRouteContext()
  if (realm.kind === 'suspended') return <main><WorkspaceSuspended name={realm.name} /></main>
  if (realm.kind !== 'tenant') return <main><WorkspaceNotFound /></main>
  if (!session?.user) {
    return (
      <main>
        <NotFound />
      </main>
    )
  }
  return (
    <TenantShell session={session} user={session.user}>
      <NotFound />
    </TenantShell>
  )
}
