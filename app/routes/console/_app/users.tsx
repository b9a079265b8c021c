import { createFileRoute, Link, useNavigate } from '@tanstack/react-router'
import { Search } from 'lucide-react'
import { type FormEvent, useState } from 'react'
import { z } from 'zod'
import { PageHeader } from '~/components/app-shell'
import { Badge, Button, Card, EmptyState, Field, Skeleton } from '~/components/ui'
import { searchAllUsers } from '~/features/console/console.functions'
import { useI18n } from '~/lib/i18n/react'
import { consoleTitle } from '~/lib/i18n/title'
import { TableScroller } from '~/components/ui/table-scroller'

const searchSchema = z.object({ q: z.string().optional(), cursor: z.string().optional(), back: z.array(z.string()).optional() })

export const Route = createFileRoute('/console/_app/users')({
  validateSearch: searchSchema,
  loaderDeps: ({ search }) => ({ q: search.q, cursor: search.cursor }),
  loader: ({ deps }) => (deps.q && deps.q.trim().length >= 2 ? searchAllUsers({ data: { q: deps.q, cursor: deps.cursor } }) : null),
  pendingComponent: () => <Skeleton className="h-64 w-full" />,
  head: ({ match }) => consoleTitle(match.context, { key: 'nav.peopleSearch' }),
  component: UserSearch,
})

function UserSearch() {
  const page = Route.useLoaderData()
  const search = Route.useSearch()
  const navigate = useNavigate({ from: Route.fullPath })
  const [q, setQ] = useState(search.q ?? '')
  const [error, setError] = useState<string>()
  const { t } = useI18n()

  function onSubmit(event: FormEvent) {
    event.preventDefault()
    if (q.trim().length < 2) {
      setError(t('console.search.tooShort'))
      return
    }
    setError(undefined)
    navigate({ search: { q: q.trim() } })
  }

  return (
    <>
      <PageHeader title={t('nav.peopleSearch')} description={t('console.search.description')} />
      <Card>
        <form onSubmit={onSubmit} className="mb-4 flex items-end gap-3">
          <Field label={t('console.search.label')} name="q" value={q} onChange={(e) => setQ(e.target.value)} error={error} className="flex-1" autoFocus />
          <Button type="submit">
            <Search aria-hidden className="size-4" /> {t('common.search')}
          </Button>
        </form>
        {!page ? (
          <p className="text-sm text-slate-500 dark:text-slate-400">{t('console.search.hint')}</p>
        ) : page.items.length === 0 ? (
          <EmptyState title={t('console.search.nobody')}>{t('console.search.noMatch', { q: search.q })}</EmptyState>
        ) : (
          <TableScroller label={t('nav.peopleSearch')}>
            <table className="w-full text-left text-sm">
              <thead className="text-xs uppercase text-slate-500 dark:text-slate-400">
                <tr>
                  <th className="py-2 pr-3">{t('common.name')}</th>
                  <th className="py-2 pr-3">{t('common.email')}</th>
                  <th className="py-2 pr-3">{t('console.search.tenant')}</th>
                  <th className="py-2">{t('common.status')}</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {page.items.map((u) => (
                  <tr key={`${u.tenantId}:${u.id}`}>
                    <td className="py-2 pr-3 font-medium">{u.fullName}</td>
                    <td className="py-2 pr-3">{u.email}</td>
                    <td className="py-2 pr-3">
                      {u.tenantSlug === 'console' ? (
                        <span className="font-mono text-xs">console</span>
                      ) : (
                        <Link to="/console/tenants/$tenantId" params={{ tenantId: u.tenantId }} search={{ q: u.email }} className="text-indigo-600 hover:underline dark:text-indigo-400">
                          {u.tenantName} <span className="font-mono text-xs">({u.tenantSlug})</span>
                        </Link>
                      )}
                    </td>
                    <td className="py-2">{u.isActive ? <Badge tone="success">{t('console.status.active')}</Badge> : <Badge>{t('console.status.deactivated')}</Badge>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroller>
        )}
        {page && (
          <nav aria-label={t('console.search.pages')} className="mt-4 flex justify-end gap-2">
            <Button
              variant="secondary"
              disabled={!search.cursor}
              onClick={() => {
                const back = [...(search.back ?? [])]
                const previous = back.pop()
                navigate({ search: (prev) => ({ ...prev, cursor: previous || undefined, back }) })
              }}
            >
              {t('common.previous')}
            </Button>
            <Button
              variant="secondary"
              disabled={!page.nextCursor}
              onClick={() => navigate({ search: (prev) => ({ ...prev, cursor: page.nextCursor ?? undefined, back: [...(prev.back ?? []), prev.cursor ?? ''] }) })}
            >
              {t('common.next')}
            </Button>
          </nav>
        )}
      </Card>
    </>
  )
}
