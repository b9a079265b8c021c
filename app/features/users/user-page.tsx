import { getRouteApi, Link, useNavigate, useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { ArrowLeft, Plus, RotateCcw, Trash2 } from 'lucide-react'
import { type FormEvent, useState } from 'react'
import { toast } from 'sonner'
import { PageHeader } from '~/components/app-shell'
import { Alert, Badge, Button, Card, Field } from '~/components/ui'
import { ConfirmDialog } from '~/components/ui/confirm'
import { UnsavedChangesGuard, useFormDirty } from '~/components/unsaved-changes'
import { HistoryTabs } from '../audit/history-tabs'
import { restoreFromTrash } from '../trash/trash.functions'
import {
  deactivateUser,
  deleteUser,
  type getDeletedUser,
  type getUser,
  type getUserFilterOptions,
  reactivateUser,
  setUserRoles,
  updateUser,
} from './users.functions'
import { errorMessage } from '~/lib/errors'
import { formFailure } from '~/lib/form-failure'
import { useI18n } from '~/lib/i18n/react'
import { roleName } from '~/lib/i18n/roles'
import { can } from '~/lib/navigation'
import { LastingAccessNote, useImpersonating } from '../console/impersonation-limits'


const Route = getRouteApi('/tenant/_app/admin/users/$userId')



/** A person's page, or, for someone in the trash, a page that says so and offers restore to those who may. */
export function UserRoute() {
  const data = Route.useLoaderData()
  if (data.trashed) return <PersonInTrash person={data.trashed} />
  return data.detail && data.options ? <UserPage detail={data.detail} options={data.options} /> : null
}

function PersonInTrash({ person }: { person: Awaited<ReturnType<typeof getDeletedUser>> }) {
  const { permissions } = Route.useRouteContext()
  const router = useRouter()
  const restore = useServerFn(restoreFromTrash)
  const impersonating = useImpersonating()
  const { t, format } = useI18n()
  const [pending, setPending] = useState(false)
  async function onRestore() {
    setPending(true)
    try {
      await restore({ data: { type: 'user', id: person.id } })
      toast.success(t('user.isBack', { name: person.fullName }))
      await router.invalidate()
    } catch (e) {
      toast.error(errorMessage(e))
    } finally {
      setPending(false)
    }
  }
  return (
    <>
      <Link to="/tenant/admin/users" className="mb-4 inline-flex items-center gap-1 text-sm text-slate-600 hover:underline dark:text-slate-400">
        <ArrowLeft aria-hidden className="size-4" /> {t('user.allUsers')}
      </Link>
      <PageHeader title={person.fullName} description={person.email} />
      <Alert tone="info">
        <strong>{t('user.inTrash')}</strong>{' '}
        {person.deletedAt
          ? t('user.deletedOn', { name: person.fullName, date: format.dateTime.format(new Date(person.deletedAt)) })
          : t('user.deleted', { name: person.fullName })}{' '}
        {can(permissions, ['users:write']) ? t('user.restoreHint') : t('user.restoreOthers')}
      </Alert>
      {can(permissions, ['users:write']) && !impersonating && (
        <Button className="mt-4" pending={pending} onClick={onRestore}>
          <RotateCcw aria-hidden className="size-4" /> {t('user.restore', { name: person.fullName })}
        </Button>
      )}
      {can(permissions, ['users:write']) && impersonating && (
        <div className="mt-4">
          <LastingAccessNote />
        </div>
      )}
    </>
  )
}

function UserPage({
  detail,
  options,
}: {
  detail: Awaited<ReturnType<typeof getUser>>
  options: Awaited<ReturnType<typeof getUserFilterOptions>>
}) {
  const { permissions, user: me } = Route.useRouteContext()
  const { user, roles, teams } = detail
  const router = useRouter()
  const navigate = useNavigate()
  const { t, format } = useI18n()
  const canWrite = can(permissions, ['users:write'])
  const impersonating = useImpersonating()
  // Granting a role could raise an account the operator controls: the roles show read-only while impersonating.
  const canManageRoles = can(permissions, ['roles:manage']) && !impersonating
  const save = useServerFn(updateUser)
  const saveRoles = useServerFn(setUserRoles)
  const deactivate = useServerFn(deactivateUser)
  const reactivate = useServerFn(reactivateUser)
  const remove = useServerFn(deleteUser)
  const [fields, setFields] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState<string>()
  const [pending, setPending] = useState(false)
  const savedMeta = Object.entries(user.metadata).map(([k, v]) => ({ key: k, value: typeof v === 'string' ? v : JSON.stringify(v) }))
  const [meta, setMeta] = useState(savedMeta)
  const details = useFormDirty()
  const [metaSaved, setMetaSaved] = useState(() => JSON.stringify(savedMeta))
  const [selectedRoles, setSelectedRoles] = useState(() => new Set(roles.map((r) => r.id)))
  const [confirm, setConfirm] = useState<'deactivate' | 'delete' | null>(null)
  const isSelf = user.id === me.id

  async function onSave(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const metadata: Record<string, string | number | boolean> = {}
    for (const { key, value } of meta) {
      if (!key.trim()) continue
      const parsed = value === 'true' ? true : value === 'false' ? false : value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value
      metadata[key.trim()] = parsed
    }
    setPending(true)
    setFields({})
    setFormError(undefined)
    try {
      await save({ data: { id: user.id, data: { fullName: String(form.get('fullName') ?? ''), email: String(form.get('email') ?? ''), metadata } } })
      toast.success(t('user.saved'))
      details.clear()
      setMetaSaved(JSON.stringify(meta))
      await router.invalidate()
    } catch (e) {
      const failure = formFailure(e)
      setFields(failure.fields)
      setFormError(failure.message)
    } finally {
      setPending(false)
    }
  }

  async function onSaveRoles() {
    try {
      const result = await saveRoles({ data: { id: user.id, roleIds: [...selectedRoles] } })
      toast.success(result.added + result.removed === 0 ? t('user.rolesUnchanged') : t('user.rolesUpdated'))
      await router.invalidate()
    } catch (e) {
      toast.error(errorMessage(e))
      setSelectedRoles(new Set(roles.map((r) => r.id)))
    }
  }

  const rolesChanged = selectedRoles.size !== roles.length || roles.some((r) => !selectedRoles.has(r.id))
  const dirty = details.dirty || JSON.stringify(meta) !== metaSaved || rolesChanged

  return (
    <>
      <Link to="/tenant/admin/users" className="mb-4 inline-flex items-center gap-1 text-sm text-slate-600 hover:underline dark:text-slate-400">
        <ArrowLeft aria-hidden className="size-4" /> {t('user.allUsers')}
      </Link>
      <PageHeader
        title={user.fullName}
        description={
          <span className="flex flex-wrap items-center gap-2">
            {user.email} {user.isActive ? <Badge tone="success">{t('common.active')}</Badge> : <Badge tone="warning">{t('users.deactivated')}</Badge>}
            <span>
              · {user.lastSignInAt ? t('user.lastSignIn', { date: format.dateTime.format(new Date(user.lastSignInAt)) }) : t('user.lastSignInNever')} ·{' '}
              {t('user.added', { date: format.dateTime.format(new Date(user.createdAt)) })}
            </span>
          </span>
        }
        actions={
          canWrite &&
          !isSelf && (
            <>
              {user.isActive ? (
                <Button variant="secondary" onClick={() => setConfirm('deactivate')}>
                  {t('user.deactivate')}
                </Button>
              ) : impersonating ? null : (
                <Button
                  variant="secondary"
                  onClick={async () => {
                    try {
                      await reactivate({ data: { id: user.id } })
                      toast.success(t('user.canSignInAgain', { name: user.fullName }))
                      await router.invalidate()
                    } catch (e) {
                      toast.error(errorMessage(e))
                    }
                  }}
                >
                  {t('user.reactivate')}
                </Button>
              )}
              <Button variant="danger" onClick={() => setConfirm('delete')}>
                <Trash2 aria-hidden className="size-4" /> {t('user.delete')}
              </Button>
            </>
          )
        }
      />
      <UnsavedChangesGuard dirty={dirty && !pending} />
      <HistoryTabs label={t('user.details')} entity="users" recordId={user.id} showHistory={can(permissions, ['audit:read'])}>
      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <h2 className="mb-4 text-base font-semibold">{t('user.details')}</h2>
          {canWrite ? (
          <form onSubmit={onSave} onInput={details.onInput} className="space-y-4" noValidate>
            {formError && <Alert>{formError}</Alert>}
            <div className="space-y-4">
              <div className="grid gap-4 sm:grid-cols-2">
                <Field label={t('common.fullName')} name="fullName" defaultValue={user.fullName} error={fields.fullName} required />
                {/* The server refuses a new address while impersonating (it would outlive it): locked, and said why. */}
                <Field label={t('common.email')} name="email" type="email" defaultValue={user.email} error={fields.email} required readOnly={impersonating} hint={impersonating ? t('impersonation.emailStays') : undefined} />
              </div>
              <div>
                <p className="text-sm font-medium">{t('user.metadata')}</p>
                <p className="text-sm text-slate-500 dark:text-slate-400">{t('user.metadataHint')}</p>
                <ul className="mt-2 space-y-2">
                  {meta.map((row, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place and have no identity of their own
                    <li key={i} className="flex items-end gap-2">
                      <Field
                        label={t('user.key', { n: i + 1 })}
                        value={row.key}
                        onChange={(e) => setMeta((m) => m.map((r, j) => (j === i ? { ...r, key: e.target.value } : r)))}
                        className="flex-1"
                      />
                      <Field
                        label={t('user.value', { n: i + 1 })}
                        value={row.value}
                        onChange={(e) => setMeta((m) => m.map((r, j) => (j === i ? { ...r, value: e.target.value } : r)))}
                        className="flex-1"
                      />
                      <Button type="button" variant="ghost" aria-label={t('user.removeMetadata', { name: row.key || i + 1 })} onClick={() => setMeta((m) => m.filter((_, j) => j !== i))}>
                        <Trash2 aria-hidden className="size-4" />
                      </Button>
                    </li>
                  ))}
                </ul>
                {fields.metadata && <p className="mt-1 text-sm text-red-600">{fields.metadata}</p>}
                <Button type="button" variant="ghost" className="mt-2" onClick={() => setMeta((m) => [...m, { key: '', value: '' }])}>
                  <Plus aria-hidden className="size-4" /> {t('user.addMetadata')}
                </Button>
              </div>
              <Button type="submit" pending={pending}>
                {t('user.saveChanges')}
              </Button>
            </div>
          </form>
          ) : (
            <PersonFacts fullName={user.fullName} email={user.email} metadata={savedMeta} />
          )}
        </Card>
        <div className="space-y-6">
          <Card>
            <h2 className="mb-3 text-base font-semibold">{t('common.roles')}</h2>
            {!canManageRoles ? (
              <p className="text-sm">{roles.length === 0 ? t('user.noRoles') : roles.map((r) => roleName(t, r)).join(', ')}</p>
            ) : (
            <fieldset className="space-y-2">
              <legend className="sr-only">{t('user.rolesOf', { name: user.fullName })}</legend>
              {options.roles.map((role) => (
                <div key={role.id} className="flex items-center justify-between gap-2">
                <label className="flex items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    checked={selectedRoles.has(role.id)}
                    // A role carrying a permission the viewer lacks can be taken away, not granted.
                    disabled={role.grantable === false && !selectedRoles.has(role.id)}
                    onChange={(e) =>
                      setSelectedRoles((s) => {
                        const next = new Set(s)
                        if (e.target.checked) next.add(role.id)
                        else next.delete(role.id)
                        return next
                      })
                    }
                  />
                  {roleName(t, role)} {role.systemKey && <Badge>{t('user.system')}</Badge>}
                </label>
                <Link to="/tenant/admin/roles/$roleId" params={{ roleId: role.id }} className="text-xs text-indigo-700 hover:underline dark:text-indigo-300">
                  <span className="sr-only">{roleName(t, role)}: </span>
                  {t('user.whoHoldsIt')}
                </Link>
                </div>
              ))}
            </fieldset>
            )}
            {canManageRoles && (
              <Button className="mt-4" variant="secondary" disabled={!rolesChanged} onClick={onSaveRoles}>
                {t('user.saveRoles')}
              </Button>
            )}
          </Card>
          <Card>
            <h2 className="mb-3 text-base font-semibold">{t('user.teams')}</h2>
            {teams.length === 0 ? (
              <p className="text-sm text-slate-500 dark:text-slate-400">{t('user.noTeams')}</p>
            ) : (
              <ul className="space-y-2 text-sm">
                {teams.map((team) => (
                  <li key={team.id} className="flex justify-between gap-2">
                    <span>
                      {can(permissions, ['teams:read']) ? (
                        <Link to="/tenant/admin/teams/$teamId" params={{ teamId: team.id }} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
                          {team.name}
                        </Link>
                      ) : (
                        team.name
                      )}{' '}
                      <span className="text-slate-600 dark:text-slate-400">· {team.organization}</span>
                    </span>
                    <Badge>{t(`teamRoles.${team.role}`)}</Badge>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
      </div>
      </HistoryTabs>
      <ConfirmDialog
        open={confirm === 'deactivate'}
        title={t('user.deactivateTitle', { name: user.fullName })}
        confirmLabel={t('user.deactivate')}
        onClose={() => setConfirm(null)}
        onConfirm={async () => {
          await deactivate({ data: { id: user.id } })
          toast.success(t('user.deactivated', { name: user.fullName }))
          await router.invalidate()
        }}
      >
        {t('user.deactivateBody')}
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === 'delete'}
        title={t('user.deleteTitle', { name: user.fullName })}
        confirmLabel={t('user.moveToTrash')}
        onClose={() => setConfirm(null)}
        onConfirm={async () => {
          await remove({ data: { id: user.id } })
          toast.success(t('user.movedToTrash', { name: user.fullName }))
          await navigate({ to: '/tenant/admin/users' })
        }}
      >
        {t('user.deleteBody')}
      </ConfirmDialog>
    </>
  )
}

/** What someone who may read people but not edit them sees: the facts as text, not a form they cannot use. */
function PersonFacts({ fullName, email, metadata }: { fullName: string; email: string; metadata: { key: string; value: string }[] }) {
  const { t } = useI18n()
  const rows: [string, string][] = [[t('common.fullName'), fullName], [t('common.email'), email], ...metadata.map((m): [string, string] => [m.key, m.value])]
  return (
    <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-[10rem_1fr]">
      {rows.map(([term, value]) => (
        <div key={term} className="contents">
          <dt className="font-medium text-slate-600 dark:text-slate-400">{term}</dt>
          <dd className="break-words">{value}</dd>
        </div>
      ))}
    </dl>
  )
}
