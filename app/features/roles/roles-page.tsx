import { getRouteApi } from '@tanstack/react-router'
import { PageHeader } from '~/components/app-shell'
import { Card, Skeleton } from '~/components/ui'
import { useI18n } from '~/lib/i18n/react'
import { CreateRoleForm, NEW_ROLE_NAME_ID } from './create-role-form'
import { PermissionMatrix } from './permission-matrix'
import { RoleList } from './role-list'

const Route = getRouteApi('/tenant/_app/admin/roles')

export function RolesPage() {
  const roles = Route.useLoaderData()
  const { permissions } = Route.useRouteContext()
  const { t } = useI18n()
  return (
    <>
      <PageHeader title={t('roles.heading')} description={t('roles.description')} />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="min-w-0 lg:col-span-2">
          <h2 className="mb-2 text-base font-semibold">{t('common.roles')}</h2>
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

export function RolesLoading() {
  const { t } = useI18n()
  return (
    <div aria-busy="true">
      <p className="sr-only" role="status">
        {t('roles.loading')}
      </p>
      <PageHeader title={t('roles.heading')} description={t('roles.description')} />

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
