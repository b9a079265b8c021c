import { createFileRoute } from '@tanstack/react-router'
import { RolesLoading, RolesPage } from '~/features/roles/roles-page'
import { listRoles } from '~/features/roles/roles.functions'
import { guardPage } from '~/lib/guards'
import { pageTitle } from '~/lib/i18n/title'

export const Route = createFileRoute('/tenant/_app/admin/roles')({
  beforeLoad: ({ context }) => guardPage(context.permissions, ['roles:manage']),
  head: ({ match }) => pageTitle(match.context, 'roles.title'),
  loader: () => listRoles(),
  pendingComponent: RolesLoading,
  component: RolesPage,
})
