import { useI18n } from '~/lib/i18n/react'
import { ChevronRight, GripVertical, Loader2 } from 'lucide-react'
import { useRouter } from '@tanstack/react-router'
import { type DragEvent, type KeyboardEvent, type ReactNode, type RefObject, useCallback, useEffect, useRef, useState } from 'react'
import {
  Button as AriaButton,
  DropIndicator,
  type DropPosition,
  type DropTarget,
  type Key,
  ListLayout,
  Tree,
  TreeItem,
  TreeItemContent,
  TreeLoadMoreItem,
  type TreeState,
  useDragAndDrop,
  Virtualizer,
} from 'react-aria-components'
import { cx } from '~/components/ui'
import { type CategoryTreeStore, ROOT } from './use-category-tree'

const DRAG_TYPE = 'application/x-haven-category'
const POSITIONS: DropPosition[] = ['before', 'on', 'after']

const ROW_HEIGHT = 36
// The tree's inner padding belongs to the layout, not to CSS: drag and drop hit-tests rows by the layout's geometry,
// so padding the scroll container would shift every drop position by its width.
const PADDING = 4

export type DropRequest = { id: string; parentId: string | null; beforeId: string | null }

/**
 * The category tree: react-aria-components' Tree (WAI-ARIA tree pattern: arrows, Home/End, type-ahead, Enter) inside
 * its Virtualizer, so a branch of 5,000 children renders only the rows on screen. Branches load when expanded and
 * page in as the end of a branch scrolls into view. `*` expands every sibling of the focused row.
 */
