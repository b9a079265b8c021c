import { useBlocker } from '@tanstack/react-router'
import { type FormEvent, type KeyboardEvent, type MouseEvent, type SyntheticEvent, useCallback, useRef, useState } from 'react'
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
      cancelIsDefault
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
  const onInput = useCallback((event: FormEvent<HTMLFormElement>) => setDirty(formIsDirty(event.currentTarget)), [])
  const clear = useCallback(() => setDirty(false), [])
  return { dirty, onInput, clear }
}

/** A pointer event on a modal <dialog> that landed on its backdrop: on the element itself, outside its box. */
function onBackdrop(event: MouseEvent<HTMLDialogElement>): boolean {
  if (event.target !== event.currentTarget) return false
  const box = event.currentTarget.getBoundingClientRect()
  return event.clientX < box.left || event.clientX > box.right || event.clientY < box.top || event.clientY > box.bottom
}

/**
 * Asks before a form with unsaved edits is closed where it stands: a modal dialog by Escape, Cancel or a click on the
 * backdrop, an inline editor by Escape or Cancel. `requestClose` closes at once when nothing is edited and asks
 * first otherwise; `onEscape` is an inline editor's onKeyDown; `dialogProps` go on the native <dialog> (instead of its
 * own onClose) while `open`; render `prompt`, which also guards navigation (UnsavedChangesGuard) while `dirty`.
 */
export function useDiscardGuard({ dirty, open = true, close }: { dirty: boolean; open?: boolean; close: () => void }) {
  const { t } = useI18n()
  const [asking, setAsking] = useState(false)
  const pressedOnBackdrop = useRef(false)
  const requestClose = () => (dirty ? setAsking(true) : close())
  // Escape on an inline editor: its default action would at once cancel the question the key just opened.
  const onEscape = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return
    event.preventDefault()
    requestClose()
  }
  const dialogProps = {
    // Escape on an edited dialog asks without a close request reaching the browser: Chrome groups dialogs opened with
    // no click or key in between (the question, a dialog reopened below) and one Escape would close the whole group.
    onKeyDown: (event: KeyboardEvent<HTMLDialogElement>) => {
      if (event.key !== 'Escape' || !dirty) return
      event.preventDefault()
      setAsking(true)
    },
    onCancel: (event: SyntheticEvent<HTMLDialogElement>) => {
      if (!dirty) return
      event.preventDefault()
      setAsking(true)
    },
    // Chrome closes a modal without a cancelable cancel event on a second Escape with no click or key in between;
    // a dialog that closed itself while still meant to be open and edited opens again and asks.
    onClose: (event: SyntheticEvent<HTMLDialogElement>) => {
      if (open && dirty) {
        event.currentTarget.showModal()
        setAsking(true)
      } else close()
    },
    onMouseDown: (event: MouseEvent<HTMLDialogElement>) => {
      pressedOnBackdrop.current = onBackdrop(event)
    },
    onClick: (event: MouseEvent<HTMLDialogElement>) => {
      // Pressed and released outside: a text selection dragged out of the dialog is no click on the backdrop.
      if (pressedOnBackdrop.current && onBackdrop(event)) requestClose()
      pressedOnBackdrop.current = false
    },
  }
  const prompt = (
    <>
      <UnsavedChangesGuard dirty={dirty} />
      <ConfirmDialog
        open={asking}
        title={t('unsaved.discardTitle')}
        confirmLabel={t('unsaved.discard')}
        cancelLabel={t('unsaved.keepEditing')}
        cancelIsDefault
        onConfirm={close}
        onClose={() => setAsking(false)}
      >
        {t('unsaved.discardBody')}
      </ConfirmDialog>
    </>
  )
  return { requestClose, onEscape, dialogProps, prompt }
}
