import { createFileRoute, Link } from '@tanstack/react-router'
import { PageHeader } from '~/components/app-shell'
import { Card, Skeleton } from '~/components/ui'
import { ActivityChart } from '~/features/console/console-ui'
import { getConsoleOverview } from '~/features/console/console.functions'
import { useI18n } from '~/lib/i18n/react'
import { pageTitle } from '~/lib/i18n/title'

export const Route = createFileRoute('/console/_app/')({
  loader: () => getConsoleOverview(),
  pendingComponent: () => <Skeleton className="h-64 w-full" />,
  head: ({ match }) => pageTitle(match.context, 'console.overview.title'),
  component: Overview,
})

function Overview() {
  const { user } = Route.useRouteContext()
  const { activity, stepUpUntil } = Route.useLoaderData()
  const { t, format } = useI18n()
  const steppedUp = stepUpUntil && new Date(stepUpUntil) > new Date()
  return (
    <>
      <PageHeader
        title={t('console.overview.title')}
        description={
          <>
            {t('console.overview.signedInAs', { email: user.email })}
            {steppedUp && <> {t('console.overview.unlocked', { time: format.dateTime.format(new Date(stepUpUntil)) })}</>}
          </>
        }
      />
      <div className="space-y-6">
        <Card>
          <ActivityChart data={activity} label={t('console.overview.activity')} />
        </Card>
        <div className="grid gap-4 sm:grid-cols-3">
          {[
            { to: '/console/tenants', title: t('nav.tenants'), text: t('console.overview.tenants') },
            { to: '/console/users', title: t('nav.peopleSearch'), text: t('console.overview.people') },
            { to: '/console/audit', title: t('nav.audit'), text: t('console.overview.audit') },
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
