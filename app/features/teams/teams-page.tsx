import { getRouteApi, Link, useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { Building2, ChevronLeft, ChevronRight, Pencil, Plus, Search, Trash2, Users } from 'lucide-react'
import { type FormEvent, useState } from 'react'
import { toast } from 'sonner'
import { z } from 'zod'
import { PageHeader } from '../../components/app-shell'
import { Alert, Badge, Button, Card, cx, EmptyState, Field, Skeleton } from '../../components/ui'
import { ConfirmDialog } from '../../components/ui/confirm'
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
import { can } from '../../lib/navigation'

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
  return (
    <div aria-busy="true" className="space-y-4">
      <span className="sr-only">Loading organizations and teams…</span>
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
      toast.success(`Created ${created.name}`)
      await navigate({ search: (prev) => ({ ...prev, org: created.id, teamPage: undefined }) })
    } else if (dialog.kind === 'edit-organization') {
      await update.organization({ data: { id: dialog.organization.id, data } })
      toast.success('Organization saved')
    } else if (dialog.kind === 'new-team') {
      if (!selected) return
      const created = await create.team({ data: { ...data, organizationId: selected.id } })
      toast.success(`Created team ${created.name}`)
    } else {
      await update.team({ data: { id: dialog.team.id, data } })
      toast.success('Team saved')
    }
    await router.invalidate()
  }

  async function onConfirm() {
    if (!confirm) return
    if (confirm.kind === 'organization') {
      const { teamsDeleted } = await remove.organization({ data: { id: confirm.organization.id } })
      toast.success(
        teamsDeleted > 0
          ? `Deleted ${confirm.organization.name} and its ${teamsDeleted === 1 ? 'team' : `${teamsDeleted} teams`}. Restore them from the trash.`
          : `Deleted ${confirm.organization.name}. Restore it from the trash.`,
      )
      await navigate({ search: (prev) => ({ ...prev, org: undefined, teamPage: undefined }) })
    } else {
      await remove.team({ data: { id: confirm.team.id } })
      toast.success(`Deleted team ${confirm.team.name}. Restore it from the trash.`)
    }
    await router.invalidate()
  }

  return (
    <>
      <PageHeader
        title="Organizations and teams"
        description="Organizations group teams; each team has members with a team role."
        actions={
          canWrite && (
            <Button onClick={() => setDialog({ kind: 'new-organization' })}>
              <Plus aria-hidden className="size-4" /> New organization
            </Button>
          )
        }
      />

      {organizations.total === 0 && !search.q ? (
        <EmptyState
          title="No organizations yet — create the first"
          action={
            canWrite ? (
              <Button onClick={() => setDialog({ kind: 'new-organization' })}>
                <Plus aria-hidden className="size-4" /> New organization
              </Button>
            ) : undefined
          }
        >
          {canWrite
            ? 'An organization groups related teams, for example Engineering or Sales.'
            : 'An administrator can create organizations and teams.'}
        </EmptyState>
      ) : (
        <div className="grid items-start gap-6 lg:grid-cols-[18rem_1fr]">
          <section aria-labelledby="organizations-heading" className="space-y-3">
            <h2 id="organizations-heading" className="sr-only">
              Organizations
            </h2>
            <form onSubmit={onSearch} className="flex items-end gap-2">
              <Field label="Search organizations" name="q" type="search" defaultValue={search.q ?? ''} className="flex-1" />
              <Button type="submit" variant="secondary" aria-label="Search">
                <Search aria-hidden className="size-4" />
              </Button>
            </form>
            {organizations.items.length === 0 ? (
              <p className="rounded-md px-3 py-6 text-center text-sm text-slate-600 dark:text-slate-400">No organization matches “{search.q}”.</p>
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
                        <Badge>{o.teamCount === 1 ? '1 team' : `${o.teamCount} teams`}</Badge>
                      </Link>
                    </li>
                  )
                })}
              </ul>
            )}
            {pages > 1 && (
              <Pager
                label="Organization pages"
                page={organizations.page}
                pages={pages}
                onPage={(page) => navigate({ search: (prev) => ({ ...prev, page, org: undefined, teamPage: undefined }) })}
              />
            )}
          </section>

          <section aria-labelledby="teams-heading">
            {missing && (
              <div className="mb-4">
                <Alert>That organization was not found. It may have been deleted.</Alert>
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
                        <Pencil aria-hidden className="size-4" /> Edit
                      </Button>
                      <Button
                        variant="secondary"
                        onClick={() => setConfirm({ kind: 'organization', organization: selected, teamCount: selectedCount })}
                      >
                        <Trash2 aria-hidden className="size-4" /> Delete
                      </Button>
                    </div>
                  )}
                </div>

                <div className="mt-6">
                <HistoryTabs key={selected.id} label="Teams" entity="organizations" recordId={selected.id} showHistory={can(permissions, ['audit:read'])}>
                <div className="flex items-center justify-between gap-4">
                  <h3 className="text-sm font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">Teams</h3>
                  {canWrite && teams.total > 0 && (
                    <Button onClick={() => setDialog({ kind: 'new-team' })}>
                      <Plus aria-hidden className="size-4" /> New team
                    </Button>
                  )}
                </div>
                {teams.total === 0 ? (
                  <div className="mt-3">
                    <EmptyState
                      title={`No teams in ${selected.name} yet`}
                      action={
                        canWrite ? (
                          <Button onClick={() => setDialog({ kind: 'new-team' })}>
                            <Plus aria-hidden className="size-4" /> Create the first team
                          </Button>
                        ) : undefined
                      }
                    >
                      Teams gather people who work together; each member has a team role.
                    </EmptyState>
                  </div>
                ) : (
                  <TeamTable
                    teams={teams.items}
                    canWrite={canWrite}
                    onEdit={(team) => setDialog({ kind: 'edit-team', team })}
                    onDelete={(team) => setConfirm({ kind: 'team', team })}
                  />
                )}
                {teams.total > teams.pageSize && (
                  <div className="mt-4">
                    <Pager
                      label="Team pages"
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
                Teams
              </h2>
            )}
          </section>
        </div>
      )}

      <EntityDialog
        open={dialog !== null}
        title={DIALOG_TITLES[dialog?.kind ?? 'new-organization']}
        submitLabel={dialog?.kind === 'new-organization' ? 'Create organization' : dialog?.kind === 'new-team' ? 'Create team' : 'Save'}
        initial={dialog?.kind === 'edit-organization' ? dialog.organization : dialog?.kind === 'edit-team' ? dialog.team : undefined}
        onSubmit={onSubmit}
        onClose={() => setDialog(null)}
      />
      <ConfirmDialog
        open={confirm !== null}
        title={confirm?.kind === 'organization' ? `Delete ${confirm.organization.name}?` : `Delete team ${confirm?.team.name ?? ''}?`}
        confirmLabel={confirm?.kind === 'organization' ? 'Delete organization' : 'Delete team'}
        onConfirm={onConfirm}
        onClose={() => setConfirm(null)}
      >
        {confirm?.kind === 'organization' ? (
          <p>
            {confirm.teamCount > 0
              ? `Its ${confirm.teamCount === 1 ? 'team goes' : `${confirm.teamCount} teams go`} to the trash with it. `
              : ''}
            Everything can be restored from the trash, memberships included.
          </p>
        ) : (
          <p>The team goes to the trash with its memberships kept, so it can be restored.</p>
        )}
      </ConfirmDialog>
    </>
  )
}

