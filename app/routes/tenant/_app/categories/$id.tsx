import { pageTitle } from '~/lib/i18n/title'
import { createFileRoute, notFound } from '@tanstack/react-router'
import { z } from 'zod'
import { Card } from '~/components/ui'
import { getCategory, listCategoryChildren } from '~/features/categories/categories.functions'
import { orNotFound } from '~/lib/guards'
import { CategoryDetails, CHILDREN_SHOWN, DetailsLoading } from '~/features/categories/category-details'

export const Route = createFileRoute('/tenant/_app/categories/$id')({
  loader: async ({ params }) => {
    if (!z.uuid().safeParse(params.id).success) throw notFound()
    const [category, children] = await orNotFound(
      Promise.all([getCategory({ data: { id: params.id } }), listCategoryChildren({ data: { parentId: params.id, pageSize: CHILDREN_SHOWN } })]),
    )
    return { category, children }
  },
  pendingComponent: DetailsLoading,
  notFoundComponent: () => (
    <Card>
      <h2 className="text-lg font-semibold">Category not found</h2>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">It may have been deleted or moved to the trash.</p>
    </Card>
  ),
  head: ({ loaderData, match }) => {
    const name = loaderData?.category.name
    return name ? pageTitle(match.context, 'nav.categories', undefined, name) : pageTitle(match.context, 'categories.titleFallback')
  },
  component: CategoryDetails,
})
