import { type KeyboardEvent, useEffect, useRef } from 'react'

/**
 * Drives a native <dialog> from state: `showModal()` when `open` turns true (focus trap, Escape, inert page behind),
 * `close()` when it turns false. Put the returned ref on the <dialog> and pass `onClose` to keep the state in step.
 */
export function useModal(open: boolean) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (open && !dialog.open) dialog.showModal()
    if (!open && dialog.open) dialog.close()
  }, [open])
  return ref
}

/**
 * Keeps Tab inside a modal: from its last control to its first and back. A native modal dialog lets focus leave for
 * the browser's own toolbar after the last control; a drawer that holds the whole navigation should wrap instead.
 */
export function wrapTab(event: KeyboardEvent<HTMLElement>) {
  if (event.key !== 'Tab') return
  const controls = [...event.currentTarget.querySelectorAll<HTMLElement>('a[href], button:not([disabled]), input:not([disabled]), [tabindex="0"]')]
  const first = controls[0]
  const last = controls.at(-1)
  if (!first || !last) return
  if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault()
    first.focus()
  } else if (event.shiftKey && document.activeElement === first) {
    event.preventDefault()
    last.focus()
  }
}
