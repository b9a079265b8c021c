import { getRouteApi, Link, useNavigate, useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { ArrowLeft, Plus, RotateCcw, Trash2 } from 'lucide-react'
import { type FormEvent, useState } from 'react'
import { toast } from 'sonner'
import { PageHeader } from '../../components/app-shell'
import { Alert, Badge, Button, Card, Field } from '../../components/ui'
import { ConfirmDialog } from '../../components/ui/confirm'
import { UnsavedChangesGuard, useFormDirty } from '../../components/unsaved-changes'
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
import { errorMessage, fieldErrorsOf } from '../../lib/errors'
import { can } from '../../lib/navigation'

const Route = getRouteApi('/tenant/_app/admin/users/$userId')

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })


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
  const [pending, setPending] = useState(false)
  async function onRestore() {
    setPending(true)
    try {
      await restore({ data: { type: 'user', id: person.id } })
      toast.success(`${person.fullName} is back`)
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
        <ArrowLeft aria-hidden className="size-4" /> All users
      </Link>
      <PageHeader title={person.fullName} description={person.email} />
      <Alert tone="info">
        <strong>This person is in the trash.</strong> {person.fullName} was deleted{person.deletedAt ? ` on ${dateTime.format(new Date(person.deletedAt))}` : ''}. They cannot sign in
        and do not appear in lists.{' '}
        {can(permissions, ['users:write']) ? 'Restoring brings them back with their roles and teams.' : 'Someone who manages people can restore them.'}
      </Alert>
      {can(permissions, ['users:write']) && (
        <Button className="mt-4" pending={pending} onClick={onRestore}>
          <RotateCcw aria-hidden className="size-4" /> Restore {person.fullName}
        </Button>
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
  const canWrite = can(permissions, ['users:write'])
  const canManageRoles = can(permissions, ['roles:manage'])
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
      toast.success('Changes saved')
      details.clear()
      setMetaSaved(JSON.stringify(meta))
      await router.invalidate()
    } catch (e) {
      const fe = fieldErrorsOf(e)
      if (fe) setFields(Object.fromEntries(Object.entries(fe).map(([k, v]) => [k.replace(/^data\./, ''), v])))
      else setFormError(errorMessage(e))
    } finally {
      setPending(false)
    }
  }

  async function onSaveRoles() {
    try {
      const result = await saveRoles({ data: { id: user.id, roleIds: [...selectedRoles] } })
      toast.success(result.added + result.removed === 0 ? 'Roles unchanged' : 'Roles updated')
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
        <ArrowLeft aria-hidden className="size-4" /> All users
      </Link>
      <PageHeader
        title={user.fullName}
        description={
          <span className="flex flex-wrap items-center gap-2">
            {user.email} {user.isActive ? <Badge tone="success">Active</Badge> : <Badge tone="warning">Deactivated</Badge>}
            <span>
              · Last sign-in {user.lastSignInAt ? dateTime.format(new Date(user.lastSignInAt)) : 'never'} · Added {dateTime.format(new Date(user.createdAt))}
            </span>
          </span>
        }
        actions={
          canWrite &&
          !isSelf && (
            <>
              {user.isActive ? (
                <Button variant="secondary" onClick={() => setConfirm('deactivate')}>
                  Deactivate
                </Button>
              ) : (
                <Button
                  variant="secondary"
                  onClick={async () => {
                    try {
                      await reactivate({ data: { id: user.id } })
                      toast.success(`${user.fullName} can sign in again`)
                      await router.invalidate()
                    } catch (e) {
                      toast.error(errorMessage(e))
                    }
                  }}
                >
                  Reactivate
                </Button>
              )}
              <Button variant="danger" onClick={() => setConfirm('delete')}>
                <Trash2 aria-hidden className="size-4" /> Delete
              </Button>
            </>
          )
        }
      />
      <UnsavedChangesGuard dirty={dirty && !pending} />
      <HistoryTabs label="Details" entity="users" recordId={user.id} showHistory={can(permissions, ['audit:read'])}>
      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <h2 className="mb-4 text-base font-semibold">Details</h2>
          {canWrite ? (
          <form onSubmit={onSave} onInput={details.onInput} className="space-y-4" noValidate>
            {formError && <Alert>{formError}</Alert>}
            <div className="space-y-4">
              <div className="grid gap-4 sm:grid-cols-2">
                <Field label="Full name" name="fullName" defaultValue={user.fullName} error={fields.fullName} required />
                <Field label="Email" name="email" type="email" defaultValue={user.email} error={fields.email} required />
              </div>
              <div>
                <p className="text-sm font-medium">Metadata</p>
                <p className="text-sm text-slate-500 dark:text-slate-400">Key and value pairs, searchable in the users list.</p>
                <ul className="mt-2 space-y-2">
                  {meta.map((row, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place and have no identity of their own
                    <li key={i} className="flex items-end gap-2">
                      <Field
                        label={`Key ${i + 1}`}
                        value={row.key}
                        onChange={(e) => setMeta((m) => m.map((r, j) => (j === i ? { ...r, key: e.target.value } : r)))}
                        className="flex-1"
                      />
                      <Field
                        label={`Value ${i + 1}`}
                        value={row.value}
                        onChange={(e) => setMeta((m) => m.map((r, j) => (j === i ? { ...r, value: e.target.value } : r)))}
                        className="flex-1"
                      />
                      <Button type="button" variant="ghost" aria-label={`Remove metadata ${row.key || i + 1}`} onClick={() => setMeta((m) => m.filter((_, j) => j !== i))}>
                        <Trash2 aria-hidden className="size-4" />
                      </Button>
                    </li>
                  ))}
                </ul>
                {fields.metadata && <p className="mt-1 text-sm text-red-600">{fields.metadata}</p>}
                <Button type="button" variant="ghost" className="mt-2" onClick={() => setMeta((m) => [...m, { key: '', value: '' }])}>
                  <Plus aria-hidden className="size-4" /> Add metadata
                </Button>
              </div>
              <Button type="submit" pending={pending}>
                Save changes
              </Button>
            </div>
          </form>
          ) : (
            <PersonFacts fullName={user.fullName} email={user.email} metadata={savedMeta} />
          )}
        </Card>
        <div className="space-y-6">
          <Card>
            <h2 className="mb-3 text-base font-semibold">Roles</h2>
            {!canManageRoles ? (
              <p className="text-sm">{roles.length === 0 ? 'No roles.' : roles.map((r) => r.name).join(', ')}</p>
            ) : (
            <fieldset className="space-y-2">
              <legend className="sr-only">Roles of {user.fullName}</legend>
              {options.roles.map((role) => (
                <div key={role.id} className="flex items-center justify-between gap-2">
                <label className="flex items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    checked={selectedRoles.has(role.id)}
                    onChange={(e) =>
                      setSelectedRoles((s) => {
                        const next = new Set(s)
                        if (e.target.checked) next.add(role.id)
                        else next.delete(role.id)
                        return next
                      })
                    }
                  />
                  {role.name} {role.systemKey && <Badge>System</Badge>}
                </label>
                <Link to="/tenant/admin/roles/$roleId" params={{ roleId: role.id }} className="text-xs text-indigo-700 hover:underline dark:text-indigo-300">
                  <span className="sr-only">{role.name}: </span>Who holds it
                </Link>
                </div>
              ))}
            </fieldset>
            )}
            {canManageRoles && (
              <Button className="mt-4" variant="secondary" disabled={!rolesChanged} onClick={onSaveRoles}>
                Save roles
              </Button>
            )}
          </Card>
          <Card>
            <h2 className="mb-3 text-base font-semibold">Teams</h2>
            {teams.length === 0 ? (
              <p className="text-sm text-slate-500 dark:text-slate-400">Not in any team.</p>
            ) : (
              <ul className="space-y-2 text-sm">
                {teams.map((t) => (
                  <li key={t.id} className="flex justify-between gap-2">
                    <span>
                      {can(permissions, ['teams:read']) ? (
                        <Link to="/tenant/admin/teams/$teamId" params={{ teamId: t.id }} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
                          {t.name}
                        </Link>
                      ) : (
                        t.name
                      )}{' '}
                      <span className="text-slate-600 dark:text-slate-400">· {t.organization}</span>
                    </span>
                    <Badge>{t.role}</Badge>
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
        title={`Deactivate ${user.fullName}?`}
        confirmLabel="Deactivate"
        onClose={() => setConfirm(null)}
        onConfirm={async () => {
          await deactivate({ data: { id: user.id } })
          toast.success(`${user.fullName} was deactivated and signed out`)
          await router.invalidate()
        }}
      >
        They are signed out everywhere at once and cannot sign in until reactivated. Nothing they own is removed.
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === 'delete'}
        title={`Delete ${user.fullName}?`}
        confirmLabel="Move to trash"
        onClose={() => setConfirm(null)}
        onConfirm={async () => {
          await remove({ data: { id: user.id } })
          toast.success(`${user.fullName} was moved to the trash`)
          await navigate({ to: '/tenant/admin/users' })
        }}
      >
        They are signed out and moved to the trash, where an administrator can restore them. Their email becomes free for a new account.
      </ConfirmDialog>
    </>
  )
}

/** What someone who may read people but not edit them sees: the facts as text, not a form they cannot use. */
function PersonFacts({ fullName, email, metadata }: { fullName: string; email: string; metadata: { key: string; value: string }[] }) {
  const rows: [string, string][] = [['Full name', fullName], ['Email', email], ...metadata.map((m): [string, string] => [m.key, m.value])]
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
