import { createFileRoute } from '@tanstack/react-router'
import { PageHeader } from '../../../components/app-shell'
import { Card } from '../../../components/ui'
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
