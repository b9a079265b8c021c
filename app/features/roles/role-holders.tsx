import { getRouteApi, Link } from '@tanstack/react-router'
import { ArrowLeft, Lock } from 'lucide-react'
import { PageHeader } from '~/components/app-shell'
import { Badge, Card, EmptyState } from '~/components/ui'
import { TableHead } from '~/components/ui/table-head'
import { TableScroller } from '~/components/ui/table-scroller'
import { useI18n } from '~/lib/i18n/react'
import { roleDescription, roleName } from '~/lib/i18n/roles'
import { can } from '~/lib/navigation'
import { HistoryTabs } from '../audit/history-tabs'
import type { getRole } from './roles.functions'

const Route = getRouteApi('/tenant/_app/admin/roles_/$roleId')

export type RolePageData = Awaited<ReturnType<typeof getRole>>

const linkClass = 'font-medium text-indigo-700 hover:underline dark:text-indigo-300'

/** One role: what it allows (in words, not keys) and who holds it, granted by whom and when, each linking to the person. */
export function RoleHolders({ data }: { data: RolePageData }) {
  const { role, holders, total } = data
  const { t, format } = useI18n()
  const { permissions } = Route.useRouteContext()
  return (
    <>
      <Link to="/tenant/admin/roles" className="mb-3 inline-flex items-center gap-1 text-sm text-slate-700 hover:underline dark:text-slate-300">
        <ArrowLeft aria-hidden className="size-4" /> {t('roleHolders.allRoles')}
      </Link>
      <PageHeader
        title={roleName(t, role)}
        description={
          <>
            {role.isSystem && (
              <span className="mr-2 inline-flex items-center gap-1">
                <Lock aria-hidden className="size-3.5" /> {t('roleHolders.builtIn')}
              </span>
            )}
            {roleDescription(t, role) || null}
          </>
        }
      />
      <HistoryTabs key={role.id} label={t('user.details')} entity="roles" recordId={role.id} showHistory={can(permissions, ['audit:read'])}>
      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="min-w-0 lg:col-span-2">
          <h2 className="text-base font-semibold">
            {t('roleHolders.whoHolds')} <Badge>{format.number.format(total)}</Badge>
          </h2>
          {holders.length === 0 ? (
            <EmptyState title={t('roleHolders.nobodyTitle')}>{t('roleHolders.nobodyBody')}</EmptyState>
          ) : (
            <>
              <TableScroller label={t('roleHolders.caption', { name: roleName(t, role) })} className="mt-2">
                <table className="min-w-full text-left text-sm">
                  <caption className="sr-only">{t('roleHolders.caption', { name: roleName(t, role) })}</caption>
                  <TableHead columns={[t('roleHolders.person'), t('roleHolders.grantedBy'), t('roleHolders.granted')]} />
                  <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                    {holders.map((h) => (
                      <tr key={h.id}>
                        <td className="py-2 pr-3">
                          <Link to="/tenant/admin/users/$userId" params={{ userId: h.id }} className={linkClass}>
                            {h.fullName}
                          </Link>
                          <span className="block text-xs text-slate-600 dark:text-slate-400">{h.email}</span>
                          {!h.isActive && <Badge tone="warning">{t('users.deactivated')}</Badge>}
                        </td>
                        <td className="px-3 py-2">
                          {h.grantedById && h.grantedBy ? (
                            <Link to="/tenant/admin/users/$userId" params={{ userId: h.grantedById }} className={linkClass}>
                              {h.grantedBy}
                            </Link>
                          ) : (
                            <span className="text-slate-600 dark:text-slate-400">{h.grantedById ? t('roleHolders.formerPerson') : t('roleHolders.setUp')}</span>
                          )}
                        </td>
                        <td className="whitespace-nowrap px-3 py-2">{format.dateTime.format(new Date(h.grantedAt))}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableScroller>
              {total > holders.length && (
                <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">
                  {t('roleHolders.showing', { count: holders.length })}{' '}
                  <Link to="/tenant/admin/users" search={{ roleId: role.id }} className={linkClass}>
                    {t('roleHolders.seeAll', { count: total })}
                  </Link>
                </p>
              )}
            </>
          )}
        </Card>
        <Card className="min-w-0 self-start">
          <h2 className="text-base font-semibold">{t('roleHolders.allows')}</h2>
          {role.permissions.length === 0 ? (
            <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">{t('roleHolders.nothingYet')}</p>
          ) : (
            <ul className="mt-2 space-y-1 text-sm">
              {role.permissions.map((p) => (
                <li key={p}>{t(`permissions.${p}`)}</li>

              ))}
            </ul>
          )}
        </Card>
      </div>
      </HistoryTabs>
    </>
  )
}
