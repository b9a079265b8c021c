import { useI18n } from '~/lib/i18n/react'
import { getRouteApi, useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { ChevronRight, RotateCcw, Trash2 } from 'lucide-react'
import { useEffect, useRef, useState } from 'react'
import { toast } from 'sonner'
import { PageHeader } from '~/components/app-shell'
import { Badge, Button, cx, EmptyState } from '~/components/ui'
import { ConfirmDialog } from '~/components/ui/confirm'
import { getPurgeImpact, type listTrash, purgeFromTrash, restoreFromTrash } from './trash.functions'
import type { TrashType } from './trash.schemas'
import { errorMessage } from '~/lib/errors'
import { useImpersonating } from '../console/impersonation-limits'
import { TableScroller } from '~/components/ui/table-scroller'

const Route = getRouteApi('/tenant/_app/admin/trash')


type Item = Awaited<ReturnType<typeof listTrash>>['items'][number]

/** Columns a phone leaves out: the item's cell says kind, date and who there. */
const WIDE_ONLY = new Set(['kindColumn', 'deleted', 'by'])

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
  const { t, format } = useI18n()
  // A person brought back could be one whose mailbox the operator receives: people stay in the trash then.
  const impersonating = useImpersonating()

  // A Restore button is disabled while its request runs and a restored row goes away: either way keyboard focus falls to
  // the page. After the request it goes back to this row's Restore button (a refusal), else to the next row's, else to
  // the kind tabs.
  const refocus = useRef<{ key: string; index: number; restored: boolean } | null>(null)
  const keyOf = (item: Item) => `${item.type}-${item.id}`
  useEffect(() => {
    const want = refocus.current
    // A restored row is waited for until the reloaded list leaves it out.
    if (!want || busy || (want.restored && data.items.some((item) => keyOf(item) === want.key))) return
    refocus.current = null
    if (document.activeElement && document.activeElement !== document.body) return
    const buttons = [...document.querySelectorAll<HTMLElement>('[data-restore]')]
    const target = buttons.find((b) => b.dataset.restore === want.key) ?? buttons[Math.min(want.index, buttons.length - 1)]
    ;(target ?? document.querySelector<HTMLElement>('[role="tab"][aria-selected="true"]'))?.focus()
  })

  async function onRestore(item: Item) {
    const want = { key: keyOf(item), index: data.items.indexOf(item), restored: false }
    refocus.current = want
    setBusy(item.id)
    try {
      await restore({ data: { type: item.type, id: item.id } })
      want.restored = true
      toast.success(t('trash.restored', { name: item.name }))
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
      <PageHeader title={t('nav.trash')} description={t('trash.description')} />
      <div role="tablist" aria-label={t('trash.kind')} className="mb-4 flex flex-wrap gap-2">
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
            {type ? t(`trashTabs.${type as TrashType}`) : t('trash.everything')}
          </button>
        ))}
      </div>
      {data.items.length === 0 ? (
        <EmptyState title={t('trash.emptyTitle')}>{t('trash.emptyBody')}</EmptyState>
      ) : (
        <div className="overflow-hidden rounded-xl bg-white ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800">
          <TableScroller label={t('nav.trash')}>
            <table className="min-w-full divide-y divide-slate-200 text-sm dark:divide-slate-800">
              <thead>
                <tr>
                  {(['item', 'kindColumn', 'deleted', 'by', 'actions'] as const).map((key) => (
                    <th
                      key={key}
                      scope="col"
                      className={cx('px-4 py-3 text-left font-semibold text-slate-700 dark:text-slate-300', key === 'actions' && 'text-right', WIDE_ONLY.has(key) && 'hidden sm:table-cell')}
                    >
                      {key === 'actions' ? t('common.actions') : t(`trash.${key}`)}
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
                        {t(`trashKinds.${item.type}`)} · {format.dateTime.format(new Date(item.deletedAt))}
                        {item.deletedBy ? ` · ${item.deletedBy}` : ''}
                      </p>
                    </td>
                    <td className="hidden px-4 py-3 sm:table-cell">
                      <Badge>{t(`trashKinds.${item.type}`)}</Badge>
                    </td>
                    <td className="hidden whitespace-nowrap px-4 py-3 sm:table-cell">{format.dateTime.format(new Date(item.deletedAt))}</td>
                    <td className="hidden px-4 py-3 sm:table-cell">{item.deletedBy ?? '—'}</td>
                    <td className="whitespace-nowrap px-4 py-3 text-right">
                      <div className="flex flex-col items-end gap-2 sm:flex-row sm:justify-end">
                        {!(item.type === 'user' && impersonating) && (
                          <Button
                            variant="secondary"
                            pending={busy === item.id}
                            onClick={() => onRestore(item)}
                            aria-label={t('trash.restoreName', { name: item.name })}
                            data-restore={keyOf(item)}
                          >
                            <RotateCcw aria-hidden className="size-4" /> {t('trash.restore')}
                          </Button>
                        )}
                        {data.canPurge && (
                          <Button variant="danger" onClick={() => askPurge(item)} aria-label={t('trash.purgeName', { name: item.name })}>
                            <Trash2 aria-hidden className="size-4" /> {t('trash.purge')}
                          </Button>
                        )}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroller>
          {(data.nextCursor || search.cursor) && (
            <nav aria-label={t('users.pages')} className="flex justify-end gap-2 border-t border-slate-200 px-4 py-3 dark:border-slate-800">
              {search.cursor && (
                <Button variant="secondary" onClick={() => navigate({ search: { type: search.type } })}>
                  {t('trash.newest')}
                </Button>
              )}
              {data.nextCursor && (
                <Button variant="secondary" onClick={() => navigate({ search: { type: search.type, cursor: data.nextCursor ?? undefined } })}>
                  {t('trash.older')} <ChevronRight aria-hidden className="size-4" />
                </Button>
              )}
            </nav>
          )}
        </div>
      )}
      <ConfirmDialog
        open={purging !== null}
        title={t('trash.purgeTitle', { name: purging?.item.name ?? '' })}
        confirmLabel={t('trash.purge')}
        onClose={() => setPurging(null)}
        onConfirm={async () => {
          if (!purging) return
          await purge({ data: { type: purging.item.type, id: purging.item.id } })
          toast.success(t('trash.purged', { name: purging.item.name }))
          await router.invalidate()
        }}
      >
        {t('trash.cannotUndo')}
        {purging && purging.descendants > 0 && (
          <strong className="block">
            {t(purging.item.type === 'category' ? 'trash.takesCategories' : 'trash.takesTeams', { count: purging.descendants })}
          </strong>
        )}{' '}
        {t('trash.auditKeeps')}

      </ConfirmDialog>
    </>
  )
}
