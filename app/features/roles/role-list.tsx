import type { TFunction } from 'i18next'
import { useI18n } from '~/lib/i18n/react'
import { roleDescription, roleName } from '~/lib/i18n/roles'
import { Link, useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { Lock, Pencil, Trash2 } from 'lucide-react'
import { type FormEvent, useState } from 'react'
import { toast } from 'sonner'
import { Alert, Badge, Button, EmptyState, Field } from '~/components/ui'
import { useDiscardGuard } from '~/components/unsaved-changes'
import { ConfirmDialog } from '~/components/ui/confirm'
import { TableHead } from '~/components/ui/table-head'
import { formFailure } from '~/lib/form-failure'
import { deleteRole, type listRoles, updateRole } from './roles.functions'
import { TableScroller } from '~/components/ui/table-scroller'

export type RoleRow = Awaited<ReturnType<typeof listRoles>>[number]

export const people = (t: TFunction, n: number) => t('roleList.peopleCount', { count: n })

export function RoleList({ roles, onCreateClick }: { roles: RoleRow[]; onCreateClick: () => void }) {
  const router = useRouter()
  const { t } = useI18n()
  const remove = useServerFn(deleteRole)
  const [editingId, setEditingId] = useState<string>()
  const [deleting, setDeleting] = useState<RoleRow>()
  const custom = roles.filter((r) => !r.isSystem)

  async function confirmDelete() {
    if (!deleting) return
    const result = await remove({ data: { id: deleting.id } })
    await router.invalidate()
    toast.success(t('roleList.deleted', { name: result.name }))
  }

  return (
    <>
      <TableScroller label={t('roleList.caption')}>
        <table className="w-full text-left text-sm">
          <caption className="sr-only">{t('roleList.caption')}</caption>
          <TableHead
            columns={[
              t('roleList.role'),
              { label: t('roleList.people'), className: 'w-24 whitespace-nowrap' },
              { label: t('common.actions'), hidden: true, end: true, className: 'w-px' },
            ]}
          />
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {roles.map((role) =>
              role.id === editingId ? (
                <tr key={role.id}>
                  <td colSpan={3} className="py-3">
                    <EditRoleForm role={role} onDone={() => setEditingId(undefined)} />
                  </td>
                </tr>
              ) : (
                <tr key={role.id}>
                  <td className="py-3 pr-3 align-top">
                    <div className="flex flex-wrap items-center gap-2">
                      <Link
                        to="/tenant/admin/roles/$roleId"
                        params={{ roleId: role.id }}
                        className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                      >
                        {roleName(t, role)}
                      </Link>
                      {role.isSystem && (
                        <Badge tone="info">
                          <Lock aria-hidden className="mr-1 size-3" />
                          {t('roleList.system')}
                        </Badge>
                      )}
                    </div>
                    {role.description && <p className="mt-0.5 text-slate-600 dark:text-slate-400">{roleDescription(t, role)}</p>}
                  </td>
                  <td className="whitespace-nowrap px-3 py-3 align-top tabular-nums text-slate-700 dark:text-slate-300">{people(t, role.holders)}</td>
                  <td className="whitespace-nowrap py-2 pl-3 text-right align-top">
                    <div className="flex flex-col items-end gap-1 sm:flex-row sm:items-center sm:justify-end">
                    {role.isSystem ? (
                      <span className="text-xs text-slate-500 dark:text-slate-400" title={t('roleList.lockedHint')}>
                        {t('roleList.locked')}
                      </span>
                    ) : (
                      <>
                        <Button variant="ghost" className="px-2 py-1" aria-label={t('roleList.editName', { name: role.name })} onClick={() => setEditingId(role.id)}>
                          <Pencil aria-hidden className="size-4" />
                          <span className="hidden sm:inline">{t('roleList.edit')}</span>
                        </Button>
                        <Button
                          variant="ghost"
                          className="px-2 py-1 text-red-700 hover:bg-red-50 dark:text-red-400 dark:hover:bg-red-950"
                          aria-label={t('roleList.deleteName', { name: role.name })}
                          onClick={() => setDeleting(role)}
                        >
                          <Trash2 aria-hidden className="size-4" />
                          <span className="hidden sm:inline">{t('roleList.delete')}</span>
                        </Button>
                      </>
                    )}
                    </div>
                  </td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      </TableScroller>
      {custom.length === 0 && (
        <div className="mt-4">
          <EmptyState
            title={t('roleList.noCustomTitle')}
            action={
              <Button variant="secondary" onClick={onCreateClick}>
                {t('roleList.createRole')}
              </Button>
            }
          >
            {t('roleList.noCustomBody')}
          </EmptyState>
        </div>
      )}
      <ConfirmDialog
        open={deleting !== undefined}
        title={t('roleList.deleteTitle', { name: deleting?.name ?? '' })}
        confirmLabel={t('roleList.deleteRole')}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(undefined)}
      >
        {deleting && deleting.holders > 0 ? (
          <p>
            <strong>{t('roleList.holders', { count: deleting.holders })}</strong> {t('roleList.holdersBody')}
          </p>
        ) : (
          <p>{t('roleList.nobody')}</p>
        )}
      </ConfirmDialog>
    </>
  )
}

function EditRoleForm({ role, onDone }: { role: RoleRow; onDone: () => void }) {
  const router = useRouter()
  const { t } = useI18n()
  const save = useServerFn(updateRole)
  const [name, setName] = useState(role.name)
  const [description, setDescription] = useState(role.description)
  const [pending, setPending] = useState(false)
  const [fields, setFields] = useState<Record<string, string>>({})
  const [error, setError] = useState<string>()
  const guard = useDiscardGuard({ dirty: !pending && (name !== role.name || description !== role.description), close: onDone })

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setPending(true)
    setFields({})
    setError(undefined)
    try {
      const saved = await save({ data: { id: role.id, data: { name, description } } })
      await router.invalidate()
      onDone()
      toast.success(t('roleList.saved', { name: saved.name }))
    } catch (e) {
      const failure = formFailure(e)
      setFields(failure.fields)
      setError(failure.message)
    } finally {
      setPending(false)
    }
  }

  return (
    <>
      <form
        onSubmit={onSubmit}
        onKeyDown={guard.onEscape}
        aria-label={t('roleList.editName', { name: role.name })}
        className="space-y-3"
        noValidate
      >
        {error && <Alert>{error}</Alert>}
        <div className="grid gap-3 sm:grid-cols-2">
          <Field label={t('common.name')} value={name} onChange={(e) => setName(e.target.value)} error={fields.name} required maxLength={60} autoFocus />
          <Field label={t('common.description')} value={description} onChange={(e) => setDescription(e.target.value)} error={fields.description} maxLength={300} />
        </div>
        <div className="flex gap-2">
          <Button type="submit" pending={pending}>
            {t('common.save')}
          </Button>
          <Button type="button" variant="secondary" onClick={guard.requestClose} disabled={pending}>
            {t('common.cancel')}
          </Button>
        </div>
      </form>
      {guard.prompt}
    </>
  )
}
