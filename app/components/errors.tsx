import { type ErrorComponentProps, useRouter } from '@tanstack/react-router'
import { type ReactNode, useEffect } from 'react'
import { errorRef, isNetworkError } from '../lib/errors'
import { useI18n } from '../lib/i18n/react'
import { Button } from './ui'

function StatusPage({ code, title, children }: { code: string; title: string; children: ReactNode }) {
  // The server's HTML has the title from the root's head() (statusPageTitle); a status page reached in the browser
  // (a failed navigation) renders where no head() ran again, so it names itself too, with the same words.
  const { t } = useI18n()
  useEffect(() => {
    document.title = t('common.titleSuffix', { title })
  }, [title, t])
  return (
    <section aria-labelledby="status-title" className="flex min-h-[70vh] flex-col items-center justify-center px-6 text-center">
      <p className="text-sm font-semibold text-indigo-600 dark:text-indigo-400">{code}</p>
      <h1 id="status-title" className="mt-2 text-3xl font-bold tracking-tight">
        {title}
      </h1>
      <div className="mt-4 max-w-md text-slate-600 dark:text-slate-400">{children}</div>
    </section>
  )
}

export function NotFound() {
  const { t } = useI18n()
  return (
    <StatusPage code="404" title={t('status.notFoundTitle')}>
      <p>{t('status.notFoundBody')}</p>
      <a href="/" className="mt-6 inline-block font-semibold text-indigo-600 hover:underline dark:text-indigo-400">
        {t('status.toStart')}
      </a>
    </StatusPage>
  )
}

export function WorkspaceNotFound() {
  const { t } = useI18n()
  return (
    <StatusPage code="404" title={t('status.noWorkspaceTitle')}>
      <p>{t('status.noWorkspaceBody')}</p>
    </StatusPage>
  )
}

export function WorkspaceSuspended({ name }: { name: string }) {
  const { t } = useI18n()
  return (
    <StatusPage code="403" title={t('status.suspendedTitle')}>
      <p>{t('status.suspendedBody', { name })}</p>
    </StatusPage>
  )
}

export function Forbidden() {
  const { t } = useI18n()
  return (
    <StatusPage code="403" title={t('status.forbiddenTitle')}>
      <p>{t('status.forbiddenBody')}</p>
      <a href="/" className="mt-6 inline-block font-semibold text-indigo-600 hover:underline dark:text-indigo-400">
        {t('status.toDashboard')}
      </a>
    </StatusPage>
  )
}

export function DefaultCatchBoundary({ error, reset }: ErrorComponentProps) {
  const router = useRouter()
  const { t, tr } = useI18n()
  const status = (error as { status?: number }).status
  if (status === 403) return <Forbidden />
  if (status === 404) return <NotFound />
  const offline = isNetworkError(error)
  return (
    <StatusPage code={offline ? t('status.offlineCode') : status ? String(status) : '500'} title={offline ? t('status.offlineTitle') : t('status.errorTitle')}>
      <p>{offline ? t('status.offlineBody') : status && status < 500 ? tr(errorRef(error)) : t('status.errorBody')}</p>
      <Button
        className="mt-6"
        onClick={() => {
          reset()
          void router.invalidate()
        }}
      >
        {t('status.tryAgain')}
      </Button>
    </StatusPage>
  )
}
