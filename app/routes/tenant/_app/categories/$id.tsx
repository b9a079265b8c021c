import { pageTitle } from '~/lib/i18n/title'
import { createFileRoute, notFound } from '@tanstack/react-router'
import { z } from 'zod'
import { getCategory, listCategoryChildren } from '~/features/categories/categories.functions'
import { orNotFound } from '~/lib/guards'
import { CategoryDetails, CategoryNotFound, CHILDREN_SHOWN, DetailsLoading } from '~/features/categories/category-details'

export const Route = createFileRoute('/tenant/_app/categories/$id')({
  loader: async ({ params }) => {
    if (!z.uuid().safeParse(params.id).success) throw notFound()
    const [category, children] = await orNotFound(
      Promise.all([getCategory({ data: { id: params.id } }), listCategoryChildren({ data: { parentId: params.id, pageSize: CHILDREN_SHOWN } })]),
    )
    return { category, children }
  },
  pendingComponent: DetailsLoading,
  notFoundComponent: CategoryNotFound,
  head: ({ loaderData, match }) => {
    const name = loaderData?.category.name
    return name ? pageTitle(match.context, 'nav.categories', undefined, name) : pageTitle(match.context, 'categories.titleFallback')
  },
  component: CategoryDetails,
})
