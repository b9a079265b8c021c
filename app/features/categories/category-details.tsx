import { useI18n } from '~/lib/i18n/react'
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { ArrowDown, ArrowLeft, ArrowUp, FolderInput, Pencil, Plus, Trash2 } from 'lucide-react'
import { useState } from 'react'
import { toast } from 'sonner'
import { Button, Card, Skeleton } from '~/components/ui'
import { ConfirmDialog } from '~/components/ui/confirm'
import {
  createCategory,
  deleteCategory,
  getCategoryDeleteImpact,
  moveCategory,
  reorderCategory,
  restoreCategory,
  updateCategory,
} from './categories.functions'
import { CategoryDialog, MoveDialog } from './category-dialogs'
import { useCategoryPage } from './category-page-context'
import { HistoryTabs } from '../audit/history-tabs'
import { can } from '~/lib/navigation'
import { errorMessage } from '~/lib/errors'

const Route = getRouteApi('/tenant/_app/categories/$id')

export const CHILDREN_SHOWN = 25
/** Below Tailwind's lg the page shows the tree or the details, not both. */
export const PHONE_LAYOUT = '(max-width: 1023.98px)'
export const DETAILS_HEADING = 'category-heading'

/** On a phone, the way from a category's details back to the tree. */
export function BackToTree() {
  const { t } = useI18n()
  return (
    <Link to="/tenant/categories" className="inline-flex items-center gap-1 text-sm font-medium text-indigo-700 hover:underline lg:hidden dark:text-indigo-300">
      <ArrowLeft aria-hidden className="size-4" />
      {t('catalog.backToTree')}
    </Link>
  )
}

export function DetailsLoading() {
  const { t } = useI18n()
  return (
    <Card>
      <div aria-busy="true" className="space-y-3">
        <span className="sr-only">{t('category.loading')}</span>
        <Skeleton className="h-4 w-64" />
        <Skeleton className="h-7 w-48" />
        <Skeleton className="h-24 w-full" />
      </div>
    </Card>
  )
}

export function CategoryNotFound() {
  const { t } = useI18n()
  return (
    <Card className="space-y-2">
      <BackToTree />
      <h2 className="text-lg font-semibold">{t('category.notFound')}</h2>
      <p className="text-sm text-slate-600 dark:text-slate-400">{t('category.notFoundBody')}</p>
    </Card>
  )
}

type Dialog = 'add' | 'edit' | 'move' | 'delete' | null

