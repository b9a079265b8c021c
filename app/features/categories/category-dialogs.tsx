import { useI18n } from '~/lib/i18n/react'
import { FormActions } from '~/components/ui/form-actions'
import { useServerFn } from '@tanstack/react-start'
import { CornerDownRight, Search } from 'lucide-react'
import { type ComponentProps, type FormEvent, type ReactNode, useEffect, useId, useState } from 'react'
import { Alert, Button, cx, Field } from '~/components/ui'
import { useModal } from '~/components/ui/use-modal'
import { useDiscardGuard, useFormDirty } from '~/components/unsaved-changes'
import { errorMessage } from '~/lib/errors'
import { formFailure } from '~/lib/form-failure'
import { searchCategories } from './categories.functions'
import { type CategoryMetadata, parseMetadataText } from './categories.schemas'

/**
 * A native modal <dialog> (focus trap, Escape closes) whose content is mounted only while open. `dialogProps` (a
 * discard guard's) replace its own `onClose`.
 */
function Modal({
  open,
  title,
  onClose,
  dialogProps,
  children,
}: {
  open: boolean
  title: string
  onClose: () => void
  dialogProps?: ComponentProps<'dialog'>
  children: ReactNode
}) {
  const ref = useModal(open)
  const titleId = useId()
  return (
    <dialog
      ref={ref}
      onClose={onClose}
      {...dialogProps}
      aria-labelledby={titleId}
      className="m-auto max-h-[calc(100dvh-2rem)] w-[calc(100%-1.5rem)] max-w-lg rounded-xl bg-white p-6 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:bg-slate-900 dark:text-slate-100"
    >
      <h2 id={titleId} className="text-lg font-semibold">
        {title}
      </h2>
      {open && children}
    </dialog>
  )
}

export type CategoryValues = { name: string; description: string; metadata: CategoryMetadata }

/**
 * Create or edit a category: name, description and metadata (a JSON object). The server's field errors (a name a
 * sibling already has) appear under their fields and what was typed stays; closing it edited asks first.
 */
export function CategoryDialog({
  open,
  title,
  submitLabel,
  context,
  initial,
  onSubmit,
  onClose,
}: {
  open: boolean
  title: string
  submitLabel: string
  context?: string
  initial?: Partial<CategoryValues>
  onSubmit: (values: CategoryValues) => Promise<void>
  onClose: () => void
}) {
  const [pending, setPending] = useState(false)
  const { t, tr } = useI18n()

  const [error, setError] = useState<string>()
  const [fields, setFields] = useState<Record<string, string>>({})
  const metadataId = useId()
  const edits = useFormDirty()
  const guard = useDiscardGuard({ dirty: open && edits.dirty && !pending, open, close: onClose })

  useEffect(() => {
    if (open) {
      setError(undefined)
      setFields({})
      edits.clear()
    }
  }, [open, edits.clear])

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const metadata = parseMetadataText(String(form.get('metadata') ?? ''))
    if (!metadata.ok) {
      setFields({ metadata: tr(metadata.error) })
      return
    }
    setPending(true)
    setError(undefined)
    setFields({})
    try {
      await onSubmit({ name: String(form.get('name') ?? ''), description: String(form.get('description') ?? ''), metadata: metadata.value })
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
    <Modal open={open} title={title} onClose={onClose} dialogProps={guard.dialogProps}>
      {context && <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{context}</p>}
      <form onSubmit={submit} onInput={edits.onInput} className="mt-4 space-y-4" noValidate>
        {error && <Alert>{error}</Alert>}
        <Field label={t('common.name')} name="name" defaultValue={initial?.name ?? ''} error={fields.name} required maxLength={100} autoFocus autoComplete="off" />
        <Field label={t('common.description')} name="description" defaultValue={initial?.description ?? ''} error={fields.description} maxLength={1000} />
        <div className="space-y-1">
          <label htmlFor={metadataId} className="block text-sm font-medium text-slate-800 dark:text-slate-200">
            {t('categoryForm.metadata')}
          </label>
          <textarea
            id={metadataId}
            name="metadata"
            rows={4}
            defaultValue={initial?.metadata && Object.keys(initial.metadata).length ? JSON.stringify(initial.metadata, null, 2) : ''}
            placeholder='{"sku": "A-100"}'
            aria-invalid={fields.metadata ? true : undefined}
            aria-describedby={fields.metadata ? `${metadataId}-error` : undefined}
            className={cx(
              'block w-full rounded-md border-0 bg-white px-3 py-2 font-mono text-xs text-slate-900 shadow-sm ring-1 ring-inset focus:ring-2 focus:ring-inset focus:ring-indigo-500 dark:bg-slate-900 dark:text-slate-100',
              fields.metadata ? 'ring-red-500' : 'ring-slate-300 dark:ring-slate-700',
            )}
          />
          {fields.metadata && (
            <p id={`${metadataId}-error`} className="text-sm text-red-600 dark:text-red-400">
              {fields.metadata}
            </p>
          )}
        </div>
        <div className="pt-2">
          <FormActions pending={pending} submitLabel={submitLabel} onCancel={guard.requestClose} />
        </div>
      </form>
    </Modal>
    {guard.prompt}
    </>
  )
}