export function CategoryTree({
  store,
  currentId,
  onOpen,
  onDrop,
  focusRef,
}: {
  store: CategoryTreeStore
  /** Set to a function that moves keyboard focus to a row (scrolling the virtualized list to it). */
  focusRef?: RefObject<((id: string) => void) | null>
  /** The open category: the tree's selected row. */
  currentId?: string
  /** Called when the person selects another row. */
  onOpen: (id: string) => void
  /** Given when the person may edit: rows can be dragged (by mouse, or by keyboard from the grip). */
  onDrop?: (request: DropRequest) => void
}) {
  const { t, tr, format } = useI18n()
  const { nodes, branches, expanded, idsOf } = store
  const stateRef = useRef<TreeState<unknown> | null>(null)
  const treeRef = useRef<HTMLDivElement>(null)
  const router = useRouter()
  const scrollTop = useRef(0)

  // The router's scroll restoration treats every scrolled element as part of the page: after each load (a click on a
  // row, the reload after an edit) it sets the tree back to a position it recorded before, which jumped the tree away
  // from the rows a person was working on (and under a drag in progress). The tree keeps its own position; the open
  // category is brought into view by the effect below.
  useEffect(
    () =>
      router.subscribe('onRendered', () => {
        const el = treeRef.current
        if (el && el.scrollTop !== scrollTop.current) el.scrollTop = scrollTop.current
      }),
    [router],
  )

  // Keep the open category in view (deep links, search hits, edits that moved it). Rows have one fixed height, so
  // its offset is its index among the rows on screen; the virtualizer renders it once it is scrolled to.
  useEffect(() => {
    const el = treeRef.current
    if (!currentId || !el) return
    let index = 0
    let found = -1
    const walk = (key: string) => {
      for (const id of idsOf(key)) {
        if (found >= 0) return
        if (id === currentId) found = index
        index += 1
        if (expanded.has(id)) walk(id)
      }
      if (branches[key]?.nextCursor || !branches[key]) index += 1
    }
    walk(ROOT)
    if (found < 0) return
    const top = PADDING + found * ROW_HEIGHT
    if (top < el.scrollTop || top + ROW_HEIGHT > el.scrollTop + el.clientHeight) {
      el.scrollTop = Math.max(0, top - el.clientHeight / 3)
      scrollTop.current = el.scrollTop
    }
  }, [currentId, branches, expanded, idsOf])
  // The tree's tab stop rests on the open category (the APG's single-select tree: Tab enters on the selected row): when
  // it changes while the tree does not hold focus, and when focus leaves the tree. Arrows inside the tree are untouched.
  const restTabStop = useCallback(
    (leaving: boolean) => {
      const state = stateRef.current
      if (!currentId || !state || (!leaving && state.selectionManager.isFocused) || !state.collection.getItem(currentId)) return
      state.selectionManager.setFocusedKey(currentId)
    },
    [currentId],
  )
  const currentParent = currentId ? nodes[currentId]?.parentId : undefined
  const currentInTree = currentParent === null || (currentParent !== undefined && expanded.has(currentParent))
  useEffect(() => {
    if (currentInTree) restTabStop(false)
  }, [restTabStop, currentInTree])

  if (focusRef) {
    focusRef.current = (id) => {
      const manager = stateRef.current?.selectionManager
      if (!manager) return
      manager.setFocusedKey(id)
      // Never from a field the person is typing in (the search box while a reveal completes); Tab then enters the
      // tree on this row.
      const active = document.activeElement
      if (active?.matches('input, textarea, select, [contenteditable]') && !treeRef.current?.contains(active)) return
      manager.setFocused(true)
      // The virtualizer renders the row only once the tree has scrolled to it (a frame or two after a reveal), and the
      // tree moves DOM focus only while it already holds it: focus the row when it appears.
      let frames = 60
      const focusWhenRendered = () => {
        const el = treeRef.current?.querySelector<HTMLElement>(`[role="row"][data-key="${CSS.escape(id)}"]`)
        if (el) {
          if (document.activeElement !== el) el.focus({ preventScroll: true })
        } else if (--frames > 0) requestAnimationFrame(focusWhenRendered)
      }
      focusWhenRendered()
    }
  }

  // Why a drop is refused, while the dragged row is over a place it cannot go (or a keyboard move skipped some); the
  // server checks the same again.
  const dragged = useRef<string | null>(null)
  const [refusal, setRefusal] = useState<string | null>(null)
  /** Whether the dragged category may go to `target`; `reason` when the person should be told why not. */
  function checkDrop(target: DropTarget): { ok: boolean; reason: string | null } {
    const node = dragged.current ? nodes[dragged.current] : undefined
    const over = target.type === 'item' ? nodes[String(target.key)] : undefined
    if (!node || !over || target.type !== 'item') return { ok: false, reason: null }
    // Beside itself: the row stays where it is.
    if (over.id === node.id && target.dropPosition !== 'on') return { ok: false, reason: null }
    const parentId = target.dropPosition === 'on' ? over.id : over.parentId
    for (let p = parentId; p; p = nodes[p]?.parentId ?? null) {
      if (p === node.id) return { ok: false, reason: t('categoryForm.cycle') }
    }
    if (parentId === node.parentId) return { ok: true, reason: null }
    const name = node.name.toLowerCase()
    if (idsOf(parentId ?? ROOT).some((s) => s !== node.id && nodes[s]?.name.toLowerCase() === name)) {
      const parent = parentId ? nodes[parentId]?.name : undefined
      return { ok: false, reason: parent ? t('categoryForm.nameTakenIn', { parent }) : t('categoryForm.nameTakenTop') }
    }
    return { ok: true, reason: null }
  }

  /**
   * A keyboard drag moves from one accepted place to the next and react-aria skips the refused ones without a word
   * (a mouse user sees the reason while over them, onDragOver below): say which rows a keyboard move skipped and why.
   * Places run before, on and after each row on screen, in order; everything strictly between the last place and
   * this one was refused.
   */
  const keyboardAt = useRef<{ key: string; dropPosition: DropPosition } | null>(null)
  function onKeyboardTarget(target: DropTarget) {
    const from = keyboardAt.current
    if (target.type !== 'item') return
    keyboardAt.current = { key: String(target.key), dropPosition: target.dropPosition }
    if (!from) return
    const places: Array<{ key: string; dropPosition: DropPosition }> = []
    const walk = (key: string) => {
      for (const id of idsOf(key)) {
        for (const dropPosition of POSITIONS) places.push({ key: id, dropPosition })
        if (expanded.has(id)) walk(id)
      }
    }
    walk(ROOT)
    const index = (p: { key: string; dropPosition: DropPosition }) => places.findIndex((q) => q.key === p.key && q.dropPosition === p.dropPosition)
    const [a, b] = [index(from), index(keyboardAt.current)].sort((x, y) => x - y)
    const skipped = new Map<string, string[]>()
    if (a !== undefined && b !== undefined && a >= 0) {
      for (const place of places.slice(a + 1, b)) {
        if (place.key === dragged.current) continue
        const reason = checkDrop({ type: 'item', ...place }).reason
        const name = nodes[place.key]?.name
        if (!reason || !name) continue
        const names = skipped.get(reason) ?? []
        if (!names.includes(name)) names.push(name)
        skipped.set(reason, names)
      }
    }
    setRefusal(skipped.size ? [...skipped].map(([reason, names]) => t('catalog.dropSkipped', { names: format.list.format(names), reason })).join(' ') : null)
  }

  const { dragAndDropHooks } = useDragAndDrop({
    getItems: (keys) => [...keys].map((key) => ({ [DRAG_TYPE]: String(key), 'text/plain': nodes[String(key)]?.name ?? '' })),
    acceptedDragTypes: [DRAG_TYPE],
    onDragStart: (e) => {
      dragged.current = String([...e.keys][0] ?? '')
      keyboardAt.current = { key: dragged.current, dropPosition: 'on' }
    },
    onDragEnd: () => {
      dragged.current = null
      keyboardAt.current = null
      setRefusal(null)
    },
    onDropEnter: (e) => {
      if (dragAndDropHooks.isVirtualDragging?.()) onKeyboardTarget(e.target)
    },
    getDropOperation: (target) => {
      // The tree itself (outside any row) is never a drop target: asked last, it must not hide a row's reason.
      if (target.type === 'root') return 'cancel'
      return checkDrop(target).ok ? 'move' : 'cancel'
    },
    onMove: (e) => {
      const id = String([...e.keys][0] ?? '')
      const target = e.target
      const over = nodes[String(target.key)]
      if (!id || !over || !onDrop) return
      if (target.dropPosition === 'on') return onDrop({ id, parentId: over.id, beforeId: null })
      if (target.dropPosition === 'before') return onDrop({ id, parentId: over.parentId, beforeId: over.id })
      const siblings = idsOf(over.parentId ?? ROOT).filter((s) => s !== id)
      const next = siblings[siblings.indexOf(over.id) + 1] ?? null
      onDrop({ id, parentId: over.parentId, beforeId: next })
    },
    renderDropIndicator: (target) => (
      <DropIndicator target={target} className={({ isDropTarget }) => cx('h-0.5 rounded', isDropTarget ? 'bg-indigo-500' : 'bg-transparent')} />
    ),
  })

  /**
   * The reason shown while a dragged row is over a place it cannot go, read from the row under the pointer as the list
   * layout reads it: its top or bottom 10 px are the gaps beside it, the rest is the row itself. (react-aria refuses a
   * drop into the dragged row's own subtree before asking getDropOperation, so the reason cannot come from there.)
   */
  function onDragOver(event: DragEvent<HTMLDivElement>) {
    if (!dragged.current) return
    const el = (event.target as Element).closest?.('[role="row"][data-key]')
    const key = el?.getAttribute('data-key')
    if (!el || !key || !nodes[key]) return setRefusal(null)
    const box = el.getBoundingClientRect()
    const dropPosition = event.clientY <= box.top + 10 ? 'before' : event.clientY >= box.bottom - 10 ? 'after' : 'on'
    const { reason } = checkDrop({ type: 'item', key, dropPosition })
    setRefusal(reason ? t('catalog.dropRefused', { reason }) : null)
  }

  function onDragLeave(event: DragEvent<HTMLDivElement>) {
    if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setRefusal(null)
  }

  function onKeyDownCapture(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === 'ArrowRight' && !(event.altKey || event.ctrlKey || event.metaKey || event.shiftKey)) {
      // The tree pattern (WAI-ARIA APG): Right on an open row moves to its first child (react-aria stays put).
      const manager = stateRef.current?.selectionManager
      const focused = manager?.focusedKey == null ? undefined : String(manager.focusedKey)
      const first = focused && expanded.has(focused) ? idsOf(focused)[0] : undefined
      if (!manager || !first || !(event.target as HTMLElement).matches('[role="row"]')) return
      event.preventDefault()
      event.stopPropagation()
      manager.setFocusedKey(first)
      return
    }
    if (event.key !== '*') return
    const focused = stateRef.current?.selectionManager.focusedKey
    const node = focused == null ? undefined : nodes[String(focused)]
    if (!node) return
    event.preventDefault()
    event.stopPropagation()
    const siblings = idsOf(node.parentId ?? ROOT)
    store.toggle(
      siblings.filter((s) => (nodes[s]?.childCount ?? 0) > 0),
      true,
    )
  }

  function renderBranch(key: string): ReactNode[] {
    const branch = branches[key]
    const rows: ReactNode[] = idsOf(key).map((id) => {
      const node = nodes[id]
      if (!node) return null
      const descendants = `${format.number.format(node.descendantCount)}${node.descendantsCapped ? '+' : ''}`
      return (
        <TreeItem
          key={id}
          id={id}
          textValue={node.name}
          hasChildItems={node.childCount > 0}
          className={({ isSelected, isFocusVisible, isDropTarget }) =>
            cx(
              'group flex cursor-default select-none items-center rounded-md text-sm outline-none',
              isSelected ? 'bg-indigo-50 font-medium text-indigo-900 dark:bg-indigo-950 dark:text-indigo-100' : 'hover:bg-slate-50 dark:hover:bg-slate-800/60',
              isFocusVisible && 'ring-2 ring-inset ring-indigo-500',
              isDropTarget && 'bg-indigo-100 ring-2 ring-inset ring-indigo-400 dark:bg-indigo-900',
            )
          }
        >
          <TreeItemContent>
            {({ isExpanded, hasChildItems, level, allowsDragging }) => (
              <div className="flex h-9 w-full min-w-0 items-center gap-1 pr-2" style={{ paddingLeft: `${(level - 1) * 1.25}rem` }}>
                {allowsDragging ? (
                  <AriaButton slot="drag" className="rounded p-0.5 text-slate-400 outline-none focus-visible:ring-2 focus-visible:ring-indigo-500">
                    <GripVertical aria-hidden className="size-4" />
                  </AriaButton>
                ) : null}
                {hasChildItems ? (
                  <AriaButton
                    slot="chevron"
                    // The tree names the button by this label followed by the row's name (aria-labelledby): "Expand Garden".
                    aria-label={isExpanded ? t('catalog.collapse') : t('catalog.expand')}
                    className="rounded p-0.5 text-slate-500 dark:text-slate-400 outline-none hover:bg-slate-200 focus-visible:ring-2 focus-visible:ring-indigo-500 dark:hover:bg-slate-700"
                  >
                    <ChevronRight aria-hidden className={cx('size-4 transition-transform', isExpanded && 'rotate-90')} />
                  </AriaButton>
                ) : (
                  <span aria-hidden className="inline-block w-5" />
                )}
                <span className="min-w-0 flex-1 truncate">{node.name}</span>
                {node.childCount > 0 && (
                  <span className="shrink-0 text-xs tabular-nums text-slate-600 dark:text-slate-400" title={t('catalog.counts', { count: node.childCount, all: descendants })}>
                    {format.number.format(node.childCount)} · {descendants}
                  </span>
                )}
              </div>
            )}
          </TreeItemContent>
          {expanded.has(id)
            ? renderBranch(id)
            : node.childCount > 0 && (
                // A collapsed branch that has children holds a placeholder row, so the tree treats it as expandable
                // (aria-expanded, ArrowRight) before its children are loaded.
                <TreeLoadMoreItem key={`stub:${id}`} isLoading />
              )}
        </TreeItem>
      )
    })
    if (!branch || branch.loading || branch.nextCursor) {
      rows.push(
        <TreeLoadMoreItem
          key={`more:${key}`}
          isLoading={!branch || branch.loading}
          onLoadMore={() => void store.load(key, branch ? 'more' : 'first')}
          className="flex h-9 items-center gap-2 px-6 text-xs text-slate-500 dark:text-slate-400"
        >
          <Loader2 aria-hidden className="size-3.5 animate-spin" />
          <span>{t('catalog.loading')}</span>
        </TreeLoadMoreItem>,
      )
    }
    if (branch?.error) {
      rows.push(
        <TreeItem key={`error:${key}`} id={`error:${key}`} textValue={tr(branch.error)} className="px-6 py-2 text-xs text-red-600 dark:text-red-400">
          <TreeItemContent>{tr(branch.error)}</TreeItemContent>
        </TreeItem>,
      )
    }
    return rows
  }

  return (
    <div
      onKeyDownCapture={onKeyDownCapture}
      onDragOverCapture={onDragOver}
      onDragLeaveCapture={onDragLeave}
      onBlurCapture={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget)) restTabStop(true)
      }}
      className="relative"
    >
    <Virtualizer layout={ListLayout} layoutOptions={{ rowHeight: ROW_HEIGHT, loaderHeight: ROW_HEIGHT, dropIndicatorThickness: 2, padding: PADDING }}>
      <Tree
        ref={treeRef}
        aria-label={t('catalog.tree')}
        // The tree's one selected row is the open category (aria-selected, so screen readers say "selected"): selecting
        // a row (click, tap, Enter or Space) opens it, and the selection follows the URL, not the arrow keys. An error
        // row can be focused and read but not selected.
        selectionMode="single"
        disallowEmptySelection
        selectedKeys={currentId ? [currentId] : []}
        onSelectionChange={(keys) => {
          const id = keys === 'all' ? undefined : String([...keys][0] ?? '')
          if (id && id !== currentId && nodes[id]) onOpen(id)
        }}
        disabledBehavior="selection"
        disabledKeys={Object.keys(branches).flatMap((key) => (branches[key]?.error ? [`error:${key}`] : []))}
        expandedKeys={expanded}
        onExpandedChange={(keys: Set<Key>) => store.setExpandedKeys(new Set([...keys].map(String)))}
        dragAndDropHooks={onDrop ? dragAndDropHooks : undefined}
        onScroll={(e) => {
          scrollTop.current = e.currentTarget.scrollTop
        }}
        className={({ state }) => {
          stateRef.current = state
          return 'h-[60vh] min-h-80 overflow-auto rounded-lg outline-none ring-1 ring-slate-200 focus-visible:ring-2 focus-visible:ring-indigo-500 dark:ring-slate-800'
        }}
        renderEmptyState={() => <p className="p-6 text-center text-sm text-slate-500 dark:text-slate-400">{t('catalog.empty')}</p>}

      >
        {renderBranch(ROOT)}
      </Tree>
    </Virtualizer>
    <p
      role="status"
      className={
        refusal
          ? 'pointer-events-none absolute inset-x-2 bottom-2 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 shadow ring-1 ring-amber-300 dark:bg-amber-950 dark:text-amber-100 dark:ring-amber-800'
          : 'sr-only'
      }
    >
      {refusal ?? ''}
    </p>
    </div>
  )
}
