import { useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import type { ColumnDef } from '@tanstack/react-table'
import { Download, Trash2, UserCheck, UserX } from 'lucide-react'
import { useState } from 'react'
import { toast } from 'sonner'
import { Button, Select } from '~/components/ui'
import { ConfirmDialog } from '~/components/ui/confirm'
import { useI18n } from '~/lib/i18n/react'
import { roleName } from '~/lib/i18n/roles'
import { bulkUpdateUsers } from './users.functions'
import type { TFunction } from 'i18next'


export const PAGE_SIZES = [10, 25, 50, 100] as const

/** A first column of checkboxes, driven by the table's own row selection (rows keyed by id). */
export function selectionColumn<Row extends { id: string; fullName: string }>(t: TFunction): ColumnDef<Row> {
  return {
    id: 'select',
    enableSorting: false,
    header: ({ table }) => (
      <input
        type="checkbox"
        aria-label={t('bulk.selectAll')}
        className="size-4 rounded"
        checked={table.getIsAllRowsSelected()}
        ref={(el) => {
          if (el) el.indeterminate = table.getIsSomeRowsSelected()
        }}
        onChange={table.getToggleAllRowsSelectedHandler()}
      />
    ),
    cell: ({ row }) => (
      <input
        type="checkbox"
        aria-label={t('bulk.select', { name: row.original.fullName })}
        className="size-4 rounded"
        checked={row.getIsSelected()}
        onChange={row.getToggleSelectedHandler()}
      />
    ),
  }
}

type Action = { action: 'deactivate' } | { action: 'delete' } | { action: 'assignRole'; roleId: string; roleName: string }

const verbs = { deactivate: 'bulk.deactivate', delete: 'bulk.delete', assignRole: 'bulk.assignRole' } as const

/** The toolbar over a selection: deactivate, assign a role, move to the trash — each all or nothing, confirmed first. */
export function BulkActions({
  selected,
  roles,
  canAssignRoles,
  onDone,
}: {
  selected: Array<{ id: string; fullName: string }>
  roles: Array<{ id: string; name: string; systemKey?: string | null; grantable?: boolean }>
  canAssignRoles: boolean
  onDone: () => void
}) {
  const router = useRouter()
  const { t } = useI18n()
  const run = useServerFn(bulkUpdateUsers)
  const [roleId, setRoleId] = useState('')
  const [confirming, setConfirming] = useState<Action>()
  if (selected.length === 0) return null
  const who = selected.length === 1 && selected[0] ? selected[0].fullName : t('bulk.people', { count: selected.length })

  async function apply(action: Action) {
    const ids = selected.map((s) => s.id)
    const data = action.action === 'assignRole' ? { action: action.action, ids, roleId: action.roleId } : { action: action.action, ids }
    const result = await run({ data })
    const done = t('bulk.people', { count: result.changed })
    const what =
      action.action === 'assignRole'
        ? t('bulk.assigned', { role: action.roleName, who: done })
        : action.action === 'delete'
          ? t('bulk.deleted', { who: done })
          : t('bulk.deactivated', { who: done })
    toast.success(what)
    onDone()
    await router.invalidate()
  }

  return (
    <section
      aria-label={t('bulk.label')}
      className="mb-3 flex flex-wrap items-end gap-2 rounded-xl bg-indigo-50 p-3 ring-1 ring-indigo-200 dark:bg-indigo-950/40 dark:ring-indigo-900"
    >
      <p className="mr-2 self-center text-sm font-semibold" aria-live="polite">
        {t('bulk.selected', { count: selected.length })}
      </p>
      <Button variant="secondary" onClick={() => setConfirming({ action: 'deactivate' })}>
        <UserX aria-hidden className="size-4" /> {t('bulk.deactivate')}
      </Button>
      {canAssignRoles && (
        <div className="flex items-end gap-2">
          <Select label={t('bulk.roleToAssign')} hideLabel value={roleId} onChange={(e) => setRoleId(e.target.value)}>
            <option value="">{t('bulk.chooseRole')}</option>
            {roles.filter((r) => r.grantable !== false).map((r) => (
              <option key={r.id} value={r.id}>
                {roleName(t, r)}
              </option>
            ))}
          </Select>
          <Button
            variant="secondary"
            disabled={!roleId}
            onClick={() => setConfirming({ action: 'assignRole', roleId, roleName: ((r) => (r ? roleName(t, r) : t('bulk.theRole')))(roles.find((r) => r.id === roleId)) })}
          >
            <UserCheck aria-hidden className="size-4" /> {t('bulk.assignRole')}
          </Button>
        </div>
      )}
      <Button variant="danger" onClick={() => setConfirming({ action: 'delete' })}>
        <Trash2 aria-hidden className="size-4" /> {t('bulk.delete')}
      </Button>
      <ConfirmDialog
        open={confirming !== undefined}
        title={confirming ? t('bulk.confirmTitle', { verb: t(verbs[confirming.action]), who }) : ''}
        confirmLabel={confirming ? t(verbs[confirming.action]) : t('bulk.confirm')}
        tone={confirming?.action === 'delete' ? 'danger' : 'primary'}
        onClose={() => setConfirming(undefined)}
        onConfirm={() => (confirming ? apply(confirming) : undefined)}
      >
        {confirming?.action === 'assignRole'
          ? t('bulk.assignBody', { role: confirming.roleName })
          : confirming?.action === 'delete'
            ? t('bulk.deleteBody')
            : t('bulk.deactivateBody')}{' '}
        {t('bulk.allOrNothing')}
      </ConfirmDialog>
    </section>
  )
}

/** A link to the streamed CSV of exactly the list's filters (every page, not just the one shown). */
export function ExportLink({ filters }: { filters: Record<string, string | undefined> }) {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value)
  const query = params.toString()
  const { t } = useI18n()
  return (
    <a
      href={`/users-export${query ? `?${query}` : ''}`}
      download
      className="inline-flex items-center justify-center gap-2 rounded-md bg-white px-3.5 py-2 text-sm font-semibold text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 hover:bg-slate-50 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 dark:bg-slate-800 dark:text-slate-100 dark:ring-slate-600 dark:hover:bg-slate-700"
    >
      <Download aria-hidden className="size-4" /> {t('bulk.exportCsv')}
    </a>
  )
}
