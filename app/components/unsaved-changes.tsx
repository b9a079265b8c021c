import { useBlocker } from '@tanstack/react-router'
import { type FormEvent, useState } from 'react'
import { useI18n } from '../lib/i18n/react'
import { ConfirmDialog } from './ui/confirm'

/**
 * Asks before a page with unsaved edits is left: in-app navigation gets a dialog, closing or reloading the tab the
 * browser's own prompt.
 */
export function UnsavedChangesGuard({ dirty }: { dirty: boolean }) {
  const blocker = useBlocker({ shouldBlockFn: () => dirty, enableBeforeUnload: () => dirty, disabled: !dirty, withResolver: true })
  const { t } = useI18n()
  return (
    <ConfirmDialog
      open={blocker.status === 'blocked'}
      title={t('unsaved.title')}
      confirmLabel={t('unsaved.leave')}
      onConfirm={() => blocker.proceed?.()}
      onClose={() => blocker.reset?.()}
    >
      {t('unsaved.body')}
    </ConfirmDialog>
  )
}

/** Whether any control of an uncontrolled form differs from what it started with. */
export function formIsDirty(form: HTMLFormElement): boolean {
  for (const element of form.elements) {
    if (element instanceof HTMLInputElement) {
      if (element.type === 'checkbox' || element.type === 'radio' ? element.checked !== element.defaultChecked : element.value !== element.defaultValue) return true
    } else if (element instanceof HTMLTextAreaElement) {
      if (element.value !== element.defaultValue) return true
    } else if (element instanceof HTMLSelectElement) {
      if ([...element.options].some((o) => o.selected !== o.defaultSelected)) return true
    }
  }
  return false
}

/** Tracks whether an uncontrolled form has unsaved edits: spread `onInput` on the <form>, call `clear()` after a save. */
export function useFormDirty() {
  const [dirty, setDirty] = useState(false)
  return { dirty, onInput: (event: FormEvent<HTMLFormElement>) => setDirty(formIsDirty(event.currentTarget)), clear: () => setDirty(false) }
}
