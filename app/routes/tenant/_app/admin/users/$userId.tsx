import { dataTitle, pageTitle } from '~/lib/i18n/title'
import { createFileRoute, notFound } from '@tanstack/react-router'
import { z } from 'zod'
import { UserRoute } from '~/features/users/user-page'
import { getDeletedUser, getUser, getUserFilterOptions } from '~/features/users/users.functions'
import { guardPage, orNotFound } from '~/lib/guards'

export const Route = createFileRoute('/tenant/_app/admin/users/$userId')({
  beforeLoad: ({ context }) => guardPage(context.permissions, ['users:read']),
  loader: async ({ params }) => {
    if (!z.uuid().safeParse(params.userId).success) throw notFound()
    try {
      const [detail, options] = await Promise.all([getUser({ data: { id: params.userId } }), getUserFilterOptions()])
      return { detail, options, trashed: null }
    } catch (error) {
      if ((error as { status?: unknown }).status !== 404) throw error
      // Not here: perhaps in the trash, which the page then says (a 404 from this too is the not-found page).
      const trashed = await orNotFound(getDeletedUser({ data: { id: params.userId } }))
      return { detail: null, options: null, trashed }
    }
  },
  head: ({ loaderData, match }) => {
    const name = loaderData?.detail?.user.fullName ?? loaderData?.trashed?.fullName
    if (!name) return pageTitle(match.context, 'user.titleFallback')
    return loaderData?.trashed ? pageTitle(match.context, 'user.inTrashTitle', { name }) : dataTitle(match.context, name)
  },

  component: UserRoute,
})
