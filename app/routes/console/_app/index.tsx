import { createFileRoute, Link } from '@tanstack/react-router'
import { PageHeader } from '~/components/app-shell'
import { Card, Skeleton } from '~/components/ui'
import { ActivityChart, dateTime, formatDate } from '~/features/console/console-ui'
import { getConsoleOverview } from '~/features/console/console.functions'

export const Route = createFileRoute('/console/_app/')({
  loader: () => getConsoleOverview(),
  pendingComponent: () => <Skeleton className="h-64 w-full" />,
  head: () => ({ meta: [{ title: 'Console — Haven' }] }),
  component: Overview,
})

function Overview() {
  const { user } = Route.useRouteContext()
  const { activity, stepUpUntil } = Route.useLoaderData()
  const steppedUp = stepUpUntil && new Date(stepUpUntil) > new Date()
  return (
    <>
      <PageHeader
        title="Console"
        description={
          <>
            Signed in as {user.email} (superuser). Every look into a tenant and every change here is recorded in that tenant's audit log.
            {steppedUp && <> Sensitive actions are unlocked until {formatDate(stepUpUntil, dateTime)}.</>}
          </>
        }
      />
      <div className="space-y-6">
        <Card>
          <ActivityChart data={activity} label="Activity across all tenants" />
        </Card>
        <div className="grid gap-4 sm:grid-cols-3">
          {[
            { to: '/console/tenants', title: 'Tenants', text: 'Provision, suspend, reactivate and delete workspaces.' },
            { to: '/console/users', title: 'People search', text: 'Find a person by email or name in every tenant.' },
            { to: '/console/audit', title: 'Audit log', text: "Every tenant's events and the console's own." },
          ].map((c) => (
            <Link key={c.to} to={c.to} className="block rounded-xl border border-slate-200 p-4 hover:border-indigo-400 dark:border-slate-800">
              <span className="font-semibold">{c.title}</span>
              <span className="mt-1 block text-sm text-slate-600 dark:text-slate-400">{c.text}</span>
            </Link>
          ))}
        </div>
      </div>
    </>
  )
}
