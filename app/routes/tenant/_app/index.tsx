import { createFileRoute, Link } from '@tanstack/react-router'
import { FolderTree } from 'lucide-react'
import { PageHeader } from '../../../components/app-shell'
import { Card } from '../../../components/ui'
import { can } from '../../../lib/navigation'
import { PERMISSIONS } from '../../../lib/permissions'

export const Route = createFileRoute('/tenant/_app/')({
  head: () => ({ meta: [{ title: 'Dashboard — Haven' }] }),
  component: Dashboard,
})

function Dashboard() {
  const { user, permissions, session } = Route.useRouteContext()
  return (
    <>
      <PageHeader title={`Welcome, ${user.fullName.split(' ')[0]}`} description={`You are signed in to ${session?.tenant.name}`} />
      {can(permissions, ['categories:read']) && (
        <Card className="mb-6">
          <Link to="/tenant/categories" className="group flex items-center gap-4 rounded-md outline-none focus-visible:ring-2 focus-visible:ring-indigo-500">
            <FolderTree aria-hidden className="size-8 text-indigo-600 dark:text-indigo-400" />
            <span>
              <span className="block text-base font-semibold group-hover:underline">Browse the categories</span>
              <span className="block text-sm text-slate-600 dark:text-slate-400">
                The catalog tree: search it, open any category to see its path and details
                {can(permissions, ['categories:write']) ? ', and keep it in shape.' : '.'}
              </span>
            </span>
          </Link>
        </Card>
      )}
      <Card>
        <h2 className="text-base font-semibold">What you can do here</h2>
        {permissions.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">Your account has no roles yet. Ask an administrator to assign one.</p>
        ) : (
          <ul className="mt-3 grid gap-2 sm:grid-cols-2" aria-label="Your permissions">
            {permissions.map((p) => (
              <li key={p} className="rounded-md bg-slate-50 px-3 py-2 text-sm dark:bg-slate-800">
                <span className="font-mono text-xs text-indigo-700 dark:text-indigo-300">{p}</span>
                <span className="block text-slate-600 dark:text-slate-400">{PERMISSIONS[p].description}</span>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  )
}
