import { useI18n } from '~/lib/i18n/react'
import { getRouteApi, Link, useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { Pencil, Search, Trash2, UserMinus, UserPlus } from 'lucide-react'
import { type FormEvent, useEffect, useState } from 'react'
import { toast } from 'sonner'
import { PageHeader } from '~/components/app-shell'
import { Alert, Badge, Button, Card, EmptyState, Field, Select, Skeleton } from '~/components/ui'
import { ConfirmDialog } from '~/components/ui/confirm'
import { PageNumbers } from '~/components/ui/pager'
import { TableHead } from '~/components/ui/table-head'
import { HistoryTabs } from '../audit/history-tabs'
import { EntityDialog, type EntityValues } from './entity-dialog'
import {
  addTeamMember,
  deleteTeam,
  listOrganizations,
  type listTeamMembers,
  removeTeamMember,
  setTeamMemberRole,
  updateTeam,
} from './teams.functions'
import { listUsers } from '../users/users.functions'
import { TEAM_ROLES, type TeamRole } from '~/lib/enums'
import { errorMessage } from '~/lib/errors'
import { can } from '~/lib/navigation'
import { TableScroller } from '~/components/ui/table-scroller'

const Route = getRouteApi('/tenant/_app/admin/teams/$teamId')

export const MEMBERS_PER_PAGE = 50

type Member = Awaited<ReturnType<typeof listTeamMembers>>['items'][number]

export function TeamLoading() {
  const { t } = useI18n()
  return (
    <div aria-busy="true" className="space-y-4">
      <span className="sr-only">{t('team.loading')}</span>
      <Skeleton className="h-5 w-48" />
      <Skeleton className="h-8 w-72" />
      <Skeleton className="h-32 w-full" />
      <Skeleton className="h-64 w-full" />
    </div>
  )
}

export function TeamPage() {
  const { team, members } = Route.useLoaderData()
  const search = Route.useSearch()
  const { permissions } = Route.useRouteContext()
  const canWrite = can(permissions, ['teams:write'])
  const canSeePeople = can(permissions, ['users:read'])
  const navigate = Route.useNavigate()
  const router = useRouter()
  const { t } = useI18n()
  const saveTeam = useServerFn(updateTeam)
  const removeTeam = useServerFn(deleteTeam)
  const changeRole = useServerFn(setTeamMemberRole)
  const removeMember = useServerFn(removeTeamMember)
  const loadOrganizations = useServerFn(listOrganizations)
  const [editing, setEditing] = useState<{ id: string; name: string }[] | null>(null)
  const [confirm, setConfirm] = useState<{ kind: 'team' } | { kind: 'member'; member: Member } | null>(null)
  const [roleDrafts, setRoleDrafts] = useState<Record<string, TeamRole>>({})
  const pages = Math.max(1, Math.ceil(members.total / members.pageSize))

  async function openEdit() {
    try {
      const organizations = await loadOrganizations({ data: { page: 1, pageSize: 100 } })
      const options = organizations.items.map(({ id, name }) => ({ id, name }))
      if (!options.some((o) => o.id === team.organizationId)) options.unshift({ id: team.organizationId, name: team.organizationName })
      setEditing(options)
    } catch (e) {
      toast.error(errorMessage(e))
    }
  }

  async function onSave(values: EntityValues) {
    await saveTeam({ data: { id: team.id, data: values } })
    toast.success(t('teams.teamSaved'))
    await router.invalidate()
  }

  async function onRole(member: Member, role: TeamRole) {
    setRoleDrafts((d) => ({ ...d, [member.userId]: role }))
    try {
      await changeRole({ data: { teamId: team.id, userId: member.userId, role } })
      toast.success(t('team.roleChanged', { name: member.fullName, role: t(`teamRoles.${role}`), team: team.name }))
    } catch (e) {
      toast.error(errorMessage(e))
    }
    await router.invalidate()
    setRoleDrafts(({ [member.userId]: _, ...rest }) => rest)
  }

  async function onConfirm() {
    if (!confirm) return
    if (confirm.kind === 'team') {
      await removeTeam({ data: { id: team.id } })
      toast.success(t('teams.teamDeleted', { name: team.name }))
      await navigate({ to: '/tenant/admin/teams', search: { org: team.organizationId } })
      return
    }
    await removeMember({ data: { teamId: team.id, userId: confirm.member.userId } })
    toast.success(t('team.removed', { name: confirm.member.fullName, team: team.name }))
    await router.invalidate()
  }

  function onSearch(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const q = String(new FormData(event.currentTarget).get('q') ?? '').trim()
    void navigate({ search: { q: q || undefined } })
  }

  return (
    <>
      <nav aria-label={t('team.breadcrumb')} className="mb-2 text-sm text-slate-600 dark:text-slate-400">
        <ol className="flex flex-wrap items-center gap-1">
          <li>
            <Link to="/tenant/admin/teams" className="hover:underline">
              {t('nav.teams')}
            </Link>
          </li>
          <li aria-hidden>/</li>
          <li>
            <Link to="/tenant/admin/teams" search={{ org: team.organizationId }} className="hover:underline">
              {team.organizationName}
            </Link>
          </li>
        </ol>
      </nav>
      <PageHeader
        title={team.name}
        description={team.description || t('team.teamOf', { org: team.organizationName })}
        actions={
          canWrite && (
            <>
              <Button variant="secondary" onClick={openEdit}>
                <Pencil aria-hidden className="size-4" /> {t('teams.editTeam')}
              </Button>
              <Button variant="secondary" onClick={() => setConfirm({ kind: 'team' })}>
                <Trash2 aria-hidden className="size-4" /> {t('teams.deleteTeam')}
              </Button>
            </>
          )
        }
      />

      <HistoryTabs label={t('team.members')} entity="teams" recordId={team.id} showHistory={can(permissions, ['audit:read'])}>
      <div className="space-y-6">
        {canWrite &&
          (canSeePeople ? (
            <AddMember teamId={team.id} teamName={team.name} memberIds={members.items.map((m) => m.userId)} />
          ) : (
            <Alert tone="info">{t('team.needsUsersRead')}</Alert>
          ))}

        <Card>
          <div className="flex flex-wrap items-end justify-between gap-4">
            <h2 className="text-base font-semibold">
              {t('team.members')} <span className="font-normal text-slate-500 dark:text-slate-400">({team.memberCount})</span>
            </h2>
            {(team.memberCount > 10 || search.q) && (
              <form onSubmit={onSearch} className="flex items-end gap-2">
                <Field label={t('team.searchMembers')} name="q" type="search" defaultValue={search.q ?? ''} />
                <Button type="submit" variant="secondary" aria-label={t('team.searchMembers')}>
                  <Search aria-hidden className="size-4" />
                </Button>
              </form>
            )}
          </div>
          {members.items.length === 0 ? (
            <div className="mt-4">
              <EmptyState title={search.q ? t('team.noMatch', { q: search.q }) : t('team.noMembers')}>
                {!search.q && (canWrite ? t('team.addHint') : t('team.adminCanAdd'))}
              </EmptyState>
            </div>
          ) : (
            <TableScroller label={t('team.members')} className="mt-4">
              <table className="w-full text-left text-sm">
                <TableHead
                  columns={[t('team.person'), { label: t('team.teamRole'), className: 'w-44' }, ...(canWrite ? [{ label: t('common.actions'), hidden: true, end: true }] : [])]}
                />
                <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                  {members.items.map((m) => (
                    <tr key={m.userId}>
                      <td className="py-3 pr-3">
                        {canSeePeople ? (
                          <Link to="/tenant/admin/users/$userId" params={{ userId: m.userId }} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
                            {m.fullName}
                          </Link>
                        ) : (
                          <span className="font-medium">{m.fullName}</span>
                        )}
                        {!m.isActive && (
                          <span className="ml-2">
                            <Badge tone="warning">{t('users.deactivated')}</Badge>
                          </span>
                        )}
                        <span className="block break-all text-slate-600 dark:text-slate-400">{m.email}</span>
                      </td>
                      <td className="px-3 py-3">
                        {canWrite ? (
                          <Select
                            label={t('team.teamRoleOf', { name: m.fullName })}
                            hideLabel
                            className="min-w-28"
                            value={roleDrafts[m.userId] ?? m.role}
                            disabled={m.userId in roleDrafts}
                            onChange={(e) => void onRole(m, e.target.value as TeamRole)}
                          >
                            {TEAM_ROLES.map((r) => (
                              <option key={r} value={r}>
                                {t(`teamRoles.${r}`)}
                              </option>
                            ))}
                          </Select>
                        ) : (
                          <Badge tone={m.role === 'owner' ? 'info' : 'neutral'}>{t(`teamRoles.${m.role}`)}</Badge>
                        )}
                      </td>
                      {canWrite && (
                        <td className="py-3 pl-3 text-right">
                          <Button variant="ghost" aria-label={t('team.removeName', { name: m.fullName })} onClick={() => setConfirm({ kind: 'member', member: m })}>
                            <UserMinus aria-hidden className="size-4" />
                          </Button>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroller>
          )}
          {pages > 1 && (
            <PageNumbers
              label={t('team.memberPages')}
              className="mt-4"
              page={members.page}
              pages={pages}
              onPage={(page) => navigate({ search: (p) => ({ ...p, page }) })}
            />
          )}
        </Card>
      </div>
      </HistoryTabs>

      <EntityDialog
        open={editing !== null}
        title={t('teams.editTeam')}
        submitLabel={t('common.save')}
        initial={team}
        organizations={editing ?? []}
        onSubmit={onSave}
        onClose={() => setEditing(null)}
      />
      <ConfirmDialog
        open={confirm !== null}
        title={
          confirm?.kind === 'member'
            ? t('team.removeTitle', { name: confirm.member.fullName, team: team.name })
            : t('teams.deleteTeamTitle', { name: team.name })
        }
        confirmLabel={confirm?.kind === 'member' ? t('team.removeMember') : t('teams.deleteTeam')}
        onConfirm={onConfirm}
        onClose={() => setConfirm(null)}
      >
        <p>
          {confirm?.kind === 'member'
            ? t('team.removeBody')
            : t('teams.teamToTrash')}
        </p>
      </ConfirmDialog>
    </>
  )
}

type Candidate = Awaited<ReturnType<typeof listUsers>>['items'][number]

/** Finds people of this workspace by name or email (the users list, searched in SQL) and adds them with a role. */
function AddMember({ teamId, teamName, memberIds }: { teamId: string; teamName: string; memberIds: string[] }) {
  const router = useRouter()
  const { t } = useI18n()
  const findPeople = useServerFn(listUsers)
  const add = useServerFn(addTeamMember)
  const [q, setQ] = useState('')
  const [role, setRole] = useState<TeamRole>('member')
  const [results, setResults] = useState<Candidate[] | null>(null)
  const [searching, setSearching] = useState(false)
  const [adding, setAdding] = useState<string | null>(null)
  const [error, setError] = useState<string>()

  useEffect(() => {
    const term = q.trim()
    if (!term) {
      setResults(null)
      return
    }
    let cancelled = false
    // Waits for a pause in typing, so one search runs per word rather than per keystroke.
    const timer = setTimeout(async () => {
      setSearching(true)
      setError(undefined)
      try {
        const page = await findPeople({ data: { q: term, pageSize: 8 } })
        if (!cancelled) setResults(page.items)
      } catch (e) {
        if (!cancelled) setError(errorMessage(e))
      } finally {
        if (!cancelled) setSearching(false)
      }
    }, 250)
    return () => {
      cancelled = true
      clearTimeout(timer)
    }
  }, [q, findPeople])

  async function onAdd(person: Candidate) {
    setAdding(person.id)
    try {
      await add({ data: { teamId, userId: person.id, role } })
      toast.success(t('team.added', { name: person.fullName, team: teamName, role: t(`teamRoles.${role}`) }))
      await router.invalidate()
    } catch (e) {
      toast.error(errorMessage(e))
    } finally {
      setAdding(null)
    }
  }

  return (
    <Card>
      <h2 className="text-base font-semibold">{t('team.addMember')}</h2>
      <div className="mt-4 grid gap-4 sm:grid-cols-[1fr_12rem]">
        <Field
          label={t('team.findPerson')}
          type="search"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder={t('team.namePlaceholder')}
          autoComplete="off"
          hint={t('team.findHint')}
        />
        <Select label={t('team.teamRole')} value={role} onChange={(e) => setRole(e.target.value as TeamRole)}>
          {TEAM_ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`teamRoles.${r}`)}
            </option>
          ))}
        </Select>
      </div>
      <div aria-live="polite" className="mt-3">
        {error && <Alert>{error}</Alert>}
        {searching && !results && <p className="text-sm text-slate-600 dark:text-slate-400">{t('team.searching')}</p>}
        {results && results.length === 0 && <p className="text-sm text-slate-600 dark:text-slate-400">{t('team.nobody', { q: q.trim() })}</p>}
        {results && results.length > 0 && (
          <ul aria-label={t('team.found')} aria-busy={searching || undefined} className="divide-y divide-slate-100 rounded-md ring-1 ring-slate-200 dark:divide-slate-800 dark:ring-slate-800">
            {results.map((person) => {
              const member = memberIds.includes(person.id)
              return (
                <li key={person.id} className="flex items-center justify-between gap-4 px-3 py-2">
                  <span className="min-w-0 text-sm">
                    <span className="font-medium">{person.fullName}</span>
                    {!person.isActive && (
                      <span className="ml-2">
                        <Badge tone="warning">{t('users.deactivated')}</Badge>
                      </span>
                    )}
                    <span className="block truncate text-slate-600 dark:text-slate-400">{person.email}</span>
                  </span>
                  {member ? (
                    <Badge tone="success">{t('team.member')}</Badge>
                  ) : (
                    <Button variant="secondary" pending={adding === person.id} disabled={adding !== null} onClick={() => onAdd(person)} aria-label={t('team.addName', { name: person.fullName })}>
                      <UserPlus aria-hidden className="size-4" /> {t('team.add')}

                    </Button>
                  )}
                </li>
              )
            })}
          </ul>
        )}
      </div>
    </Card>
  )
}
