import { Link } from '@tanstack/react-router'
import { FolderTree, History, type LucideIcon, MailPlus, Settings, Shield, UserCircle, UserPlus, Users, UsersRound } from 'lucide-react'
import type { ReactNode } from 'react'
import { PageHeader } from '../../components/app-shell'
import { Card } from '../../components/ui'
import { can } from '../../lib/navigation'
import type { Permission } from '../../lib/permissions'
import { AuditEventList } from '../audit/event-list'
import type { getDashboard } from './dashboard.functions'

export type DashboardData = Awaited<ReturnType<typeof getDashboard>>
type Count = { n: number; capped: boolean } | null

const countText = (c: { n: number; capped: boolean }) => `${c.n.toLocaleString()}${c.capped ? '+' : ''}`
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' })

type Shortcut = { to: string; label: string; description: string; icon: LucideIcon; anyOf?: Permission[] }

/** What the person can do from here, in words: never the internal permission keys. */
const SHORTCUTS: Shortcut[] = [
  { to: '/tenant/admin/users', label: 'Invite a person', description: 'Send an invitation link or add someone directly', icon: UserPlus, anyOf: ['users:write'] },
  { to: '/tenant/admin/users', label: 'Find a person', description: 'Search the people of this workspace', icon: Users, anyOf: ['users:read'] },
  { to: '/tenant/admin/teams', label: 'Organizations and teams', description: 'See who works together', icon: UsersRound, anyOf: ['teams:read'] },
  { to: '/tenant/categories', label: 'Browse the categories', description: 'Search the tree and open any category', icon: FolderTree, anyOf: ['categories:read'] },
  { to: '/tenant/admin/roles', label: 'Roles and permissions', description: 'Decide who may do what', icon: Shield, anyOf: ['roles:manage'] },
  { to: '/tenant/admin/audit', label: 'Audit log', description: 'Everything that changed, and who changed it', icon: History, anyOf: ['audit:read'] },
  { to: '/tenant/admin/settings', label: 'Workspace settings', description: 'Name, defaults and security', icon: Settings, anyOf: ['tenant:manage'] },
  { to: '/tenant/profile', label: 'Your profile', description: 'Your name, password, language and theme', icon: UserCircle },
]

function Stat({ label, count, to }: { label: string; count: Count; to: string }) {
  if (!count) return null
  return (
    <Link
      to={to}
      className="rounded-xl bg-white p-4 ring-1 ring-slate-200 outline-none hover:ring-indigo-300 focus-visible:ring-2 focus-visible:ring-indigo-500 dark:bg-slate-900 dark:ring-slate-800 dark:hover:ring-indigo-700"
    >
      <span className="block text-sm text-slate-600 dark:text-slate-400">{label}</span>
      <span className="mt-1 block text-2xl font-bold tabular-nums">{countText(count)}</span>
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
  const shortcuts = SHORTCUTS.filter((s) => can(permissions, s.anyOf))
  const hasStats = Boolean(data.people || data.teams || data.categories || data.pending)
  return (
    <>
      <PageHeader title={`Welcome, ${firstName}`} description={`You are signed in to ${workspace}`} />
      {permissions.length === 0 && (
        <Card className="mb-6">
          <p className="text-sm">Your account has no roles yet. Ask an administrator of {workspace} to give you one.</p>
        </Card>
      )}
      {hasStats && (
        <section aria-label="At a glance" className="mb-6 grid grid-cols-2 gap-4 lg:grid-cols-4">
          <Stat label="People" count={data.people} to="/tenant/admin/users" />
          <Stat label="Teams" count={data.teams} to="/tenant/admin/teams" />
          <Stat label="Categories" count={data.categories} to="/tenant/categories" />
          <Stat label="Pending invitations" count={data.pending?.total ?? null} to="/tenant/admin/users" />
        </section>
      )}
      <div className="grid gap-6 lg:grid-cols-2">
        {data.activity && (
          <Section
            title="Recent activity"
            action={
              <Link to="/tenant/admin/audit" className={moreLink}>
                Open the audit log
              </Link>
            }
          >
            {data.activity.length === 0 ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">Nothing has happened yet.</p>
            ) : (
              <div className="-mx-4">
                <AuditEventList items={data.activity} />
              </div>
            )}
          </Section>
        )}
        {data.pending && (
          <Section
            title="Pending invitations"
            action={
              <Link to="/tenant/admin/users" className={moreLink}>
                Manage invitations
              </Link>
            }
          >
            {data.pending.newest.length === 0 ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">No one is waiting to join.</p>
            ) : (
              <ul className="divide-y divide-slate-100 text-sm dark:divide-slate-800">
                {data.pending.newest.map((i) => (
                  <li key={i.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                    <span className="flex items-center gap-2">
                      <MailPlus aria-hidden className="size-4 text-slate-500" />
                      <span className="font-medium">{i.email}</span>
                      {i.roleName && <span className="text-slate-600 dark:text-slate-400">as {i.roleName}</span>}
                    </span>
                    <span className="text-slate-600 dark:text-slate-400">
                      {i.expired ? 'Expired' : `Expires ${dateFormat.format(new Date(i.expiresAt))}`}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </Section>
        )}
        <Section title="Shortcuts">
          <ul className="grid gap-2 sm:grid-cols-2" aria-label="Shortcuts">
            {shortcuts.map((s) => (
              <li key={s.label}>
                <Link
                  to={s.to}
                  className="group flex items-start gap-3 rounded-md p-2 outline-none hover:bg-slate-50 focus-visible:ring-2 focus-visible:ring-indigo-500 dark:hover:bg-slate-800"
                >
                  <s.icon aria-hidden className="mt-0.5 size-5 shrink-0 text-indigo-600 dark:text-indigo-400" />
                  <span>
                    <span className="block text-sm font-semibold group-hover:underline">{s.label}</span>
                    <span className="block text-sm text-slate-600 dark:text-slate-400">{s.description}</span>
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
