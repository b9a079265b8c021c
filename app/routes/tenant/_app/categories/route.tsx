import { pageTitle } from '~/lib/i18n/title'
import { createFileRoute } from '@tanstack/react-router'
import { listCategoryChildren } from '~/features/categories/categories.functions'
import { guardPage } from '~/lib/guards'
import { CategoriesPage } from '~/features/categories/categories-page'

export const Route = createFileRoute('/tenant/_app/categories')({
  beforeLoad: ({ context }) => guardPage(context.permissions, ['categories:read']),
  loader: () => listCategoryChildren({ data: { parentId: null } }),
  head: ({ match }) => pageTitle(match.context, 'nav.categories'),
  component: CategoriesPage,
})
