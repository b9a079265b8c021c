import { createFileRoute } from '@tanstack/react-router'
import { getUserFilterOptions, listUsers } from '../../../../../features/users/users.functions'
import { guardPage } from '../../../../../lib/guards'
import { searchSchema, UsersLoading, UsersPage } from '../../../../../features/users/users-page'

export const Route = createFileRoute('/tenant/_app/admin/users/')({
  validateSearch: searchSchema,
  beforeLoad: ({ context }) => guardPage(context.permissions, ['users:read']),
  loaderDeps: ({ search }) => search,
  loader: async ({ deps }) => {
    const [page, options] = await Promise.all([
      listUsers({ data: { ...deps, roleId: deps.roleId || undefined, teamId: deps.teamId || undefined, pageSize: 25 } }),
      getUserFilterOptions(),
    ])
    return { page, options }
  },
  pendingComponent: UsersLoading,
  head: () => ({ meta: [{ title: 'Users — Haven' }] }),
  component: UsersPage,
})
