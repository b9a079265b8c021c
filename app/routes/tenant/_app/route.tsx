import { createFileRoute, Outlet, redirect } from '@tanstack/react-router'
import type { ReactNode } from 'react'
import { Forbidden, NotFound } from '~/components/errors'
import { TenantShell as Shell } from '~/components/shells'
import { isForbiddenNotFound } from '~/lib/guards'

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
  const { session, user } = Route.useRouteContext()
  return (
    <Shell session={session} user={user}>
      {children}
    </Shell>
  )
}
