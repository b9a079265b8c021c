import { type ReactNode, useEffect, useId, useRef, useState } from 'react'
import { errorMessage } from '~/lib/errors'
import { useI18n } from '~/lib/i18n/react'
import { Alert, Button } from './index'

/**
 * A modal confirmation (native <dialog>: focus trap, Escape to cancel). `onConfirm` may throw; its message is
 * shown in the dialog and the dialog stays open.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  cancelLabel,
  tone = 'danger',
  cancelIsDefault = false,
  onConfirm,
  onClose,
}: {
  open: boolean
  title: string
  children?: ReactNode
  confirmLabel: string
  cancelLabel?: string
  tone?: 'danger' | 'primary'
  /** Focus (and Enter) on the cancel button: for questions where confirming throws work away. */
  cancelIsDefault?: boolean
  onConfirm: () => Promise<void> | void
  onClose: () => void
}) {
  const { t } = useI18n()
  const ref = useRef<HTMLDialogElement>(null)
  // Several confirmations may share a page (a page's own and a dialog's question about discarding edits).
  const titleId = useId()
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<string>()

  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (open && !dialog.open) {
      setError(undefined)
      dialog.showModal()
    }
    if (!open && dialog.open) dialog.close()
  }, [open])

  async function confirm() {
    setPending(true)
    setError(undefined)
    try {
      await onConfirm()
      onClose()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setPending(false)
    }
  }

  return (
    <dialog
      ref={ref}
      onClose={onClose}
      // Escape answers "cancel" here rather than as the browser's close request, which closes every dialog opened with
      // no click or key in between as one group (a discard question and the edited dialog below it).
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return
        event.preventDefault()
        if (!pending) onClose()
      }}
      aria-labelledby={titleId}
      className="m-auto max-h-[calc(100dvh-2rem)] w-[calc(100%-1.5rem)] max-w-md rounded-xl bg-white p-6 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:bg-slate-900 dark:text-slate-100"
    >
      <h2 id={titleId} className="text-lg font-semibold">
        {title}
      </h2>
      {children && <div className="mt-2 text-sm text-slate-600 dark:text-slate-300">{children}</div>}
      {error && (
        <div className="mt-4">
          <Alert>{error}</Alert>
        </div>
      )}
      <div className="mt-6 flex justify-end gap-2">
        {/* type="button": a confirmation may be rendered inside a form (a page's unsaved-changes guard), which its
            buttons must not submit. */}
        <Button type="button" variant="secondary" onClick={onClose} disabled={pending} autoFocus={cancelIsDefault}>
          {cancelLabel ?? t('common.cancel')}
        </Button>
        <Button type="button" variant={tone === 'danger' ? 'danger' : 'primary'} onClick={confirm} pending={pending} autoFocus={!cancelIsDefault}>
          {confirmLabel}
        </Button>
      </div>
    </dialog>
  )
}