export function CategoryDetails() {
  const { category, children } = Route.useLoaderData()
  const { canWrite, afterChange, store } = useCategoryPage()
  const { permissions } = Route.useRouteContext()
  const navigate = useNavigate()
  const { t, tr, format } = useI18n()
  const dateTime = format.dateTime

  const count = format.number
  const save = useServerFn(updateCategory)
  const add = useServerFn(createCategory)
  const move = useServerFn(moveCategory)
  const reorder = useServerFn(reorderCategory)
  const impactOf = useServerFn(getCategoryDeleteImpact)
  const remove = useServerFn(deleteCategory)
  const restore = useServerFn(restoreCategory)
  const [dialog, setDialog] = useState<Dialog>(null)
  const [descendants, setDescendants] = useState(0)
  const [busy, setBusy] = useState(false)

  const path = category.ancestors.map((a) => a.name).join(' › ')
  const siblings = store.branches[category.parentId ?? '__root']?.ids ?? []
  const index = siblings.indexOf(category.id)
  const metadata = Object.entries(category.metadata)

  // Up and down stay focusable when they cannot act (at an end, or while a move runs): a disabled button would drop
  // keyboard focus to the page each time the category reaches an end or is moved.
  const atTop = index === 0
  const atBottom = index >= 0 && index === siblings.length - 1 && !store.branches[category.parentId ?? '__root']?.nextCursor

  async function onReorder(direction: 'up' | 'down') {
    if (busy || (direction === 'up' ? atTop : atBottom)) return
    setBusy(true)
    try {
      await reorder({ data: { id: category.id, direction, expectedParentId: category.parentId } })
      toast.success(t(direction === 'up' ? 'category.movedUp' : 'category.movedDown', { name: category.name }))
    } catch (e) {
      toast.error(errorMessage(e))
    } finally {
      setBusy(false)
    }
    await afterChange({ reveal: category.id, parents: [category.parentId] })
  }

  async function askDelete() {
    try {
      setDescendants((await impactOf({ data: { id: category.id } })).descendants)
      setDialog('delete')
    } catch (e) {
      toast.error(errorMessage(e))
    }
  }

  async function onRestore(id: string, name: string, parentId: string | null) {
    try {
      await restore({ data: { id } })
      toast.success(t('category.restored', { name }))
      await afterChange({ reveal: id, parents: [parentId] })
      await navigate({ to: '/tenant/categories/$id', params: { id } })
    } catch (e) {
      toast.error(errorMessage(e))
    }
  }

  return (
    <section aria-label={t('category.details')}>
    <Card className="space-y-5">
      <BackToTree />
      <nav aria-label={t('team.breadcrumb')}>
        <ol className="flex flex-wrap items-center gap-1 text-sm text-slate-600 dark:text-slate-400">
          <li>
            <Link to="/tenant/categories" className="hover:underline">
              {t('nav.categories')}
            </Link>
          </li>
          {category.ancestors.map((a) => (
            <li key={a.id} className="flex items-center gap-1">
              <span aria-hidden>›</span>
              <Link to="/tenant/categories/$id" params={{ id: a.id }} className="hover:underline">
                {a.name}
              </Link>
            </li>
          ))}
          <li className="flex items-center gap-1">
            <span aria-hidden>›</span>
            <span aria-current="page" className="font-medium text-slate-900 dark:text-slate-100">
              {category.name}
            </span>
          </li>
        </ol>
      </nav>

      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h2 id={DETAILS_HEADING} tabIndex={-1} className="truncate text-xl font-semibold outline-none">
            {category.name}
          </h2>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{category.description || t('category.noDescription')}</p>
        </div>
        {canWrite && (
          <div className="flex flex-wrap gap-2">
            <Button variant="secondary" onClick={() => setDialog('add')}>
              <Plus aria-hidden className="size-4" />
              {t('category.addSub')}
            </Button>
            <Button variant="secondary" onClick={() => setDialog('edit')}>
              <Pencil aria-hidden className="size-4" />
              {t('category.edit')}
            </Button>
            <Button variant="secondary" onClick={() => setDialog('move')}>
              <FolderInput aria-hidden className="size-4" />
              {t('category.moveTo')}
            </Button>
            <Button variant="secondary" onClick={() => onReorder('up')} aria-disabled={busy || atTop} aria-label={t('category.moveUp')}>
              <ArrowUp aria-hidden className="size-4" />
            </Button>
            <Button variant="secondary" onClick={() => onReorder('down')} aria-disabled={busy || atBottom} aria-label={t('category.moveDown')}>
              <ArrowDown aria-hidden className="size-4" />
            </Button>
            <Button variant="danger" onClick={askDelete}>
              <Trash2 aria-hidden className="size-4" />
              {t('category.delete')}
            </Button>
          </div>
        )}
      </div>

      <HistoryTabs label={t('category.detailsTab')} entity="categories" recordId={category.id} showHistory={can(permissions, ['audit:read'])}>
      <div className="space-y-5">
      <dl className="grid grid-cols-2 gap-x-6 gap-y-3 text-sm sm:grid-cols-4">
        <div>
          <dt className="text-slate-500 dark:text-slate-400">{t('category.subcategories')}</dt>
          <dd className="font-medium tabular-nums">{count.format(category.childCount)}</dd>
        </div>
        <div>
          <dt className="text-slate-500 dark:text-slate-400">{t('category.inAllBelow')}</dt>
          <dd className="font-medium tabular-nums">{count.format(category.descendantCount)}</dd>
        </div>
        <div>
          <dt className="text-slate-500 dark:text-slate-400">{t('category.created')}</dt>
          <dd>
            {dateTime.format(new Date(category.createdAt))}
            {category.createdBy && <span className="block text-xs text-slate-500 dark:text-slate-400">{t('category.by', { name: tr(category.createdBy) })}</span>}
          </dd>
        </div>
        <div>
          <dt className="text-slate-500 dark:text-slate-400">{t('category.lastChanged')}</dt>
          <dd>
            {dateTime.format(new Date(category.updatedAt))}
            {category.updatedBy && <span className="block text-xs text-slate-500 dark:text-slate-400">{t('category.by', { name: tr(category.updatedBy) })}</span>}
          </dd>
        </div>
      </dl>

      <section aria-labelledby="metadata-heading">
        <h3 id="metadata-heading" className="text-sm font-semibold">
          {t('category.metadata')}
        </h3>
        {metadata.length === 0 ? (
          <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">{t('category.none')}</p>
        ) : (
          <dl className="mt-2 divide-y divide-slate-100 rounded-md text-sm ring-1 ring-slate-200 dark:divide-slate-800 dark:ring-slate-800">
            {metadata.map(([key, value]) => (
              <div key={key} className="flex gap-3 px-3 py-1.5">
                <dt className="w-40 shrink-0 font-mono text-xs text-slate-500 dark:text-slate-400">{key}</dt>
                <dd className="min-w-0 break-words font-mono text-xs">{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
              </div>
            ))}
          </dl>
        )}
      </section>

      <section aria-labelledby="children-heading">
        <h3 id="children-heading" className="text-sm font-semibold">
          {t('category.subcategories')}
        </h3>
        {children.items.length === 0 ? (
          <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">{t('category.none')}</p>
        ) : (
          <ul className="mt-2 grid gap-1 sm:grid-cols-2">
            {children.items.map((c) => (
              <li key={c.id}>
                <Link to="/tenant/categories/$id" params={{ id: c.id }} className="flex justify-between gap-2 rounded px-2 py-1 text-sm hover:bg-slate-50 dark:hover:bg-slate-800">
                  <span className="truncate">{c.name}</span>
                  {c.childCount > 0 && <span className="text-xs tabular-nums text-slate-500 dark:text-slate-400">{count.format(c.childCount)}</span>}
                </Link>
              </li>
            ))}
          </ul>
        )}
        {children.nextCursor && (
          <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">
            {t('category.showingFirst', { shown: CHILDREN_SHOWN, total: count.format(category.childCount) })}
          </p>
        )}
      </section>
      </div>
      </HistoryTabs>

      {canWrite && (
      <>
      <CategoryDialog
        open={dialog === 'add'}
        title={t('category.addTitle')}
        context={t('category.inside', { path: [...category.ancestors.map((a) => a.name), category.name].join(' › ') })}
        submitLabel={t('catalog.create')}
        onClose={() => setDialog(null)}
        onSubmit={async (values) => {
          const created = await add({ data: { parentId: category.id, ...values } })
          toast.success(t('category.createdIn', { name: created.name, parent: category.name }))
          // The tree reveals the new row when the open category changes to it.
          await store.refresh(category.id)
          await navigate({ to: '/tenant/categories/$id', params: { id: created.id } })
        }}
      />
      <CategoryDialog
        open={dialog === 'edit'}
        title={t('category.editTitle', { name: category.name })}
        submitLabel={t('common.save')}
        initial={{ name: category.name, description: category.description, metadata: category.metadata }}
        onClose={() => setDialog(null)}
        onSubmit={async (values) => {
          await save({ data: { id: category.id, data: values } })
          toast.success(t('category.saved'))
          await afterChange({ reveal: category.id, parents: [category.parentId] })
        }}
      />
      <MoveDialog
        open={dialog === 'move'}
        category={{ id: category.id, name: category.name, parentId: category.parentId, path }}
        onClose={() => setDialog(null)}
        onMove={async (parentId, label) => {
          await move({ data: { id: category.id, parentId, expectedParentId: category.parentId, beforeId: null } })
          toast.success(parentId ? t('category.movedInto', { name: category.name, target: label }) : t('category.movedTop', { name: category.name }))
          await afterChange({ reveal: category.id, parents: [category.parentId, parentId] })
        }}
      />
      <ConfirmDialog
        open={dialog === 'delete'}
        title={t('category.deleteTitle', { name: category.name })}
        confirmLabel={descendants ? t('category.deleteMany', { count: descendants + 1 }) : t('category.deleteOne')}
        onClose={() => setDialog(null)}
        onConfirm={async () => {
          const result = await remove({ data: { id: category.id } })
          toast.success(
            result.descendants
              ? t('category.trashedMany', { name: category.name, count: result.descendants })
              : t('category.trashed', { name: category.name }),
            { action: { label: t('category.undo'), onClick: () => void onRestore(category.id, category.name, category.parentId) } },
          )
          // Leave the deleted category before anything reloads: a reload of this page would ask for it (404).
          await navigate(category.parentId ? { to: '/tenant/categories/$id', params: { id: category.parentId } } : { to: '/tenant/categories' })
          await afterChange({ reveal: category.parentId, parents: [category.parentId] })
        }}
      >
        {descendants
          ? t('category.deleteBodyMany', { name: category.name, count: descendants })
          : t('category.deleteBody', { name: category.name })}
      </ConfirmDialog>
      </>
      )}
    </Card>
    </section>
  )
}
