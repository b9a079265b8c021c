import { useRouterState } from '@tanstack/react-router'
import { useI18n } from '../lib/i18n/react'

/**
 * A thin bar along the top edge while the router loads the next page (its loaders and server functions). It fades in
 * only after a short delay (styles.css), so quick navigations do not flicker.
 */
export function NavigationProgress() {
  const loading = useRouterState({ select: (s) => s.isLoading || s.status === 'pending' })
  const { t } = useI18n()
  if (!loading) return null
  return (
    <div role="progressbar" aria-label={t('nav.loadingPage')} className="navigation-progress pointer-events-none fixed inset-x-0 top-0 z-50 h-0.5 overflow-hidden">
      <div className="h-full w-1/3 bg-indigo-500" />
    </div>
  )
}

/** What a page shows in place of its content while its loader runs longer than the router's pending delay. */
export function PagePending() {
  const { t } = useI18n()
  return (
    <div role="status" className="flex items-center gap-2 py-12 text-sm text-slate-600 dark:text-slate-400">
      <span aria-hidden className="size-4 animate-spin rounded-full border-2 border-slate-300 border-t-indigo-500" />
      {t('common.loading')}
    </div>
  )
}
