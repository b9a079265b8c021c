import { createFileRoute, notFound } from '@tanstack/react-router'
import { z } from 'zod'
import { getUser, getUserFilterOptions } from '../../../../../features/users/users.functions'
import { guardPage, orNotFound } from '../../../../../lib/guards'
import { UserPage } from '../../../../../features/users/user-page'

export const Route = createFileRoute('/tenant/_app/admin/users/$userId')({
  beforeLoad: ({ context }) => guardPage(context.permissions, ['users:read']),
  loader: async ({ params }) => {
    if (!z.uuid().safeParse(params.userId).success) throw notFound()
    const [detail, options] = await orNotFound(Promise.all([getUser({ data: { id: params.userId } }), getUserFilterOptions()]))
    return { detail, options }
  },
  head: ({ loaderData }) => ({ meta: [{ title: `${loaderData?.detail.user.fullName ?? 'User'} — Haven` }] }),
  component: UserPage,
})