const DIALOG_TITLES: Record<Dialog['kind'], string> = {
  'new-organization': 'New organization',
  'edit-organization': 'Edit organization',
  'new-team': 'New team',
  'edit-team': 'Edit team',
}

function TeamTable({ teams, canWrite, onEdit, onDelete }: {
  teams: Team[]
  canWrite: boolean
  onEdit: (team: Team) => void
  onDelete: (team: Team) => void
}) {
  return (
    <div className="mt-3 overflow-x-auto">
      <table className="w-full text-left text-sm">
        <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500 dark:border-slate-800 dark:text-slate-400">
          <tr>
            <th scope="col" className="py-2 pr-4 font-semibold">
              Team
            </th>
            <th scope="col" className="py-2 pr-4 font-semibold">
              Members
            </th>
            {canWrite && (
              <th scope="col" className="py-2 text-right font-semibold">
                <span className="sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {teams.map((team) => (
            <tr key={team.id}>
              <td className="py-3 pr-4">
                <Link
                  to="/tenant/admin/teams/$teamId"
                  params={{ teamId: team.id }}
                  className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                >
                  {team.name}
                </Link>
                {team.description && <p className="mt-0.5 text-slate-600 dark:text-slate-400">{team.description}</p>}
              </td>
              <td className="py-3 pr-4 whitespace-nowrap text-slate-700 dark:text-slate-300">
                <span className="inline-flex items-center gap-1.5">
                  <Users aria-hidden className="size-4 text-slate-400" />
                  {team.memberCount}
                </span>
              </td>
              {canWrite && (
                <td className="py-3 text-right whitespace-nowrap">
                  <Button variant="ghost" aria-label={`Edit ${team.name}`} onClick={() => onEdit(team)}>
                    <Pencil aria-hidden className="size-4" />
                  </Button>
                  <Button variant="ghost" aria-label={`Delete ${team.name}`} onClick={() => onDelete(team)}>
                    <Trash2 aria-hidden className="size-4" />
                  </Button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function Pager({ label, page, pages, onPage }: { label: string; page: number; pages: number; onPage: (page: number) => void }) {
  return (
    <nav aria-label={label} className="flex items-center justify-between gap-2 text-sm">
      <Button variant="secondary" disabled={page <= 1} onClick={() => onPage(page - 1)} aria-label="Previous page">
        <ChevronLeft aria-hidden className="size-4" />
      </Button>
      <span className="text-slate-600 dark:text-slate-400">
        Page {page} of {pages}
      </span>
      <Button variant="secondary" disabled={page >= pages} onClick={() => onPage(page + 1)} aria-label="Next page">
        <ChevronRight aria-hidden className="size-4" />
      </Button>
    </nav>
  )
}
