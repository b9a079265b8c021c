import { useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { Copy } from 'lucide-react'
import { type FormEvent, useEffect, useState } from 'react'
import { toast } from 'sonner'
import { Alert, Button, Field, Select } from '~/components/ui'
import { FormActions } from '~/components/ui/form-actions'
import { useModal } from '~/components/ui/use-modal'
import { useDiscardGuard, useFormDirty } from '~/components/unsaved-changes'
import { errorMessage } from '~/lib/errors'
import { formFailure } from '~/lib/form-failure'
import { useI18n } from '~/lib/i18n/react'
import { roleName } from '~/lib/i18n/roles'
import { inviteUser } from '../auth/auth.functions'
import { createUser } from './users.functions'

type RoleOption = { id: string; name: string; systemKey?: string | null; grantable?: boolean }

/** Add a person either by invitation (they choose their password) or directly with a password. */
export function AddPersonDialog({
  open,
  onClose,
  roles,
  canAssignRoles,
}: {
  open: boolean
  onClose: () => void
  roles: RoleOption[]
  canAssignRoles: boolean
}) {
  const ref = useModal(open)
  const router = useRouter()
  const { t } = useI18n()
  const invite = useServerFn(inviteUser)
  const create = useServerFn(createUser)
  const [mode, setMode] = useState<'invite' | 'create'>('invite')
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<string>()
  const [fields, setFields] = useState<Record<string, string>>({})
  const [link, setLink] = useState<string>()
  const [replaced, setReplaced] = useState(false)
  // A pending invitation to the address: the question, and the invitation to send when the admin says replace.
  const [replacing, setReplacing] = useState<{ message: string; data: { email: string; fullName: string; roleId: string | null } }>()

  const edits = useFormDirty()
  // Once the invitation's link is shown, what was typed is saved.
  const guard = useDiscardGuard({ dirty: open && !link && edits.dirty && !pending, open, close: onClose })

  useEffect(() => {
    if (!open) return
    setError(undefined)
    setFields({})
    setLink(undefined)
    setReplaced(false)
    setReplacing(undefined)
    edits.clear()
  }, [open, edits.clear])

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const email = String(form.get('email') ?? '')
    const fullName = String(form.get('fullName') ?? '')
    const roleId = String(form.get('roleId') ?? '')
    setPending(true)
    setError(undefined)
    setFields({})
    try {
      if (mode === 'invite') {
        await sendInvitation({ email, fullName, roleId: roleId || null }, false)
      } else {
        await create({ data: { email, fullName, password: String(form.get('password') ?? ''), roleIds: roleId ? [roleId] : [], metadata: {} } })
        toast.success(t('addPerson.added', { name: fullName }))
        onClose()
      }
      await router.invalidate()
    } catch (e) {
      if ((e as { code?: string }).code === 'invitation_pending') setReplacing({ message: errorMessage(e), data: { email, fullName, roleId: roleId || null } })
      else {
        const failure = formFailure(e)
        setFields(failure.fields)
        setError(failure.message)
      }
    } finally {
      setPending(false)
    }
  }

  async function sendInvitation(data: { email: string; fullName: string; roleId: string | null }, replace: boolean) {
    const result = await invite({ data: { ...data, replace } })
    setReplacing(undefined)
    setLink(result.link)
    setReplaced(result.replacedPending)
    toast.success(t('addPerson.invitationCreated', { email: result.email }))
  }

  async function onReplace() {
    if (!replacing) return
    setPending(true)
    try {
      await sendInvitation(replacing.data, true)
      await router.invalidate()
    } catch (e) {
      setReplacing(undefined)
      setError(errorMessage(e))
    } finally {
      setPending(false)
    }
  }

  return (
    <>
      <dialog
        ref={ref}
        {...guard.dialogProps}
        aria-labelledby="add-person-title"
        className="m-auto max-h-[calc(100dvh-2rem)] w-[calc(100%-1.5rem)] max-w-lg rounded-xl bg-white p-6 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:bg-slate-900 dark:text-slate-100"
      >
        <h2 id="add-person-title" className="text-lg font-semibold">
          {t('addPerson.title')}
        </h2>
        {!open ? null : link ? (
          <div className="mt-4 space-y-4">
            <Alert tone="success">{t('addPerson.linkInfo')}</Alert>
            {replaced ? <Alert tone="info">{t('addPerson.replacedInfo')}</Alert> : null}
            <div className="flex gap-2">
              <input readOnly value={link} aria-label={t('addPerson.invitationLink')} className="min-w-0 flex-1 rounded-md px-3 py-2 text-sm ring-1 ring-slate-300 dark:bg-slate-800 dark:ring-slate-700" />
              <Button
                variant="secondary"
                onClick={() => {
                  void navigator.clipboard?.writeText(link)
                  toast.success(t('addPerson.linkCopied'))
                }}
              >
                <Copy aria-hidden className="size-4" /> {t('addPerson.copy')}
              </Button>
            </div>
            <div className="flex justify-end">
              <Button onClick={onClose}>{t('addPerson.done')}</Button>
            </div>
          </div>
        ) : (
          <form onSubmit={onSubmit} onInput={edits.onInput} className="mt-4 space-y-4" noValidate>
            <div role="radiogroup" aria-label={t('addPerson.howToAdd')} className="flex gap-4 text-sm">
              <label className="flex items-center gap-2">
                <input type="radio" name="mode" checked={mode === 'invite'} onChange={() => setMode('invite')} /> {t('addPerson.sendInvitation')}
              </label>
              <label className="flex items-center gap-2">
                <input type="radio" name="mode" checked={mode === 'create'} onChange={() => setMode('create')} /> {t('addPerson.createWithPassword')}
              </label>
            </div>
            {error && <Alert>{error}</Alert>}
            {replacing && (
              <div role="alert" className="space-y-2 rounded-md bg-amber-50 p-3 text-sm text-amber-900 ring-1 ring-amber-200 dark:bg-amber-950/40 dark:text-amber-100 dark:ring-amber-900">
                <p>{replacing.message}</p>
                <div className="flex gap-2">
                  <Button type="button" onClick={onReplace} pending={pending}>
                    {t('addPerson.replaceInvitation')}
                  </Button>
                  <Button type="button" variant="secondary" onClick={() => setReplacing(undefined)}>
                    {t('addPerson.keepPending')}
                  </Button>
                </div>
              </div>
            )}
            <Field label={t('common.email')} name="email" type="email" required error={fields.email} autoComplete="off" />
            <Field label={t('common.fullName')} name="fullName" required={mode === 'create'} error={fields.fullName} autoComplete="off" />
            {mode === 'create' && <Field label={t('addPerson.initialPassword')} name="password" type="password" autoComplete="new-password" required hint={t('addPerson.initialPasswordHint')} error={fields.password} />}
            {canAssignRoles && (
              <Select label={t('common.role')} name="roleId" defaultValue={roles.find((r) => r.systemKey === 'member')?.id ?? ''} error={fields.roleId ?? fields.roleIds}>
                <option value="">{t('addPerson.noRole')}</option>
                {/* Only roles the admin may grant: one carrying a permission they lack would be refused. */}
                {roles
                  .filter((r) => r.grantable !== false)
                  .map((r) => (
                  <option key={r.id} value={r.id}>
                    {roleName(t, r)}
                  </option>
                ))}
              </Select>
            )}
            <FormActions pending={pending} submitLabel={mode === 'invite' ? t('addPerson.createInvitation') : t('addPerson.addPerson')} onCancel={guard.requestClose} />
          </form>
        )}
      </dialog>
      {guard.prompt}
    </>
  )
}
