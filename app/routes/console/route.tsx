import { createFileRoute, notFound, Outlet } from '@tanstack/react-router'
import { WorkspaceNotFound } from '../../components/errors'
import { getConsoleSession } from '../../features/auth/auth.functions'

export const Route = createFileRoute('/console')({
  beforeLoad: async ({ context }) => {
    if (context.realm.kind !== 'console') throw notFound()
    return { consoleSession: await getConsoleSession() }
  },
  notFoundComponent: WorkspaceNotFound,
  component: Outlet,
})
