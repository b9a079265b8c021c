import { createFileRoute } from '@tanstack/react-router'
import { getUserFilterOptions, listInvitations, listUsers } from '~/features/users/users.functions'
import { guardPage } from '~/lib/guards'
import { pageTitle } from '~/lib/i18n/title'
import { can } from '~/lib/navigation'
import { searchSchema, UsersLoading, UsersPage } from '~/features/users/users-page'

export const Route = createFileRoute('/tenant/_app/admin/users/')({
  validateSearch: searchSchema,
  beforeLoad: ({ context }) => guardPage(context.permissions, ['users:read']),
  loaderDeps: ({ search }) => search,
  loader: async ({ deps, context }) => {
    const [page, options, invitations] = await Promise.all([
      listUsers({ data: { ...deps, roleId: deps.roleId || undefined, teamId: deps.teamId || undefined, pageSize: deps.pageSize ?? 25 } }),
      getUserFilterOptions(),
      can(context.permissions, ['users:write']) ? listInvitations() : Promise.resolve([]),
    ])
    return { page, options, invitations }
  },
  pendingComponent: UsersLoading,
  head: ({ match }) => pageTitle(match.context, 'users.title'),
  component: UsersPage,
})
