import { useI18n } from '~/lib/i18n/react'
import { getRouteApi, Link, useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { Building2, Pencil, Plus, Search, Trash2, Users } from 'lucide-react'
import { type FormEvent, useState } from 'react'
import { toast } from 'sonner'
import { z } from 'zod'
import { PageHeader } from '~/components/app-shell'
import { Alert, Badge, Button, Card, cx, EmptyState, Field, Skeleton } from '~/components/ui'
import { ConfirmDialog } from '~/components/ui/confirm'
import { PageNumbers } from '~/components/ui/pager'
import { TableHead } from '~/components/ui/table-head'
import { HistoryTabs } from '../audit/history-tabs'
import { EntityDialog, type EntityValues } from './entity-dialog'
import {
  createOrganization,
  createTeam,
  deleteOrganization,
  deleteTeam,
  type listOrganizations,
  type listTeams,
  updateOrganization,
  updateTeam,
} from './teams.functions'
import { can } from '~/lib/navigation'
import { TableScroller } from '~/components/ui/table-scroller'

const Route = getRouteApi('/tenant/_app/admin/teams/')

export const ORGANIZATIONS_PER_PAGE = 25
export const TEAMS_PER_PAGE = 50

export const searchSchema = z.object({
  org: z.string().optional(),
  q: z.string().optional(),
  page: z.number().int().min(1).optional(),
  teamPage: z.number().int().min(1).optional(),
})

type Organization = Awaited<ReturnType<typeof listOrganizations>>['items'][number]
type Team = Awaited<ReturnType<typeof listTeams>>['items'][number]
type Dialog =
  | { kind: 'new-organization' }
  | { kind: 'edit-organization'; organization: Pick<Organization, 'id' | 'name' | 'description'> }
  | { kind: 'new-team' }
  | { kind: 'edit-team'; team: Team }
type Confirm = { kind: 'organization'; organization: Pick<Organization, 'id' | 'name'>; teamCount: number } | { kind: 'team'; team: Team }

export function TeamsLoading() {
  const { t } = useI18n()
  return (
    <div aria-busy="true" className="space-y-4">
      <span className="sr-only">{t('teams.loading')}</span>
      <Skeleton className="h-8 w-72" />
      <div className="grid gap-6 lg:grid-cols-[18rem_1fr]">
        <div className="space-y-2">
          {Array.from({ length: 5 }, (_, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: static placeholders
            <Skeleton key={i} className="h-12 w-full" />
          ))}
        </div>
        <Skeleton className="h-64 w-full" />
      </div>
    </div>
  )
}

export function TeamsPage() {
  const { organizations, teams, missing } = Route.useLoaderData()
  const search = Route.useSearch()
  const { permissions } = Route.useRouteContext()
  const canWrite = can(permissions, ['teams:write'])
  const navigate = Route.useNavigate()
  const router = useRouter()
  const { t } = useI18n()
  const [dialog, setDialog] = useState<Dialog | null>(null)
  const [confirm, setConfirm] = useState<Confirm | null>(null)
  const create = { organization: useServerFn(createOrganization), team: useServerFn(createTeam) }
  const update = { organization: useServerFn(updateOrganization), team: useServerFn(updateTeam) }
  const remove = { organization: useServerFn(deleteOrganization), team: useServerFn(deleteTeam) }

  const selected = teams?.organization ?? null
  const selectedCount = organizations.items.find((o) => o.id === selected?.id)?.teamCount ?? teams?.total ?? 0
  const pages = Math.max(1, Math.ceil(organizations.total / organizations.pageSize))

  function onSearch(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const q = String(new FormData(event.currentTarget).get('q') ?? '').trim()
    void navigate({ search: { q: q || undefined } })
  }

  async function onSubmit(values: EntityValues) {
    if (!dialog) return
    const data = { name: values.name, description: values.description }
    if (dialog.kind === 'new-organization') {
      const created = await create.organization({ data })
      toast.success(t('teams.created', { name: created.name }))
      await navigate({ search: (prev) => ({ ...prev, org: created.id, teamPage: undefined }) })
    } else if (dialog.kind === 'edit-organization') {
      await update.organization({ data: { id: dialog.organization.id, data } })
      toast.success(t('teams.orgSaved'))
    } else if (dialog.kind === 'new-team') {
      if (!selected) return
      const created = await create.team({ data: { ...data, organizationId: selected.id } })
      toast.success(t('teams.teamCreated', { name: created.name }))
    } else {
      await update.team({ data: { id: dialog.team.id, data } })
      toast.success(t('teams.teamSaved'))
    }
    await router.invalidate()
  }

  async function onConfirm() {
    if (!confirm) return
    if (confirm.kind === 'organization') {
      const { teamsDeleted } = await remove.organization({ data: { id: confirm.organization.id } })
      toast.success(
        teamsDeleted > 0
          ? t('teams.orgDeletedWithTeams', { name: confirm.organization.name, count: teamsDeleted })
          : t('teams.orgDeleted', { name: confirm.organization.name }),
      )
      await navigate({ search: (prev) => ({ ...prev, org: undefined, teamPage: undefined }) })
    } else {
      await remove.team({ data: { id: confirm.team.id } })
      toast.success(t('teams.teamDeleted', { name: confirm.team.name }))
    }
    await router.invalidate()
  }

  return (
    <>
      <PageHeader
        title={t('nav.teams')}
        description={t('teams.description')}
        actions={
          canWrite && (
            <Button onClick={() => setDialog({ kind: 'new-organization' })}>
              <Plus aria-hidden className="size-4" /> {t('teams.newOrg')}
            </Button>
          )
        }
      />

      {organizations.total === 0 && !search.q ? (
        <EmptyState
          title={t('teams.emptyTitle')}
          action={
            canWrite ? (
              <Button onClick={() => setDialog({ kind: 'new-organization' })}>
                <Plus aria-hidden className="size-4" /> {t('teams.newOrg')}
              </Button>
            ) : undefined
          }
        >
          {canWrite
            ? t('teams.emptyWriter')
            : t('teams.emptyReader')}
        </EmptyState>
      ) : (
        <div className="grid items-start gap-6 lg:grid-cols-[18rem_1fr]">
          <section aria-labelledby="organizations-heading" className="space-y-3">
            <h2 id="organizations-heading" className="sr-only">
              {t('teams.organizations')}
            </h2>
            <form onSubmit={onSearch} className="flex items-end gap-2">
              <Field label={t('teams.searchOrgs')} name="q" type="search" defaultValue={search.q ?? ''} className="flex-1" />
              <Button type="submit" variant="secondary" aria-label={t('common.search')}>
                <Search aria-hidden className="size-4" />
              </Button>
            </form>
            {organizations.items.length === 0 ? (
              <p className="rounded-md px-3 py-6 text-center text-sm text-slate-600 dark:text-slate-400">{t('teams.noOrgMatch', { q: search.q ?? '' })}</p>
            ) : (
              <ul className="space-y-1">
                {organizations.items.map((o) => {
                  const current = o.id === selected?.id
                  return (
                    <li key={o.id}>
                      <Link
                        to="/tenant/admin/teams"
                        search={(prev) => ({ ...prev, org: o.id, teamPage: undefined })}
                        aria-current={current ? 'true' : undefined}
                        className={cx(
                          'flex items-center justify-between gap-2 rounded-md px-3 py-2 text-sm ring-1 ring-inset focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-500',
                          current
                            ? 'bg-indigo-50 font-semibold text-indigo-900 ring-indigo-200 dark:bg-indigo-950 dark:text-indigo-100 dark:ring-indigo-900'
                            : 'ring-transparent hover:bg-slate-100 dark:hover:bg-slate-800',
                        )}
                      >
                        <span className="flex min-w-0 items-center gap-2">
                          <Building2 aria-hidden className="size-4 shrink-0 text-slate-400" />
                          <span className="truncate">{o.name}</span>
                        </span>
                        <Badge>{t('teams.teamCount', { count: o.teamCount })}</Badge>
                      </Link>
                    </li>
                  )
                })}
              </ul>
            )}
            {pages > 1 && (
              <PageNumbers
                compact
                label={t('teams.orgPages')}
                page={organizations.page}
                pages={pages}
                onPage={(page) => navigate({ search: (prev) => ({ ...prev, page, org: undefined, teamPage: undefined }) })}
              />
            )}
          </section>

          <section aria-labelledby="teams-heading">
            {missing && (
              <div className="mb-4">
                <Alert>{t('teams.orgMissing')}</Alert>
              </div>
            )}
            {selected && teams ? (
              <Card>
                <div className="flex flex-wrap items-start justify-between gap-4">
                  <div className="min-w-0">
                    <h2 id="teams-heading" className="text-lg font-semibold">
                      {selected.name}
                    </h2>
                    {selected.description && <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{selected.description}</p>}
                  </div>
                  {canWrite && (
                    <div className="flex gap-2">
                      <Button variant="secondary" onClick={() => setDialog({ kind: 'edit-organization', organization: selected })}>
                        <Pencil aria-hidden className="size-4" /> {t('teams.edit')}
                      </Button>
                      <Button
                        variant="secondary"
                        onClick={() => setConfirm({ kind: 'organization', organization: selected, teamCount: selectedCount })}
                      >
                        <Trash2 aria-hidden className="size-4" /> {t('teams.delete')}
                      </Button>
                    </div>
                  )}
                </div>

                <div className="mt-6">
                <HistoryTabs key={selected.id} label={t('teams.teams')} entity="organizations" recordId={selected.id} showHistory={can(permissions, ['audit:read'])}>
                <div className="flex items-center justify-between gap-4">
                  <h3 className="text-sm font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">{t('teams.teams')}</h3>
                  {canWrite && teams.total > 0 && (
                    <Button onClick={() => setDialog({ kind: 'new-team' })}>
                      <Plus aria-hidden className="size-4" /> {t('teams.newTeam')}
                    </Button>
                  )}
                </div>
                {teams.total === 0 ? (
                  <div className="mt-3">
                    <EmptyState
                      title={t('teams.noTeams', { name: selected.name })}
                      action={
                        canWrite ? (
                          <Button onClick={() => setDialog({ kind: 'new-team' })}>
                            <Plus aria-hidden className="size-4" /> {t('teams.firstTeam')}
                          </Button>
                        ) : undefined
                      }
                    >
                      {t('teams.noTeamsBody')}
                    </EmptyState>
                  </div>
                ) : (
                  <TeamTable
                    organization={selected.name}
                    teams={teams.items}
                    canWrite={canWrite}
                    onEdit={(team) => setDialog({ kind: 'edit-team', team })}
                    onDelete={(team) => setConfirm({ kind: 'team', team })}
                  />
                )}
                {teams.total > teams.pageSize && (
                  <div className="mt-4">
                    <PageNumbers
                      label={t('teams.teamPages')}
                      page={teams.page}
                      pages={Math.ceil(teams.total / teams.pageSize)}
                      onPage={(teamPage) => navigate({ search: (prev) => ({ ...prev, teamPage }) })}
                    />
                  </div>
                )}
                </HistoryTabs>
                </div>
              </Card>
            ) : (
              <h2 id="teams-heading" className="sr-only">
                {t('teams.teams')}
              </h2>
            )}
          </section>
        </div>
      )}

      <EntityDialog
        open={dialog !== null}
        title={t(DIALOG_TITLES[dialog?.kind ?? 'new-organization'])}
        submitLabel={dialog?.kind === 'new-organization' ? t('teams.createOrg') : dialog?.kind === 'new-team' ? t('teams.createTeam') : t('common.save')}
        initial={dialog?.kind === 'edit-organization' ? dialog.organization : dialog?.kind === 'edit-team' ? dialog.team : undefined}
        onSubmit={onSubmit}
        onClose={() => setDialog(null)}
      />
      <ConfirmDialog
        open={confirm !== null}
        title={
          confirm?.kind === 'organization'
            ? t('teams.deleteOrgTitle', { name: confirm.organization.name })
            : t('teams.deleteTeamTitle', { name: confirm?.team.name ?? '' })
        }
        confirmLabel={confirm?.kind === 'organization' ? t('teams.deleteOrg') : t('teams.deleteTeam')}
        onConfirm={onConfirm}
        onClose={() => setConfirm(null)}
      >
        {confirm?.kind === 'organization' ? (
          <p>
            {confirm.teamCount > 0 ? `${t('teams.orgTeamsGo', { count: confirm.teamCount })} ` : ''}
            {t('teams.restorable')}
          </p>
        ) : (
          <p>{t('teams.teamToTrash')}</p>
        )}
      </ConfirmDialog>
    </>
  )
}

const DIALOG_TITLES = {
  'new-organization': 'teams.newOrg',
  'edit-organization': 'teams.editOrg',
  'new-team': 'teams.newTeam',
  'edit-team': 'teams.editTeam',
} as const satisfies Record<Dialog['kind'], string>

function TeamTable({ organization, teams, canWrite, onEdit, onDelete }: {
  organization: string
  teams: Team[]
  canWrite: boolean
  onEdit: (team: Team) => void
  onDelete: (team: Team) => void
}) {
  const { t } = useI18n()
  return (
    <TableScroller label={t('teams.tableLabel', { name: organization })} className="mt-3">
      <table className="w-full text-left text-sm">
        <TableHead columns={[t('teams.team'), t('teams.members'), ...(canWrite ? [{ label: t('common.actions'), hidden: true, end: true }] : [])]} />
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {teams.map((team) => (
            <tr key={team.id}>
              <td className="py-3 pr-3">
                <Link
                  to="/tenant/admin/teams/$teamId"
                  params={{ teamId: team.id }}
                  className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                >
                  {team.name}
                </Link>
                {team.description && <p className="mt-0.5 text-slate-600 dark:text-slate-400">{team.description}</p>}
              </td>
              <td className="whitespace-nowrap px-3 py-3 text-slate-700 dark:text-slate-300">
                <span className="inline-flex items-center gap-1.5">
                  <Users aria-hidden className="size-4 text-slate-400" />
                  {team.memberCount}
                </span>
              </td>
              {canWrite && (
                <td className="whitespace-nowrap py-3 pl-3 text-right">
                  <Button variant="ghost" aria-label={t('teams.editName', { name: team.name })} onClick={() => onEdit(team)}>
                    <Pencil aria-hidden className="size-4" />
                  </Button>
                  <Button variant="ghost" aria-label={t('teams.deleteName', { name: team.name })} onClick={() => onDelete(team)}>
                    <Trash2 aria-hidden className="size-4" />
                  </Button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroller>
  )
}
