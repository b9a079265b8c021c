import { Link } from '@tanstack/react-router'
import { FolderTree, History, type LucideIcon, MailPlus, Settings, Shield, UserCircle, UserPlus, Users, UsersRound } from 'lucide-react'
import type { ReactNode } from 'react'
import { PageHeader } from '~/components/app-shell'
import { Card } from '~/components/ui'
import type { MessageKey } from '~/lib/i18n'
import { useI18n } from '~/lib/i18n/react'
import { can } from '~/lib/navigation'
import type { Permission } from '~/lib/permissions'
import { AuditEventList } from '../audit/event-list'
import type { getDashboard } from './dashboard.functions'

export type DashboardData = Awaited<ReturnType<typeof getDashboard>>
type Count = { n: number; capped: boolean } | null


type Shortcut = { to: string; label: MessageKey; description: MessageKey; icon: LucideIcon; anyOf?: Permission[] }

/** What the person can do from here, in words: never the internal permission keys. */
const SHORTCUTS: Shortcut[] = [
  { to: '/tenant/admin/users', label: 'dashboard.inviteLabel', description: 'dashboard.inviteDesc', icon: UserPlus, anyOf: ['users:write'] },
  { to: '/tenant/admin/users', label: 'dashboard.findLabel', description: 'dashboard.findDesc', icon: Users, anyOf: ['users:read'] },
  { to: '/tenant/admin/teams', label: 'dashboard.teamsLabel', description: 'dashboard.teamsDesc', icon: UsersRound, anyOf: ['teams:read'] },
  { to: '/tenant/categories', label: 'dashboard.categoriesLabel', description: 'dashboard.categoriesDesc', icon: FolderTree, anyOf: ['categories:read'] },
  { to: '/tenant/admin/roles', label: 'dashboard.rolesLabel', description: 'dashboard.rolesDesc', icon: Shield, anyOf: ['roles:manage'] },
  { to: '/tenant/admin/audit', label: 'dashboard.auditLabel', description: 'dashboard.auditDesc', icon: History, anyOf: ['audit:read'] },
  { to: '/tenant/admin/settings', label: 'dashboard.settingsLabel', description: 'dashboard.settingsDesc', icon: Settings, anyOf: ['tenant:manage'] },
  { to: '/tenant/profile', label: 'dashboard.profileLabel', description: 'dashboard.profileDesc', icon: UserCircle },
]

function Stat({ label, count, to }: { label: string; count: Count; to: string }) {
  const { format } = useI18n()
  if (!count) return null
  return (
    <Link
      to={to}
      className="rounded-xl bg-white p-4 ring-1 ring-slate-200 outline-none hover:ring-indigo-300 focus-visible:ring-2 focus-visible:ring-indigo-500 dark:bg-slate-900 dark:ring-slate-800 dark:hover:ring-indigo-700"
    >
      <span className="block text-sm text-slate-600 dark:text-slate-400">{label}</span>
      <span className="mt-1 block text-2xl font-bold tabular-nums">{`${format.number.format(count.n)}${count.capped ? '+' : ''}`}</span>
    </Link>
  )
}

function Section({ title, children, action }: { title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <Card className="min-w-0">
      <div className="mb-2 flex items-baseline justify-between gap-2">
        <h2 className="text-base font-semibold">{title}</h2>
        {action}
      </div>
      {children}
    </Card>
  )
}

const moreLink = 'text-sm font-medium text-indigo-700 hover:underline dark:text-indigo-300'

/** The workspace at a glance, for what this person may see. */
export function DashboardView({
  data,
  firstName,
  workspace,
  permissions,
}: {
  data: DashboardData
  firstName: string
  workspace: string
  permissions: readonly Permission[]
}) {
  const { t, format } = useI18n()
  const shortcuts = SHORTCUTS.filter((s) => can(permissions, s.anyOf))
  const hasStats = Boolean(data.people || data.teams || data.categories || data.pending)
  return (
    <>
      <PageHeader title={t('dashboard.welcome', { name: firstName })} description={t('dashboard.signedInTo', { workspace })} />
      {permissions.length === 0 && (
        <Card className="mb-6">
          <p className="text-sm">{t('dashboard.noRoles', { workspace })}</p>
        </Card>
      )}
      {hasStats && (
        <section aria-label={t('dashboard.atAGlance')} className="mb-6 grid grid-cols-2 gap-4 lg:grid-cols-4">
          <Stat label={t('dashboard.people')} count={data.people} to="/tenant/admin/users" />
          <Stat label={t('dashboard.teams')} count={data.teams} to="/tenant/admin/teams" />
          <Stat label={t('dashboard.categories')} count={data.categories} to="/tenant/categories" />
          <Stat label={t('dashboard.pending')} count={data.pending?.total ?? null} to="/tenant/admin/users" />
        </section>
      )}
      <div className="grid gap-6 lg:grid-cols-2">
        {data.activity && (
          <Section
            title={t('dashboard.recent')}
            action={
              <Link to="/tenant/admin/audit" className={moreLink}>
                {t('dashboard.openAudit')}
              </Link>
            }
          >
            {data.activity.length === 0 ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">{t('dashboard.nothingYet')}</p>
            ) : (
              <div className="-mx-4">
                <AuditEventList items={data.activity} />
              </div>
            )}
          </Section>
        )}
        {data.pending && (
          <Section
            title={t('dashboard.pending')}
            action={
              <Link to="/tenant/admin/users" className={moreLink}>
                {t('dashboard.manageInvitations')}
              </Link>
            }
          >
            {data.pending.newest.length === 0 ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">{t('dashboard.noneWaiting')}</p>
            ) : (
              <ul className="divide-y divide-slate-100 text-sm dark:divide-slate-800">
                {data.pending.newest.map((i) => (
                  <li key={i.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                    <span className="flex items-center gap-2">
                      <MailPlus aria-hidden className="size-4 text-slate-500" />
                      <span className="font-medium">{i.email}</span>
                      {i.roleName && <span className="text-slate-600 dark:text-slate-400">{t('dashboard.asRole', { role: i.roleName })}</span>}
                    </span>
                    <span className="text-slate-600 dark:text-slate-400">
                      {i.expired ? t('dashboard.expired') : t('dashboard.expires', { date: format.date.format(new Date(i.expiresAt)) })}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </Section>
        )}
        <Section title={t('dashboard.shortcuts')}>
          <ul className="grid gap-2 sm:grid-cols-2" aria-label={t('dashboard.shortcuts')}>
            {shortcuts.map((s) => (
              <li key={s.label}>
                <Link
                  to={s.to}
                  className="group flex items-start gap-3 rounded-md p-2 outline-none hover:bg-slate-50 focus-visible:ring-2 focus-visible:ring-indigo-500 dark:hover:bg-slate-800"
                >
                  <s.icon aria-hidden className="mt-0.5 size-5 shrink-0 text-indigo-600 dark:text-indigo-400" />
                  <span>
                    <span className="block text-sm font-semibold group-hover:underline">{t(s.label)}</span>
                    <span className="block text-sm text-slate-600 dark:text-slate-400">{t(s.description)}</span>
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </Section>
      </div>
    </>
  )
}
