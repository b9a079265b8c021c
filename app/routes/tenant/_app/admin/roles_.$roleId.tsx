import { pickLocale, tFor } from '~/lib/i18n'
import { roleName } from '~/lib/i18n/roles'
import { dataTitle, pageTitle } from '~/lib/i18n/title'
import { createFileRoute, notFound } from '@tanstack/react-router'
import { z } from 'zod'
import { RoleHolders } from '~/features/roles/role-holders'
import { getRole } from '~/features/roles/roles.functions'
import { guardPage, orNotFound } from '~/lib/guards'

export const Route = createFileRoute('/tenant/_app/admin/roles_/$roleId')({
  beforeLoad: ({ context }) => guardPage(context.permissions, ['roles:manage']),
  loader: async ({ params }) => {
    if (!z.uuid().safeParse(params.roleId).success) throw notFound()
    return orNotFound(getRole({ data: { id: params.roleId } }))
  },
  head: ({ loaderData, match }) =>
    loaderData ? dataTitle(match.context, roleName(tFor(pickLocale(match.context.locale)), loaderData.role)) : pageTitle(match.context, 'common.role'),

  component: () => <RoleHolders data={Route.useLoaderData()} />,
})
