import { createFileRoute } from '@tanstack/react-router'
import { PageHeader } from '../../../../components/app-shell'
import { Card, Skeleton } from '../../../../components/ui'
import { CreateRoleForm, NEW_ROLE_NAME_ID } from '../../../../features/roles/create-role-form'
import { PermissionMatrix } from '../../../../features/roles/permission-matrix'
import { RoleList } from '../../../../features/roles/role-list'
import { listRoles } from '../../../../features/roles/roles.functions'
import { guardPage } from '../../../../lib/guards'

export const Route = createFileRoute('/tenant/_app/admin/roles')({
  head: () => ({ meta: [{ title: 'Roles — Haven' }] }),
  beforeLoad: ({ context }) => guardPage(context.permissions, ['roles:manage']),
  loader: () => listRoles(),
  pendingComponent: RolesLoading,
  component: RolesPage,
})

const DESCRIPTION = 'Roles bundle permissions. Owner, Admin and Member exist in every workspace and are locked; custom roles are yours to shape.'

function RolesPage() {
  const roles = Route.useLoaderData()
  const { permissions } = Route.useRouteContext()
  return (
    <>
      <PageHeader title="Roles and permissions" description={DESCRIPTION} />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="min-w-0 lg:col-span-2">
          <h2 className="mb-2 text-base font-semibold">Roles</h2>
          <RoleList
            roles={roles}
            onCreateClick={() => document.getElementById(NEW_ROLE_NAME_ID)?.focus()}
          />
        </Card>
        <Card className="min-w-0 self-start">
          <CreateRoleForm roles={roles} held={permissions} />
        </Card>
        <div className="min-w-0 lg:col-span-3">
          <PermissionMatrix roles={roles} held={permissions} />
        </div>
      </div>
    </>
  )
}

function RolesLoading() {
  return (
    <div aria-busy="true">
      <p className="sr-only" role="status">
        Loading roles
      </p>
      <PageHeader title="Roles and permissions" description={DESCRIPTION} />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="space-y-3 lg:col-span-2">
          {[0, 1, 2, 3].map((i) => (
            <Skeleton key={i} className="h-10" />
          ))}
        </Card>
        <Card className="space-y-3">
          <Skeleton className="h-9" />
          <Skeleton className="h-9" />
          <Skeleton className="h-9 w-32" />
        </Card>
        <Card className="lg:col-span-3">
          <Skeleton className="h-64" />
        </Card>
      </div>
    </div>
  )
}
