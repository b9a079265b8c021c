import { useI18n } from '~/lib/i18n/react'
import { roleName } from '~/lib/i18n/roles'
import { useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { type FormEvent, useState } from 'react'
import { toast } from 'sonner'
import { Alert, Button, Field, Select } from '~/components/ui'
import { UnsavedChangesGuard } from '~/components/unsaved-changes'
import { formFailure } from '~/lib/form-failure'
import type { RoleRow } from './role-list'
import { createRole } from './roles.functions'

export const NEW_ROLE_NAME_ID = 'new-role-name'

/** A new role starts empty or with the permissions of an existing role; the matrix fine-tunes it afterwards. */
export function CreateRoleForm({ roles, held }: { roles: RoleRow[]; held: readonly string[] }) {
  const router = useRouter()
  const { t } = useI18n()
  const create = useServerFn(createRole)
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [templateId, setTemplateId] = useState('')
  const [pending, setPending] = useState(false)
  const [fields, setFields] = useState<Record<string, string>>({})
  const [error, setError] = useState<string>()

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setPending(true)
    setFields({})
    setError(undefined)
    try {
      const permissions = roles.find((r) => r.id === templateId)?.permissions ?? []
      const role = await create({ data: { name, description, permissions } })
      await router.invalidate()
      setName('')
      setDescription('')
      setTemplateId('')
      toast.success(t('roles.created', { name: role.name }))
    } catch (e) {
      const failure = formFailure(e)
      setFields(failure.fields)
      setError(failure.message)
    } finally {
      setPending(false)
    }
  }

  return (
    <form onSubmit={onSubmit} aria-labelledby="create-role-title" className="space-y-4" noValidate>
      <h2 id="create-role-title" className="text-base font-semibold">
        {t('roles.createTitle')}
      </h2>
      <UnsavedChangesGuard dirty={!pending && (name !== '' || description !== '' || templateId !== '')} />
      {error && <Alert>{error}</Alert>}
      <Field
        id={NEW_ROLE_NAME_ID}
        label={t('common.name')}
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={fields.name}
        placeholder={t('roles.namePlaceholder')}
        maxLength={60}
        required
      />
      <Field
        label={t('common.description')}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        error={fields.description}
        hint={t('roles.descriptionHint')}
        maxLength={300}
      />
      <Select label={t('roles.template')} value={templateId} onChange={(e) => setTemplateId(e.target.value)} error={fields.permissions}>
        <option value="">{t('roles.noPermissions')}</option>
        {roles.map((role) => {
          const lacking = role.permissions.some((p) => !held.includes(p))
          return (
            <option key={role.id} value={role.id} disabled={lacking}>
              {lacking ? t('roles.lacking', { name: roleName(t, role) }) : roleName(t, role)}
            </option>
          )
        })}
      </Select>
      <Button type="submit" pending={pending}>
        {t('roles.create')}
      </Button>
    </form>
  )
}
