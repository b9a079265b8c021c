import { useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import type { ColumnDef } from '@tanstack/react-table'
import { Download, Trash2, UserCheck, UserX } from 'lucide-react'
import { useState } from 'react'
import { toast } from 'sonner'
import { Button, Select } from '../../components/ui'
import { ConfirmDialog } from '../../components/ui/confirm'
import { bulkUpdateUsers } from './users.functions'

export const PAGE_SIZES = [10, 25, 50, 100] as const

/** A first column of checkboxes, driven by the table's own row selection (rows keyed by id). */
export function selectionColumn<Row extends { id: string; fullName: string }>(): ColumnDef<Row> {
  return {
    id: 'select',
    enableSorting: false,
    header: ({ table }) => (
      <input
        type="checkbox"
        aria-label="Select everyone on this page"
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
        aria-label={`Select ${row.original.fullName}`}
        className="size-4 rounded"
        checked={row.getIsSelected()}
        onChange={row.getToggleSelectedHandler()}
      />
    ),
  }
}

type Action = { action: 'deactivate' } | { action: 'delete' } | { action: 'assignRole'; roleId: string; roleName: string }

const verbs = { deactivate: 'Deactivate', delete: 'Move to trash', assignRole: 'Assign role' } as const

/** The toolbar over a selection: deactivate, assign a role, move to the trash — each all or nothing, confirmed first. */
export function BulkActions({
  selected,
  roles,
  canAssignRoles,
  onDone,
}: {
  selected: Array<{ id: string; fullName: string }>
  roles: Array<{ id: string; name: string }>
  canAssignRoles: boolean
  onDone: () => void
}) {
  const router = useRouter()
  const run = useServerFn(bulkUpdateUsers)
  const [roleId, setRoleId] = useState('')
  const [confirming, setConfirming] = useState<Action>()
  if (selected.length === 0) return null
  const who = selected.length === 1 ? (selected[0]?.fullName ?? '1 person') : `${selected.length} people`

  async function apply(action: Action) {
    const ids = selected.map((s) => s.id)
    const data = action.action === 'assignRole' ? { action: action.action, ids, roleId: action.roleId } : { action: action.action, ids }
    const result = await run({ data })
    const done = result.changed === 1 ? '1 person' : `${result.changed} people`
    const what =
      action.action === 'assignRole' ? `${action.roleName} assigned to ${done}` : action.action === 'delete' ? `${done} moved to the trash` : `${done} deactivated`
    toast.success(what)
    onDone()
    await router.invalidate()
  }

  return (
    <section
      aria-label="Bulk actions"
      className="mb-3 flex flex-wrap items-end gap-2 rounded-xl bg-indigo-50 p-3 ring-1 ring-indigo-200 dark:bg-indigo-950/40 dark:ring-indigo-900"
    >
      <p className="mr-2 self-center text-sm font-semibold" aria-live="polite">
        {selected.length} selected
      </p>
      <Button variant="secondary" onClick={() => setConfirming({ action: 'deactivate' })}>
        <UserX aria-hidden className="size-4" /> Deactivate
      </Button>
      {canAssignRoles && (
        <div className="flex items-end gap-2">
          <Select label="Role to assign" hideLabel value={roleId} onChange={(e) => setRoleId(e.target.value)}>
            <option value="">Choose a role…</option>
            {roles.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </Select>
          <Button
            variant="secondary"
            disabled={!roleId}
            onClick={() => setConfirming({ action: 'assignRole', roleId, roleName: roles.find((r) => r.id === roleId)?.name ?? 'the role' })}
          >
            <UserCheck aria-hidden className="size-4" /> Assign role
          </Button>
        </div>
      )}
      <Button variant="danger" onClick={() => setConfirming({ action: 'delete' })}>
        <Trash2 aria-hidden className="size-4" /> Move to trash
      </Button>
      <ConfirmDialog
        open={confirming !== undefined}
        title={confirming ? `${verbs[confirming.action]}: ${who}?` : ''}
        confirmLabel={confirming ? verbs[confirming.action] : 'Confirm'}
        tone={confirming?.action === 'delete' ? 'danger' : 'primary'}
        onClose={() => setConfirming(undefined)}
        onConfirm={() => (confirming ? apply(confirming) : undefined)}
      >
        {confirming?.action === 'assignRole'
          ? `Everyone selected gets the ${confirming.roleName} role.`
          : confirming?.action === 'delete'
            ? 'They are signed out and moved to the trash, where they can be restored.'
            : 'They are signed out at once and cannot sign in until reactivated.'}{' '}
        If anyone cannot be changed, nobody is.
      </ConfirmDialog>
    </section>
  )
}

/** A link to the streamed CSV of exactly the list's filters (every page, not just the one shown). */
export function ExportLink({ filters }: { filters: Record<string, string | undefined> }) {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value)
  const query = params.toString()
  return (
    <a
      href={`/users-export${query ? `?${query}` : ''}`}
      download
      className="inline-flex items-center justify-center gap-2 rounded-md bg-white px-3.5 py-2 text-sm font-semibold text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 hover:bg-slate-50 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 dark:bg-slate-800 dark:text-slate-100 dark:ring-slate-600 dark:hover:bg-slate-700"
    >
      <Download aria-hidden className="size-4" /> Export CSV
    </a>
  )
}
