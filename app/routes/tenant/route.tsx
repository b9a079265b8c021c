import { createFileRoute, notFound, Outlet } from '@tanstack/react-router'
import { WorkspaceNotFound, WorkspaceSuspended } from '../../components/errors'
import { getTenantSession } from '../../features/auth/auth.functions'

/** The tenant host. Unknown and suspended workspaces stop here with a page a person understands. */
export const Route = createFileRoute('/tenant')({
  beforeLoad: async ({ context }) => {
    if (context.realm.kind !== 'tenant') throw notFound()
    return { session: await getTenantSession() }
  },
  notFoundComponent: TenantNotFound,
  component: Outlet,
})

function TenantNotFound() {
  const { realm } = Route.useRouteContext()
  if (realm.kind === 'suspended') return <WorkspaceSuspended name={realm.name} />
  return <WorkspaceNotFound />
}