type Hit = Awaited<ReturnType<typeof searchCategories>>['items'][number]
const TOP_LEVEL = '__top'

/**
 * "Move to…": search for the new parent by name (or choose the top level) and confirm. Reachable by keyboard from
 * the details panel; a refused move (into its own subtree, a name taken there, the tree changed) stays in the dialog
 * with the server's reason.
 */
export function MoveDialog({
  open,
  category,
  onMove,
  onClose,
}: {
  open: boolean
  category: { id: string; name: string; parentId: string | null; path: string }
  onMove: (parentId: string | null, label: string) => Promise<void>
  onClose: () => void
}) {
  const search = useServerFn(searchCategories)
  const [q, setQ] = useState('')
  const [hits, setHits] = useState<Hit[]>([])
  const [loading, setLoading] = useState(false)
  const [choice, setChoice] = useState<string>()
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<string>()
  const { t } = useI18n()
  const groupId = useId()

  useEffect(() => {
    if (!open) return
    setQ('')
    setHits([])
    setChoice(undefined)
    setError(undefined)
  }, [open])

  useEffect(() => {
    const term = q.trim()
    if (!term) {
      setHits([])
      return
    }
    let cancelled = false
    setLoading(true)
    const timer = setTimeout(async () => {
      try {
        const result = await search({ data: { q: term, limit: 20 } })
        if (!cancelled) setHits(result.items.filter((h) => h.id !== category.id))
      } catch (e) {
        if (!cancelled) setError(errorMessage(e))
      } finally {
        if (!cancelled) setLoading(false)
      }
    }, 200)
    return () => {
      cancelled = true
      clearTimeout(timer)
    }
  }, [q, search, category.id])

  const options = [
    { id: TOP_LEVEL, name: t('categoryForm.topLevel'), path: t('categoryForm.noParent') },
    ...hits.map((h) => ({ id: h.id, name: h.name, path: h.path.map((p) => p.name).join(' › ') || t('categoryForm.topLevel') })),
  ]

  async function submit(event: FormEvent) {
    event.preventDefault()
    if (!choice) {
      setError(t('categoryForm.chooseWhere'))
      return
    }
    const option = options.find((o) => o.id === choice)
    setPending(true)
    setError(undefined)
    try {
      await onMove(choice === TOP_LEVEL ? null : choice, option?.name ?? '')
      onClose()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setPending(false)
    }
  }

  return (
    <Modal open={open} title={t('categoryForm.moveTitle', { name: category.name })} onClose={onClose}>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{t('categoryForm.nowIn', { path: category.path || t('categoryForm.topLevel') })}</p>
      <form onSubmit={submit} className="mt-4 space-y-4" noValidate>
        {error && <Alert>{error}</Alert>}
        <div className="relative">
          <Search aria-hidden className="pointer-events-none absolute left-3 top-9 size-4 text-slate-400" />
          <Field
            label={t('categoryForm.findParent')}
            type="search"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            placeholder={t('categoryForm.typePart')}
            autoFocus
            autoComplete="off"
            className="[&_input]:pl-9"
          />
        </div>
        <fieldset aria-describedby={groupId} className="max-h-64 space-y-1 overflow-auto">
          <legend className="sr-only">{t('categoryForm.newParent')}</legend>
          <p id={groupId} className="text-xs text-slate-500 dark:text-slate-400" aria-live="polite">
            {loading ? t('categoryForm.searching') : q.trim() ? t('categoryForm.matches', { count: hits.length }) : t('categoryForm.orTop')}
          </p>
          {options.map((o) => (
            <label
              key={o.id}
              className={cx(
                'flex cursor-pointer items-start gap-2 rounded-md px-2 py-1.5 text-sm',
                choice === o.id ? 'bg-indigo-50 dark:bg-indigo-950' : 'hover:bg-slate-50 dark:hover:bg-slate-800',
              )}
            >
              <input type="radio" name="target" value={o.id} checked={choice === o.id} onChange={() => setChoice(o.id)} className="mt-1" />
              <span className="min-w-0">
                <span className="block font-medium">{o.name}</span>
                <span className="flex items-center gap-1 text-xs text-slate-500 dark:text-slate-400">
                  <CornerDownRight aria-hidden className="size-3" />
                  {o.path}
                </span>
              </span>
            </label>
          ))}
        </fieldset>
        <div className="flex justify-end gap-2 pt-2">
          <Button type="button" variant="secondary" onClick={onClose} disabled={pending}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" pending={pending}>
            {t('categoryForm.moveHere')}

          </Button>
        </div>
      </form>
    </Modal>
  )
}
