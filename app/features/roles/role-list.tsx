import { Link, useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { Lock, Pencil, Trash2 } from 'lucide-react'
import { type FormEvent, useState } from 'react'
import { toast } from 'sonner'
import { Alert, Badge, Button, EmptyState, Field } from '../../components/ui'
import { ConfirmDialog } from '../../components/ui/confirm'
import { errorMessage, fieldErrorsOf } from '../../lib/errors'
import { deleteRole, type listRoles, updateRole } from './roles.functions'

export type RoleRow = Awaited<ReturnType<typeof listRoles>>[number]

export const people = (n: number) => (n === 1 ? '1 person' : `${n} people`)

export function RoleList({ roles, onCreateClick }: { roles: RoleRow[]; onCreateClick: () => void }) {
  const router = useRouter()
  const remove = useServerFn(deleteRole)
  const [editingId, setEditingId] = useState<string>()
  const [deleting, setDeleting] = useState<RoleRow>()
  const custom = roles.filter((r) => !r.isSystem)

  async function confirmDelete() {
    if (!deleting) return
    const result = await remove({ data: { id: deleting.id } })
    await router.invalidate()
    toast.success(`Deleted "${result.name}". You can restore it from the trash.`)
  }

  return (
    <>
      <div className="relative overflow-x-auto">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Roles in this workspace</caption>
          <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500 dark:border-slate-800 dark:text-slate-400">
            <tr>
              <th scope="col" className="py-2 pr-3 font-semibold">
                Role
              </th>
              <th scope="col" className="w-24 whitespace-nowrap px-3 py-2 font-semibold">
                People
              </th>
              <th scope="col" className="w-px py-2 pl-3 text-right font-semibold">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
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
                        {role.name}
                      </Link>
                      {role.isSystem && (
                        <Badge tone="info">
                          <Lock aria-hidden className="mr-1 size-3" />
                          System
                        </Badge>
                      )}
                    </div>
                    {role.description && <p className="mt-0.5 text-slate-600 dark:text-slate-400">{role.description}</p>}
                  </td>
                  <td className="whitespace-nowrap px-3 py-3 align-top tabular-nums text-slate-700 dark:text-slate-300">{people(role.holders)}</td>
                  <td className="whitespace-nowrap py-2 pl-3 text-right align-top">
                    {role.isSystem ? (
                      <span className="text-xs text-slate-500 dark:text-slate-400" title="System roles cannot be renamed, deleted or changed">
                        Locked
                      </span>
                    ) : (
                      <div className="flex justify-end gap-1">
                        <Button variant="ghost" className="px-2 py-1" aria-label={`Edit ${role.name}`} onClick={() => setEditingId(role.id)}>
                          <Pencil aria-hidden className="size-4" />
                          Edit
                        </Button>
                        <Button
                          variant="ghost"
                          className="px-2 py-1 text-red-700 hover:bg-red-50 dark:text-red-400 dark:hover:bg-red-950"
                          aria-label={`Delete ${role.name}`}
                          onClick={() => setDeleting(role)}
                        >
                          <Trash2 aria-hidden className="size-4" />
                          Delete
                        </Button>
                      </div>
                    )}
                  </td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      </div>
      {custom.length === 0 && (
        <div className="mt-4">
          <EmptyState
            title="No custom roles yet"
            action={
              <Button variant="secondary" onClick={onCreateClick}>
                Create a role
              </Button>
            }
          >
            The system roles above are fixed. Create a role to give people exactly the permissions they need, such as a
            catalog editor who may only change categories.
          </EmptyState>
        </div>
      )}
      <ConfirmDialog
        open={deleting !== undefined}
        title={`Delete the role "${deleting?.name ?? ''}"?`}
        confirmLabel="Delete role"
        onConfirm={confirmDelete}
        onClose={() => setDeleting(undefined)}
      >
        {deleting && deleting.holders > 0 ? (
          <p>
            <strong>
              {people(deleting.holders)} {deleting.holders === 1 ? 'holds' : 'hold'} this role.
            </strong>{' '}
            They lose its permissions at once, except those another of their roles also grants. You can restore the role
            from the trash.
          </p>
        ) : (
          <p>Nobody holds this role. You can restore it from the trash.</p>
        )}
      </ConfirmDialog>
    </>
  )
}

function EditRoleForm({ role, onDone }: { role: RoleRow; onDone: () => void }) {
  const router = useRouter()
  const save = useServerFn(updateRole)
  const [name, setName] = useState(role.name)
  const [description, setDescription] = useState(role.description)
  const [pending, setPending] = useState(false)
  const [fields, setFields] = useState<Record<string, string>>({})
  const [error, setError] = useState<string>()

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setPending(true)
    setFields({})
    setError(undefined)
    try {
      const saved = await save({ data: { id: role.id, data: { name, description } } })
      await router.invalidate()
      onDone()
      toast.success(`Saved "${saved.name}"`)
    } catch (e) {
      const fe = fieldErrorsOf(e)
      if (fe) setFields(fe)
      else setError(errorMessage(e))
    } finally {
      setPending(false)
    }
  }

  return (
    <form
      onSubmit={onSubmit}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onDone()
      }}
      aria-label={`Edit ${role.name}`}
      className="space-y-3"
      noValidate
    >
      {error && <Alert>{error}</Alert>}
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="Name" value={name} onChange={(e) => setName(e.target.value)} error={fields.name} required maxLength={60} autoFocus />
        <Field label="Description" value={description} onChange={(e) => setDescription(e.target.value)} error={fields.description} maxLength={300} />
      </div>
      <div className="flex gap-2">
        <Button type="submit" pending={pending}>
          Save
        </Button>
        <Button type="button" variant="secondary" onClick={onDone} disabled={pending}>
          Cancel
        </Button>
      </div>
    </form>
  )
}
