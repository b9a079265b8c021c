import { getRouteApi, Link, useNavigate } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { ArrowDown, ArrowUp, FolderInput, Pencil, Plus, Trash2 } from 'lucide-react'
import { useState } from 'react'
import { toast } from 'sonner'
import { Button, Card, Skeleton } from '../../components/ui'
import { ConfirmDialog } from '../../components/ui/confirm'
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
import { can } from '../../lib/navigation'
import { errorMessage } from '../../lib/errors'

const Route = getRouteApi('/tenant/_app/categories/$id')

export const CHILDREN_SHOWN = 25

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
const count = new Intl.NumberFormat()

export function DetailsLoading() {
  return (
    <Card>
      <div aria-busy="true" className="space-y-3">
        <span className="sr-only">Loading the category…</span>
        <Skeleton className="h-4 w-64" />
        <Skeleton className="h-7 w-48" />
        <Skeleton className="h-24 w-full" />
      </div>
    </Card>
  )
}

type Dialog = 'add' | 'edit' | 'move' | 'delete' | null

export function CategoryDetails() {
  const { category, children } = Route.useLoaderData()
  const { canWrite, afterChange, store } = useCategoryPage()
  const { permissions } = Route.useRouteContext()
  const navigate = useNavigate()
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

  async function onReorder(direction: 'up' | 'down') {
    setBusy(true)
    try {
      await reorder({ data: { id: category.id, direction, expectedParentId: category.parentId } })
      toast.success(`Moved ${category.name} ${direction}`)
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
      toast.success(`Restored ${name}`)
      await afterChange({ reveal: id, parents: [parentId] })
      await navigate({ to: '/tenant/categories/$id', params: { id } })
    } catch (e) {
      toast.error(errorMessage(e))
    }
  }

  return (
    <section aria-label="Category details">
    <Card className="space-y-5">
      <nav aria-label="Breadcrumb">
        <ol className="flex flex-wrap items-center gap-1 text-sm text-slate-600 dark:text-slate-400">
          <li>
            <Link to="/tenant/categories" className="hover:underline">
              Categories
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
          <h2 className="truncate text-xl font-semibold">{category.name}</h2>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{category.description || 'No description.'}</p>
        </div>
        {canWrite && (
          <div className="flex flex-wrap gap-2">
            <Button variant="secondary" onClick={() => setDialog('add')}>
              <Plus aria-hidden className="size-4" />
              Add subcategory
            </Button>
            <Button variant="secondary" onClick={() => setDialog('edit')}>
              <Pencil aria-hidden className="size-4" />
              Edit
            </Button>
            <Button variant="secondary" onClick={() => setDialog('move')}>
              <FolderInput aria-hidden className="size-4" />
              Move to…
            </Button>
            <Button variant="secondary" onClick={() => onReorder('up')} disabled={busy || index === 0} aria-label="Move up">
              <ArrowUp aria-hidden className="size-4" />
            </Button>
            <Button
              variant="secondary"
              onClick={() => onReorder('down')}
              disabled={busy || (index >= 0 && index === siblings.length - 1 && !store.branches[category.parentId ?? '__root']?.nextCursor)}
              aria-label="Move down"
            >
              <ArrowDown aria-hidden className="size-4" />
            </Button>
            <Button variant="danger" onClick={askDelete}>
              <Trash2 aria-hidden className="size-4" />
              Delete
            </Button>
          </div>
        )}
      </div>

      <HistoryTabs label="Details" entity="categories" recordId={category.id} showHistory={can(permissions, ['audit:read'])}>
      <div className="space-y-5">
      <dl className="grid grid-cols-2 gap-x-6 gap-y-3 text-sm sm:grid-cols-4">
        <div>
          <dt className="text-slate-500 dark:text-slate-400">Subcategories</dt>
          <dd className="font-medium tabular-nums">{count.format(category.childCount)}</dd>
        </div>
        <div>
          <dt className="text-slate-500 dark:text-slate-400">In all below</dt>
          <dd className="font-medium tabular-nums">{count.format(category.descendantCount)}</dd>
        </div>
        <div>
          <dt className="text-slate-500 dark:text-slate-400">Created</dt>
          <dd>
            {dateTime.format(new Date(category.createdAt))}
            {category.createdBy && <span className="block text-xs text-slate-500 dark:text-slate-400">by {category.createdBy}</span>}
          </dd>
        </div>
        <div>
          <dt className="text-slate-500 dark:text-slate-400">Last changed</dt>
          <dd>
            {dateTime.format(new Date(category.updatedAt))}
            {category.updatedBy && <span className="block text-xs text-slate-500 dark:text-slate-400">by {category.updatedBy}</span>}
          </dd>
        </div>
      </dl>

      <section aria-labelledby="metadata-heading">
        <h3 id="metadata-heading" className="text-sm font-semibold">
          Metadata
        </h3>
        {metadata.length === 0 ? (
          <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">None.</p>
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
          Subcategories
        </h3>
        {children.items.length === 0 ? (
          <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">None.</p>
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
            Showing the first {CHILDREN_SHOWN} of {count.format(category.childCount)}; expand it in the tree to see them all.
          </p>
        )}
      </section>
      </div>
      </HistoryTabs>

      <CategoryDialog
        open={dialog === 'add'}
        title="Add a subcategory"
        context={`Inside ${[...category.ancestors.map((a) => a.name), category.name].join(' › ')}`}
        submitLabel="Create"
        onClose={() => setDialog(null)}
        onSubmit={async (values) => {
          const created = await add({ data: { parentId: category.id, ...values } })
          toast.success(`Created ${created.name} in ${category.name}`)
          // The tree reveals the new row when the open category changes to it.
          await store.refresh(category.id)
          await navigate({ to: '/tenant/categories/$id', params: { id: created.id } })
        }}
      />
      <CategoryDialog
        open={dialog === 'edit'}
        title={`Edit ${category.name}`}
        submitLabel="Save"
        initial={{ name: category.name, description: category.description, metadata: category.metadata }}
        onClose={() => setDialog(null)}
        onSubmit={async (values) => {
          await save({ data: { id: category.id, data: values } })
          toast.success('Category saved')
          await afterChange({ reveal: category.id, parents: [category.parentId] })
        }}
      />
      <MoveDialog
        open={dialog === 'move'}
        category={{ id: category.id, name: category.name, parentId: category.parentId, path }}
        onClose={() => setDialog(null)}
        onMove={async (parentId, label) => {
          await move({ data: { id: category.id, parentId, expectedParentId: category.parentId, beforeId: null } })
          toast.success(parentId ? `Moved ${category.name} into ${label}` : `Moved ${category.name} to the top level`)
          await afterChange({ reveal: category.id, parents: [category.parentId, parentId] })
        }}
      />
      <ConfirmDialog
        open={dialog === 'delete'}
        title={`Delete ${category.name}?`}
        confirmLabel={descendants ? `Delete ${count.format(descendants + 1)} categories` : 'Delete category'}
        onClose={() => setDialog(null)}
        onConfirm={async () => {
          const result = await remove({ data: { id: category.id } })
          toast.success(
            result.descendants ? `Moved ${category.name} and ${count.format(result.descendants)} subcategories to the trash` : `Moved ${category.name} to the trash`,
            { action: { label: 'Undo', onClick: () => void onRestore(category.id, category.name, category.parentId) } },
          )
          await afterChange({ reveal: category.parentId, parents: [category.parentId] })
          await navigate(category.parentId ? { to: '/tenant/categories/$id', params: { id: category.parentId } } : { to: '/tenant/categories' })
        }}
      >
        {descendants
          ? `${category.name} and the ${count.format(descendants)} ${descendants === 1 ? 'category' : 'categories'} below it go to the trash. You can restore them from there.`
          : `${category.name} goes to the trash. You can restore it from there.`}
      </ConfirmDialog>
    </Card>
    </section>
  )
}
