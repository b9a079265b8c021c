import { useEffect, useSyncExternalStore } from 'react'
import { Toaster as Sonner, toast, useSonner } from 'sonner'

function onClassChange(callback: () => void) {
  const observer = new MutationObserver(callback)
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['class'] })
  return () => observer.disconnect()
}

/**
 * The app's one toaster, in the page's theme: sonner draws light toasts unless told otherwise, and its own `system`
 * follows the operating system, not the theme a person chose here, so it follows the `dark` class that the boot script
 * and applyTheme() set on <html>. Toasts sit at the bottom corner, away from the top bar, the page header and the
 * details panels' action buttons that the person is using when a toast appears. An error stays until it is
 * dismissed: a refusal's reason is read, not raced. Callers use sonner's `toast` as before.
 */
export function Toaster() {
  const dark = useSyncExternalStore(
    onClassChange,
    () => document.documentElement.classList.contains('dark'),
    () => false,
  )
  const { toasts } = useSonner()
  useEffect(() => {
    for (const item of toasts) {
      if (item.type === 'error' && item.duration === undefined) toast.error(item.title, { id: item.id, duration: Number.POSITIVE_INFINITY })
    }
  }, [toasts])
  return <Sonner theme={dark ? 'dark' : 'light'} richColors closeButton position="bottom-right" offset={16} mobileOffset={8} />
}
