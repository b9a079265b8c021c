import { useI18n } from '~/lib/i18n/react'
import { type FormEvent, useEffect, useId, useState } from 'react'
import { Alert, Field, Select } from '~/components/ui'
import { FormActions } from '~/components/ui/form-actions'
import { useModal } from '~/components/ui/use-modal'
import { useDiscardGuard, useFormDirty } from '~/components/unsaved-changes'
import { formFailure } from '~/lib/form-failure'

const FORM_FIELDS = ['name', 'description', 'organizationId'] as const

export type EntityValues = { name: string; description: string; organizationId?: string }

/**
 * Create or edit an organization or a team in a modal (native <dialog>: focus trap, Escape to cancel). The inputs
 * are uncontrolled and the dialog stays open when the server refuses, so what was typed stays; field errors from
 * the server are shown next to their fields.
 */
export function EntityDialog({
  open,
  title,
  submitLabel,
  initial,
  organizations,
  onSubmit,
  onClose,
}: {
  open: boolean
  title: string
  submitLabel: string
  initial?: Partial<EntityValues>
  /** Given for teams: the organization the team belongs to is chosen here. */
  organizations?: { id: string; name: string }[]
  onSubmit: (values: EntityValues) => Promise<void>
  onClose: () => void
}) {
  const ref = useModal(open)
  const { t } = useI18n()
  const titleId = useId()
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<string>()
  const [fields, setFields] = useState<Record<string, string>>({})
  const edits = useFormDirty()
  const guard = useDiscardGuard({ dirty: open && edits.dirty && !pending, open, close: onClose })

  useEffect(() => {
    if (!open) return
    setError(undefined)
    setFields({})
    edits.clear()
  }, [open, edits.clear])

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const values: EntityValues = {
      name: String(form.get('name') ?? ''),
      description: String(form.get('description') ?? ''),
      organizationId: organizations ? String(form.get('organizationId') ?? '') : undefined,
    }
    setPending(true)
    setError(undefined)
    setFields({})
    try {
      await onSubmit(values)
      onClose()
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
      <dialog
        ref={ref}
        {...guard.dialogProps}
        aria-labelledby={titleId}
        className="m-auto max-h-[calc(100dvh-2rem)] w-[calc(100%-1.5rem)] max-w-lg rounded-xl bg-white p-6 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:bg-slate-900 dark:text-slate-100"
      >
        <h2 id={titleId} className="text-lg font-semibold">
          {title}
        </h2>
        {/* Mounted only while open, so each opening starts from `initial` and nothing re-mounts under the user's hands. */}
        {open && (
          <form onSubmit={submit} onInput={edits.onInput} className="mt-4 space-y-4" noValidate>
            {error && !FORM_FIELDS.some((f) => fields[f]) && <Alert>{error}</Alert>}
            {organizations && (
              <Select label={t('teams.organization')} name="organizationId" defaultValue={initial?.organizationId ?? ''} error={fields.organizationId} required>
                {organizations.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </Select>
            )}
            <Field label={t('common.name')} name="name" defaultValue={initial?.name ?? ''} error={fields.name} required maxLength={100} autoComplete="off" autoFocus />
            <div className="space-y-1">
              <label htmlFor={`${titleId}-description`} className="block text-sm font-medium text-slate-800 dark:text-slate-200">
                {t('common.description')} <span className="font-normal text-slate-500 dark:text-slate-400">{t('teams.optional')}</span>
              </label>
              <textarea
                id={`${titleId}-description`}
                name="description"
                rows={3}
                maxLength={500}
                defaultValue={initial?.description ?? ''}
                aria-invalid={fields.description ? true : undefined}
                aria-describedby={fields.description ? `${titleId}-description-error` : undefined}
                className="block w-full rounded-md border-0 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-inset focus:ring-indigo-500 dark:bg-slate-900 dark:text-slate-100 dark:ring-slate-700"
              />
              {fields.description && (
                <p id={`${titleId}-description-error`} className="text-sm text-red-600 dark:text-red-400">
                  {fields.description}
                </p>
              )}
            </div>
            <FormActions pending={pending} submitLabel={submitLabel} onCancel={guard.requestClose} />
          </form>
        )}
      </dialog>
      {guard.prompt}
    </>
  )
}
