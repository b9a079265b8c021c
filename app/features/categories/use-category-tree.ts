import { useServerFn } from '@tanstack/react-start'
import { useCallback, useRef, useState } from 'react'
import { errorRef } from '~/lib/errors'
import { listCategoryChildren, revealCategory } from './categories.functions'
import { type CategoryNode, CHILD_PAGE_SIZE } from './categories.schemas'

/** The key of the top level's branch (the roots have no parent id). */
export const ROOT = '__root'
export type BranchKey = string

export type Branch = { ids: string[]; nextCursor: string | null; loading: boolean; error?: string }

const keyOf = (parentId: string | null): BranchKey => parentId ?? ROOT
const parentOf = (key: BranchKey): string | null => (key === ROOT ? null : key)

/**
 * The client's copy of the parts of the tree a person has opened: nodes by id, the loaded window of each opened
 * branch (keyset pages), and which nodes are expanded. Nothing loads until a branch is opened; a deep link loads
 * every level down to its node with one call (revealCategory).
 */
export function useCategoryTree(initialRoots: { items: CategoryNode[]; nextCursor: string | null }) {
  const list = useServerFn(listCategoryChildren)
  const revealFn = useServerFn(revealCategory)
  const [nodes, setNodes] = useState<Record<string, CategoryNode>>(() => Object.fromEntries(initialRoots.items.map((n) => [n.id, n])))
  const [branches, setBranches] = useState<Record<BranchKey, Branch>>(() => ({
    [ROOT]: { ids: initialRoots.items.map((n) => n.id), nextCursor: initialRoots.nextCursor, loading: false },
  }))
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set())
  const branchesRef = useRef(branches)
  branchesRef.current = branches

  const absorb = useCallback((items: CategoryNode[]) => {
    setNodes((current) => {
      const next = { ...current }
      for (const n of items) next[n.id] = n
      return next
    })
  }, [])

  /** Loads a branch's first page (`reset`), or its next page. */
  const load = useCallback(
    async (key: BranchKey, mode: 'first' | 'more' = 'first') => {
      const current = branchesRef.current[key]
      if (current?.loading) return
      if (mode === 'more' && !current?.nextCursor) return
      const pageSize = mode === 'first' ? Math.min(500, Math.max(CHILD_PAGE_SIZE, current?.ids.length ?? 0)) : CHILD_PAGE_SIZE
      setBranches((b) => ({ ...b, [key]: { ids: b[key]?.ids ?? [], nextCursor: b[key]?.nextCursor ?? null, loading: true } }))
      try {
        const page = await list({ data: { parentId: parentOf(key), cursor: mode === 'more' ? (current?.nextCursor ?? undefined) : undefined, pageSize } })
        absorb(page.items)
        setBranches((b) => ({
          ...b,
          [key]: {
            ids: mode === 'more' ? [...(b[key]?.ids ?? []), ...page.items.map((n) => n.id).filter((id) => !b[key]?.ids.includes(id))] : page.items.map((n) => n.id),
            nextCursor: page.nextCursor,
            loading: false,
          },
        }))
      } catch (e) {
        setBranches((b) => ({ ...b, [key]: { ids: b[key]?.ids ?? [], nextCursor: b[key]?.nextCursor ?? null, loading: false, error: errorRef(e) } }))
        if ((e as { status?: number }).status === 404) setExpanded((x) => new Set([...x].filter((id) => id !== key)))
      }
    },
    [list, absorb],
  )

  const setExpandedKeys = useCallback(
    (keys: Set<string>) => {
      setExpanded(keys)
      for (const id of keys) if (!branchesRef.current[id]) void load(id)
    },
    [load],
  )

  /** Opens the tree down to `id` (one request for all levels); returns its ancestors, or null when it is gone. */
  const reveal = useCallback(
    async (id: string) => {
      const result = await revealFn({ data: { id } })
      absorb(result.levels.flatMap((l) => l.items))
      setBranches((b) => {
        const next = { ...b }
        for (const level of result.levels) next[keyOf(level.parentId)] = { ids: level.items.map((n) => n.id), nextCursor: level.nextCursor, loading: false }
        return next
      })
      setExpanded((x) => new Set([...x, ...result.ancestors.map((a) => a.id)]))
      return result.ancestors
    },
    [revealFn, absorb],
  )

  /** Reloads a branch if it is on screen (after a change under it). */
  const refresh = useCallback(
    async (parentId: string | null) => {
      const key = keyOf(parentId)
      if (branchesRef.current[key]) await load(key)
    },
    [load],
  )

  const toggle = useCallback(
    (ids: string[], open: boolean) => {
      const next = new Set(expanded)
      for (const id of ids) {
        if (open) next.add(id)
        else next.delete(id)
      }
      setExpandedKeys(next)
    },
    [expanded, setExpandedKeys],
  )

  /**
   * The ids a branch shows: only those whose latest copy names this parent. Around a move both parents are reloaded,
   * and when the new one answers first the old one still lists the node for a render; a key twice in the tree breaks
   * the widget's collection (it loops until the page fails).
   */
  const idsOf = useCallback(
    (key: BranchKey) => (branches[key]?.ids ?? []).filter((id) => nodes[id] && keyOf(nodes[id].parentId) === key),
    [branches, nodes],
  )

  return { nodes, branches, expanded, idsOf, setExpandedKeys, load, reveal, refresh, toggle }
}

export type CategoryTreeStore = ReturnType<typeof useCategoryTree>
