import { getRouteApi, useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { ChevronRight, RotateCcw, Trash2 } from 'lucide-react'
import { useState } from 'react'
import { toast } from 'sonner'
import { PageHeader } from '../../components/app-shell'
import { Badge, Button, cx, EmptyState } from '../../components/ui'
import { ConfirmDialog } from '../../components/ui/confirm'
import { getPurgeImpact, type listTrash, purgeFromTrash, restoreFromTrash } from './trash.functions'
import { TRASH_LABELS, type TrashType } from './trash.schemas'
import { errorMessage } from '../../lib/errors'

const Route = getRouteApi('/tenant/_app/admin/trash')

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
type Item = Awaited<ReturnType<typeof listTrash>>['items'][number]

/** Columns a phone leaves out: the item's cell says kind, date and who there. */
const WIDE_ONLY = new Set(['Kind', 'Deleted', 'By'])

export function TrashPage() {
  const data = Route.useLoaderData()
  const search = Route.useSearch()
  const router = useRouter()
  const navigate = Route.useNavigate()
  const restore = useServerFn(restoreFromTrash)
  const purge = useServerFn(purgeFromTrash)
  const impactOf = useServerFn(getPurgeImpact)
  const [purging, setPurging] = useState<{ item: Item; descendants: number } | null>(null)
  const [busy, setBusy] = useState<string>()

  async function onRestore(item: Item) {
    setBusy(item.id)
    try {
      await restore({ data: { type: item.type, id: item.id } })
      toast.success(`${item.name} was restored`)
      await router.invalidate()
    } catch (e) {
      toast.error(errorMessage(e))
    } finally {
      setBusy(undefined)
    }
  }

  async function askPurge(item: Item) {
    try {
      const impact = await impactOf({ data: { type: item.type, id: item.id } })
      setPurging({ item, descendants: impact.descendants })
    } catch (e) {
      toast.error(errorMessage(e))
    }
  }

  return (
    <>
      <PageHeader title="Trash" description="Deleted people, organizations, teams, roles and categories. Restore them, or delete them for good." />
      <div role="tablist" aria-label="Kind of item" className="mb-4 flex flex-wrap gap-2">
        {[undefined, ...data.allowedTypes].map((type) => (
          <button
            key={type ?? 'all'}
            type="button"
            role="tab"
            aria-selected={search.type === type}
            tabIndex={search.type === type ? 0 : -1}
            onClick={() => navigate({ search: { type } })}
            onKeyDown={(e) => {
              // The tabs pattern: arrows (and Home, End) choose the neighbouring kind and keep the focus on it.
              const kinds = [undefined, ...data.allowedTypes]
              const at = kinds.indexOf(type)
              const to =
                e.key === 'ArrowRight' ? (at + 1) % kinds.length : e.key === 'ArrowLeft' ? (at - 1 + kinds.length) % kinds.length : e.key === 'Home' ? 0 : e.key === 'End' ? kinds.length - 1 : -1
              if (to < 0) return
              e.preventDefault()
              const tabs = e.currentTarget.parentElement?.querySelectorAll<HTMLElement>('[role="tab"]')
              tabs?.[to]?.focus()
              void navigate({ search: { type: kinds[to] } })
            }}
            className={cx(
              'rounded-full px-3 py-1 text-sm ring-1',
              search.type === type
                ? 'bg-indigo-600 text-white ring-indigo-600'
                : 'bg-white ring-slate-300 hover:bg-slate-50 dark:bg-slate-900 dark:ring-slate-700 dark:hover:bg-slate-800',
            )}
          >
            {type ? `${TRASH_LABELS[type as TrashType]}s` : 'Everything'}
          </button>
        ))}
      </div>
      {data.items.length === 0 ? (
        <EmptyState title="The trash is empty">Deleted items appear here, with who deleted them and when.</EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-xl bg-white ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800">
          <table className="min-w-full divide-y divide-slate-200 text-sm dark:divide-slate-800">
            <thead>
              <tr>
                {['Item', 'Kind', 'Deleted', 'By', 'Actions'].map((h) => (
                  <th
                    key={h}
                    scope="col"
                    className={cx('px-4 py-3 text-left font-semibold text-slate-700 dark:text-slate-300', h === 'Actions' && 'text-right', WIDE_ONLY.has(h) && 'hidden sm:table-cell')}
                  >
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {data.items.map((item) => (
                <tr key={`${item.type}-${item.id}`}>
                  <td className="px-4 py-3">
                    <p className="font-medium">{item.name}</p>
                    {item.detail && <p className="break-all text-slate-500 sm:break-normal dark:text-slate-400">{item.detail}</p>}
                    <p className="text-xs text-slate-500 sm:hidden dark:text-slate-400">
                      {TRASH_LABELS[item.type]} · {dateTime.format(new Date(item.deletedAt))}
                      {item.deletedBy ? ` · ${item.deletedBy}` : ''}
                    </p>
                  </td>
                  <td className="hidden px-4 py-3 sm:table-cell">
                    <Badge>{TRASH_LABELS[item.type]}</Badge>
                  </td>
                  <td className="hidden whitespace-nowrap px-4 py-3 sm:table-cell">{dateTime.format(new Date(item.deletedAt))}</td>
                  <td className="hidden px-4 py-3 sm:table-cell">{item.deletedBy ?? '—'}</td>
                  <td className="whitespace-nowrap px-4 py-3 text-right">
                    <div className="flex flex-col items-end gap-2 sm:flex-row sm:justify-end">
                      <Button variant="secondary" pending={busy === item.id} onClick={() => onRestore(item)} aria-label={`Restore ${item.name}`}>
                        <RotateCcw aria-hidden className="size-4" /> Restore
                      </Button>
                      {data.canPurge && (
                        <Button variant="danger" onClick={() => askPurge(item)} aria-label={`Delete forever: ${item.name}`}>
                          <Trash2 aria-hidden className="size-4" /> Delete forever
                        </Button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {(data.nextCursor || search.cursor) && (
            <nav aria-label="Pages" className="flex justify-end gap-2 border-t border-slate-200 px-4 py-3 dark:border-slate-800">
              {search.cursor && (
                <Button variant="secondary" onClick={() => navigate({ search: { type: search.type } })}>
                  Newest
                </Button>
              )}
              {data.nextCursor && (
                <Button variant="secondary" onClick={() => navigate({ search: { type: search.type, cursor: data.nextCursor ?? undefined } })}>
                  Older <ChevronRight aria-hidden className="size-4" />
                </Button>
              )}
            </nav>
          )}
        </div>
      )}
      <ConfirmDialog
        open={purging !== null}
        title={`Delete ${purging?.item.name ?? ''} permanently?`}
        confirmLabel="Delete forever"
        onClose={() => setPurging(null)}
        onConfirm={async () => {
          if (!purging) return
          await purge({ data: { type: purging.item.type, id: purging.item.id } })
          toast.success(`${purging.item.name} was deleted permanently`)
          await router.invalidate()
        }}
      >
        This cannot be undone.
        {purging && purging.descendants > 0 && (
          <strong className="block">
            It takes {purging.descendants} {purging.item.type === 'category' ? 'sub-categories' : 'teams'} with it.
          </strong>
        )}{' '}
        The audit log keeps the record of it.
      </ConfirmDialog>
    </>
  )
}
