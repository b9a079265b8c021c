import { useSyncExternalStore } from 'react'
import { Toaster } from 'sonner'

function onClassChange(callback: () => void) {
  const observer = new MutationObserver(callback)
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['class'] })
  return () => observer.disconnect()
}

/**
 * The page's toaster in the page's theme. Sonner draws light toasts unless told otherwise, and its own `system` follows
 * the operating system, not the theme a person chose here: so it follows the `dark` class that the boot script and
 * applyTheme() set on <html>. Below the 56 px top bar, so a toast never covers the account menu or the navigation button.
 */
export function AppToaster() {
  const dark = useSyncExternalStore(
    onClassChange,
    () => document.documentElement.classList.contains('dark'),
    () => false,
  )
  return (
    <Toaster
      theme={dark ? 'dark' : 'light'}
      richColors
      closeButton
      position="top-right"
      offset={{ top: 68, right: 16 }}
      mobileOffset={{ top: 64, right: 8, left: 8 }}
    />
  )
}
