import { useEffect } from 'react'
import { Toaster as Sonner, toast, useSonner } from 'sonner'

/**
 * The app's one toaster. Toasts sit at the bottom corner, away from the page header and the details panels' action
 * buttons that the person is using when a toast appears (and below the 56 px top bar either way). An error stays until
 * it is dismissed: a refusal's reason is read, not raced. Callers use sonner's `toast` as before.
 */
export function Toaster() {
  const { toasts } = useSonner()
  useEffect(() => {
    for (const item of toasts) {
      if (item.type === 'error' && item.duration === undefined) toast.error(item.title, { id: item.id, duration: Number.POSITIVE_INFINITY })
    }
  }, [toasts])
  return <Sonner richColors closeButton position="bottom-right" offset={16} mobileOffset={8} />
}
