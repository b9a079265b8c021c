import { createFileRoute, Outlet, redirect } from '@tanstack/react-router'
import type { ReactNode } from 'react'
import { AppShell } from '../../../components/app-shell'
import { Forbidden, NotFound } from '../../../components/errors'
import { ImpersonationBanner } from '../../../features/console/impersonation-banner'
import { isForbiddenNotFound } from '../../../lib/guards'
import { TENANT_NAV } from '../../../lib/navigation'

/** Signed-in pages of the tenant host. This guard only steers navigation; every server function checks again. */
export const Route = createFileRoute('/tenant/_app')({
  beforeLoad: ({ context, location }) => {
    const user = context.session?.user
    if (!user) throw redirect({ to: '/tenant/sign-in', search: { redirect: location.publicHref } })
    return { user, permissions: context.session?.permissions ?? [] }
  },
  component: () => (
    <TenantShell>
      <Outlet />
    </TenantShell>
  ),
  notFoundComponent: ({ data }) => <TenantShell>{isForbiddenNotFound(data) ? <Forbidden /> : <NotFound />}</TenantShell>,
})

function TenantShell({ children }: { children: ReactNode }) {
  const { session, user, permissions } = Route.useRouteContext()
  return (
    <AppShell
      brand={session?.tenant.name ?? 'Haven'}
      nav={TENANT_NAV}
      permissions={permissions}
      user={user}
      profileTo="/tenant/profile"
      signInTo="/sign-in"
      defaultTheme={session?.tenant.defaults.theme}
    >
      {session?.impersonation && <ImpersonationBanner personName={user.fullName} impersonation={session.impersonation} />}
      {children}
    </AppShell>
  )
}
