import { createFileRoute } from '@tanstack/react-router'
import { listCategoryChildren } from '../../../../features/categories/categories.functions'
import { guardPage } from '../../../../lib/guards'
import { CategoriesPage } from '../../../../features/categories/categories-page'

export const Route = createFileRoute('/tenant/_app/categories')({
  beforeLoad: ({ context }) => guardPage(context.permissions, ['categories:read']),
  loader: () => listCategoryChildren({ data: { parentId: null } }),
  head: () => ({ meta: [{ title: 'Categories — Haven' }] }),
  component: CategoriesPage,
})
