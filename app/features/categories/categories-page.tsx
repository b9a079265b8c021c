import { Trans } from 'react-i18next'
import { useI18n } from '~/lib/i18n/react'
import { getRouteApi, Link, Outlet, useNavigate, useParams, useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { Plus, Search } from 'lucide-react'
import { type KeyboardEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { toast } from 'sonner'
import { PageHeader } from '~/components/app-shell'
import { Button, Card, cx } from '~/components/ui'
import { createCategory, moveCategory, searchCategories } from './categories.functions'
import { DETAILS_HEADING, PHONE_LAYOUT } from './category-details'
import { CategoryDialog } from './category-dialogs'
import { type CategoryPage, CategoryPageContext } from './category-page-context'
import { CategoryTree, type DropRequest } from './category-tree'
import { ROOT, useCategoryTree } from './use-category-tree'
import { errorMessage } from '~/lib/errors'
import { can } from '~/lib/navigation'

const Route = getRouteApi('/tenant/_app/categories')

type Hit = Awaited<ReturnType<typeof searchCategories>>['items'][number]

export function CategoriesPage() {
  const roots = Route.useLoaderData()
  const { permissions } = Route.useRouteContext()
  const canWrite = can(permissions, ['categories:write'])
  const params = useParams({ strict: false }) as { id?: string }
  const currentId = params.id
  const navigate = useNavigate()
  const router = useRouter()
  const { t } = useI18n()
  const store = useCategoryTree(roots)
  const focusRow = useRef<((id: string) => void) | null>(null)
  const move = useServerFn(moveCategory)
  const create = useServerFn(createCategory)
  const [creating, setCreating] = useState(false)

  const { nodes, reveal, refresh } = store
  const loaded = useRef(store)
  loaded.current = store
  /** Whether a category's row is in the tree now: loaded, under loaded and open ancestors. */
  const onScreen = useCallback((id: string) => {
    const { nodes: known, expanded: open } = loaded.current
    const node = known[id]
    let shown = Boolean(node)
    for (let p = node?.parentId; shown && p; p = known[p]?.parentId) shown = open.has(p) && Boolean(known[p])
    return shown
  }, [])
  // A deep link (or a search hit, or back/forward) to a row that is not on screen opens the tree down to it. Only a
  // change of the open category reveals; edits of the loaded tree must not re-open closed branches.
  useEffect(() => {
    if (!currentId || onScreen(currentId)) return
    reveal(currentId).then(
      () => requestAnimationFrame(() => focusRow.current?.(currentId)),
      () => {},
    )
  }, [currentId, reveal, onScreen])

  const afterChange = useCallback<CategoryPage['afterChange']>(
    async ({ reveal: id, parents = [] }) => {
      await Promise.all([...new Set(parents)].map((p) => refresh(p)))
      if (id) await reveal(id).catch(() => {})
      else await refresh(null)
      await router.invalidate()
    },
    [refresh, reveal, router],
  )

  const onDrop = useCallback(
    async (request: DropRequest) => {
      const node = nodes[request.id]
      if (!node) return
      if (request.parentId === node.parentId && request.beforeId === null && store.idsOf(node.parentId ?? ROOT).at(-1) === node.id) return
      const target = (request.parentId ? nodes[request.parentId]?.name : undefined) ?? t('catalog.topLevel')
      try {
        await move({ data: { id: request.id, parentId: request.parentId, expectedParentId: node.parentId, beforeId: request.beforeId } })
        toast.success(request.parentId === node.parentId ? t('catalog.moved', { name: node.name }) : t('catalog.movedTo', { name: node.name, target }))
      } catch (e) {
        toast.error(errorMessage(e))
      }
      await afterChange({ reveal: request.id, parents: [node.parentId, request.parentId] })
    },
    [nodes, move, afterChange, store.idsOf, t],
  )

  const page = useMemo<CategoryPage>(() => ({ store, canWrite, focusRow, afterChange }), [store, canWrite, afterChange])

  return (
    <CategoryPageContext.Provider value={page}>
      <PageHeader
        title={t('nav.categories')}
        description={t('catalog.description')}
        actions={
          canWrite && (
            <Button onClick={() => setCreating(true)}>
              <Plus aria-hidden className="size-4" />
              {t('catalog.newTop')}
            </Button>
          )
        }
      />
      {/* Below lg the page shows one of the two: the tree, or the open category's details (with a way back). */}
      <div className="grid grid-cols-[minmax(0,1fr)] gap-6 lg:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
        <Card className={cx('space-y-3 p-4', currentId && 'max-lg:hidden')}>
          <CategorySearch
            onChoose={(id) => navigate({ to: '/tenant/categories/$id', params: { id } })}
            // A hit chosen from the list takes focus to its row, as a revealed one does (the list goes away with it).
            onPick={(id) => {
              if (onScreen(id)) focusRow.current?.(id)
            }}
          />
          {roots.items.length === 0 && store.branches.__root?.ids.length === 0 ? (
            <p className="rounded-lg border border-dashed border-slate-300 p-6 text-center text-sm text-slate-600 dark:border-slate-700 dark:text-slate-400">
              {t(canWrite ? 'catalog.emptyWriter' : 'catalog.empty')}
            </p>
          ) : (
            <CategoryTree
              store={store}
              currentId={currentId}
              focusRef={focusRow}
              onOpen={(id) =>
                navigate({ to: '/tenant/categories/$id', params: { id } }).then(() => {
                  // On a phone the tree gives way to the details: focus goes with it.
                  if (window.matchMedia(PHONE_LAYOUT).matches) document.getElementById(DETAILS_HEADING)?.focus()
                })
              }
              onDrop={canWrite ? onDrop : undefined}
            />
          )}
          <p className="text-xs text-slate-500 dark:text-slate-400">
            <Trans i18nKey={canWrite ? 'catalog.keysHelpWriter' : 'catalog.keysHelp'} components={{ kbd: <kbd /> }} />
          </p>
        </Card>
        <div className={cx(!currentId && 'max-lg:hidden')}>
          <Outlet />
        </div>
      </div>
      {canWrite && (
        <CategoryDialog
          open={creating}
          title={t('catalog.newTop')}
          submitLabel={t('catalog.create')}
          onClose={() => setCreating(false)}
          onSubmit={async (values) => {
            const created = await create({ data: { parentId: null, ...values } })
            toast.success(t('catalog.created', { name: created.name }))
            // The tree reveals the new row when the open category changes to it.
            await navigate({ to: '/tenant/categories/$id', params: { id: created.id } })
          }}
        />
      )}
    </CategoryPageContext.Provider>
  )
}

/** Search by any part of a name; each hit shows its path and opens (and reveals) the category. */
function CategorySearch({ onChoose, onPick }: { onChoose: (id: string) => void; onPick: (id: string) => void }) {
  const search = useServerFn(searchCategories)
  const { t } = useI18n()
  const [q, setQ] = useState('')
  // The box is uncontrolled: only the person's typing changes it, so no render that completes meanwhile (a navigation,
  // a reload of the page's data) can put an older query back while they type.
  const input = useRef<HTMLInputElement>(null)
  const clear = () => {
    if (input.current) input.current.value = ''
    setQ('')
  }
  const [hits, setHits] = useState<Hit[] | null>(null)
  const [more, setMore] = useState(false)
  const [error, setError] = useState<string>()
  const listRef = useRef<HTMLUListElement>(null)

  useEffect(() => {
    const term = q.trim()
    if (!term) {
      setHits(null)
      return
    }
    let cancelled = false
    const timer = setTimeout(async () => {
      try {
        const result = await search({ data: { q: term } })
        if (cancelled) return
        setHits(result.items)
        setMore(Boolean(result.nextCursor))
        setError(undefined)
      } catch (e) {
        if (!cancelled) setError(errorMessage(e))
      }
    }, 200)
    return () => {
      cancelled = true
      clearTimeout(timer)
    }
  }, [q, search])

  function focusHit(index: number) {
    const links = listRef.current?.querySelectorAll<HTMLAnchorElement>('a')
    if (!links?.length) return
    links[(index + links.length) % links.length]?.focus()
  }

  function onListKey(event: KeyboardEvent<HTMLUListElement>) {
    const links = [...(listRef.current?.querySelectorAll<HTMLAnchorElement>('a') ?? [])]
    const index = links.indexOf(document.activeElement as HTMLAnchorElement)
    if (event.key === 'ArrowDown') focusHit(index + 1)
    else if (event.key === 'ArrowUp') index <= 0 ? document.getElementById('category-search')?.focus() : focusHit(index - 1)
    else if (event.key === 'Escape') {
      clear()
      document.getElementById('category-search')?.focus()
    } else return
    event.preventDefault()
  }

  return (
    <div className="space-y-2">
      <div className="relative">
        <label htmlFor="category-search" className="sr-only">
          {t('catalog.search')}
        </label>
        <Search aria-hidden className="pointer-events-none absolute left-3 top-2.5 size-4 text-slate-400" />
        <input
          ref={input}
          id="category-search"
          type="search"
          defaultValue=""
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown' && hits?.length) {
              e.preventDefault()
              focusHit(0)
            }
            if (e.key === 'Enter' && hits?.[0]) {
              e.preventDefault()
              onChoose(hits[0].id)
              clear()
            }
          }}
          placeholder={t('catalog.searchPlaceholder')}
          autoComplete="off"
          aria-controls={hits ? 'category-search-results' : undefined}
          className="block w-full rounded-md border-0 bg-white py-2 pl-9 pr-3 text-sm text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 placeholder:text-slate-400 focus:ring-2 focus:ring-inset focus:ring-indigo-500 dark:bg-slate-900 dark:text-slate-100 dark:ring-slate-700"
        />
      </div>
      <div aria-live="polite" className="sr-only">
        {hits ? (more ? t('catalog.foundMore', { count: hits.length }) : t('catalog.found', { count: hits.length })) : ''}
      </div>
      {error && <p className="text-sm text-red-600 dark:text-red-400">{error}</p>}
      {hits && (
        <ul
          id="category-search-results"
          ref={listRef}
          aria-label={t('catalog.results')}
          onKeyDown={onListKey}
          className="max-h-72 divide-y divide-slate-100 overflow-auto rounded-md ring-1 ring-slate-200 dark:divide-slate-800 dark:ring-slate-800"
        >
          {hits.length === 0 ? (
            <li className="px-3 py-2 text-sm text-slate-500 dark:text-slate-400">{t('catalog.noMatch', { q: q.trim() })}</li>
          ) : (
            hits.map((hit) => (
              <li key={hit.id}>
                <Link
                  to="/tenant/categories/$id"
                  params={{ id: hit.id }}
                  onClick={() => {
                    clear()
                    onPick(hit.id)
                  }}
                  className={cx('block px-3 py-2 text-sm outline-none hover:bg-slate-50 focus-visible:bg-indigo-50 dark:hover:bg-slate-800 dark:focus-visible:bg-indigo-950')}
                >
                  <span className="font-medium">{hit.name}</span>
                  <span className="block text-xs text-slate-500 dark:text-slate-400">{hit.path.map((p) => p.name).join(' › ') || t('catalog.topLevelPath')}</span>
                </Link>
              </li>
            ))
          )}
          {more && <li className="px-3 py-2 text-xs text-slate-500 dark:text-slate-400">{t('catalog.moreMatch')}</li>}

        </ul>
      )}
    </div>
  )
}
