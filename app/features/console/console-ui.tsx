import { useServerFn } from '@tanstack/react-start'
import { type FormEvent, lazy, type ReactNode, Suspense, useCallback, useEffect, useRef, useState } from 'react'
import { toast } from 'sonner'
import { Alert, Button, EmptyState, Field } from '~/components/ui'
import { formFailure } from '~/lib/form-failure'
import { useI18n } from '~/lib/i18n/react'
import type { AuditEventView } from '../audit/audit.server'
import { ChangeList, Sentence, When } from '../audit/event-list'
import { stepUp } from './mfa.functions'
import { TableScroller } from '~/components/ui/table-scroller'

/** A date or time from the server in the page's language; a dash for none. */
export const formatDate = (value: string | null, format: Intl.DateTimeFormat) => (value ? format.format(new Date(value)) : '—')

/**
 * A modal form (native <dialog>: focus trap, Escape closes). `onSubmit` gets the form's values; a thrown error is
 * shown in the dialog with its field errors and the dialog stays open.
 */
export function FormDialog({
  open,
  title,
  description,
  submitLabel,
  tone = 'primary',
  onSubmit,
  onClose,
  children,
}: {
  open: boolean
  title: string
  description?: ReactNode
  submitLabel: string
  tone?: 'primary' | 'danger'
  onSubmit: (values: Record<string, string>) => Promise<void>
  onClose: () => void
  children: (fieldErrors: Record<string, string>) => ReactNode
}) {
  const ref = useRef<HTMLDialogElement>(null)
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<string>()
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({})
  const { t } = useI18n()

  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (open && !dialog.open) {
      setError(undefined)
      setFieldErrors({})
      dialog.showModal()
    }
    if (!open && dialog.open) dialog.close()
  }, [open])

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const values = Object.fromEntries([...new FormData(event.currentTarget).entries()].map(([k, v]) => [k, String(v)]))
    setPending(true)
    setError(undefined)
    setFieldErrors({})
    try {
      await onSubmit(values)
    } catch (e) {
      const failure = formFailure(e)
      setError(failure.message)
      setFieldErrors(failure.fields)
    } finally {
      setPending(false)
    }
  }

  return (
    <dialog
      ref={ref}
      onClose={onClose}
      aria-label={title}
      className="m-auto max-h-[calc(100dvh-2rem)] w-[calc(100%-1.5rem)] max-w-md rounded-xl bg-white p-6 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:bg-slate-900 dark:text-slate-100"
    >
      {open && (
        <form method="post" onSubmit={submit} noValidate className="space-y-4">
          <h2 className="text-lg font-semibold">{title}</h2>
          {description && <div className="text-sm text-slate-600 dark:text-slate-300">{description}</div>}
          {/* Field errors sit under their fields; the summary is for what belongs to no field. */}
          {error && Object.keys(fieldErrors).length === 0 && <Alert>{error}</Alert>}
          {children(fieldErrors)}
          <div className="flex justify-end gap-2 pt-2">
            <Button type="button" variant="secondary" onClick={onClose} disabled={pending}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" variant={tone} pending={pending}>
              {submitLabel}
            </Button>
          </div>
        </form>
      )}
    </dialog>
  )
}

/**
 * Runs a sensitive console action; when the server answers `step_up_required`, asks for a fresh authenticator code,
 * records it for this session (ten minutes) and runs the action again.
 */
export function useStepUp() {
  const verify = useServerFn(stepUp)
  const { t } = useI18n()
  const [waiting, setWaiting] = useState<{ retry: () => Promise<void>; reject: (e: unknown) => void }>()

  const guard = useCallback(async (action: () => Promise<void>) => {
    try {
      await action()
    } catch (e) {
      if ((e as { code?: string }).code !== 'step_up_required') throw e
      await new Promise<void>((resolve, reject) => {
        setWaiting({
          retry: async () => {
            await action()
            resolve()
          },
          reject,
        })
      })
    }
  }, [])

  const dialog = (
    <FormDialog
      open={waiting !== undefined}
      title={t('console.stepUp.title')}
      description={t('console.stepUp.description')}
      submitLabel={t('console.stepUp.submit')}
      onClose={() => {
        waiting?.reject(new Error(t('console.stepUp.cancelled')))
        setWaiting(undefined)
      }}
      onSubmit={async (values) => {
        await verify({ data: { code: values.code ?? '' } })
        toast.success(t('console.stepUp.verified'))
        const current = waiting
        setWaiting(undefined)
        await current?.retry()
      }}
    >
      {(errors) => (
        <Field label={t('console.signIn.code')} name="code" inputMode="numeric" autoComplete="one-time-code" autoFocus required error={errors.code} />
      )}
    </FormDialog>
  )
  return { guard, dialog }
}

const ActivityBars = lazy(() => import('./activity-bars'))

export function ActivityChart({ data, label }: { data: { day: string; events: number }[]; label: string }) {
  const { t } = useI18n()
  const total = data.reduce((sum, d) => sum + d.events, 0)
  return (
    <figure aria-label={label} className="space-y-2">
      <figcaption className="text-sm font-medium text-slate-700 dark:text-slate-300">
        {label} <span className="font-normal text-slate-500 dark:text-slate-400">— {t('console.chart.events', { count: total })}</span>
      </figcaption>
      {total === 0 ? (
        <p className="rounded-md bg-slate-50 px-3 py-6 text-center text-sm text-slate-500 dark:text-slate-400 dark:bg-slate-800/50">{t('console.chart.none')}</p>
      ) : (
        <div className="h-48 w-full text-indigo-500">
          <Suspense fallback={null}>
            <ActivityBars data={data} series={t('console.chart.series')} />
          </Suspense>
        </div>
      )}
      <table className="sr-only">
        <caption>{t('console.chart.perDay', { label })}</caption>
        <tbody>
          {data.map((d) => (
            <tr key={d.day}>
              <th scope="row">{d.day}</th>
              <td>{d.events}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  )
}

type AuditItem = AuditEventView & { tenantSlug: string | null }

/** Audit events newest first, in the tenant viewer's words (ADR 013), with each event's tenant when several show. */
export function AuditList({ items, showTenant, more }: { items: AuditItem[]; showTenant: boolean; more?: ReactNode }) {
  const { t } = useI18n()
  if (items.length === 0) return <EmptyState title={t('console.auditList.none')}>{t('console.auditList.noneText')}</EmptyState>
  return (
    <>
      <TableScroller label={t('nav.audit')}>
        <table className="w-full text-left text-sm">
          <thead className="text-xs uppercase text-slate-500 dark:text-slate-400">
            <tr>
              <th className="py-2 pr-3">{t('console.auditList.when')}</th>
              {showTenant && <th className="py-2 pr-3">{t('console.auditList.tenant')}</th>}
              <th className="py-2">{t('console.auditList.what')}</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {items.map((e) => (
              <tr key={e.id} className="align-top">
                <td className="whitespace-nowrap py-2 pr-3 text-slate-500 dark:text-slate-400">
                  <When iso={e.createdAt} />
                </td>
                {showTenant && <td className="py-2 pr-3 font-mono text-xs">{e.tenantSlug}</td>}
                <td className="py-2">
                  <Sentence event={e} />
                  {e.action === 'UPDATE' && <ChangeList event={e} />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroller>
      {more}
    </>
  )
}
