import { createContext, type RefObject, useContext } from 'react'
import type { CategoryTreeStore } from './use-category-tree'

/** What the details panel shares with the tree beside it: the loaded tree, and how to show a row after a change. */
export type CategoryPage = {
  store: CategoryTreeStore
  canWrite: boolean
  focusRow: RefObject<((id: string) => void) | null>
  /** Re-reads what a change touched: the branches of the given parents, and every level down to `reveal`. */
  afterChange: (change: { reveal?: string | null; parents?: Array<string | null> }) => Promise<void>
}

export const CategoryPageContext = createContext<CategoryPage | null>(null)

export function useCategoryPage(): CategoryPage {
  const page = useContext(CategoryPageContext)
  if (!page) throw new Error('useCategoryPage outside the categories page')
  return page
}
