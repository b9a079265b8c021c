import { createFileRoute, notFound } from '@tanstack/react-router'
import { z } from 'zod'
import { RoleHolders } from '../../../../features/roles/role-holders'
import { getRole } from '../../../../features/roles/roles.functions'
import { guardPage, orNotFound } from '../../../../lib/guards'

export const Route = createFileRoute('/tenant/_app/admin/roles_/$roleId')({
  beforeLoad: ({ context }) => guardPage(context.permissions, ['roles:manage']),
  loader: async ({ params }) => {
    if (!z.uuid().safeParse(params.roleId).success) throw notFound()
    return orNotFound(getRole({ data: { id: params.roleId } }))
  },
  head: ({ loaderData }) => ({ meta: [{ title: `${loaderData?.role.name ?? 'Role'} — Haven` }] }),
  component: () => <RoleHolders data={Route.useLoaderData()} />,
})
