import { createFileRoute, useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { useEffect, useRef, useState } from 'react'
import { Alert, CenteredPage, Skeleton } from '~/components/ui'
import { redeemImpersonation } from '~/features/console/impersonation.functions'
import { errorMessage } from '~/lib/errors'
import { useI18n } from '~/lib/i18n/react'
import { pageTitle } from '~/lib/i18n/title'

/**
 * The landing of an impersonation handoff from the console. The single-use token travels in the fragment, so it
 * reaches neither server logs nor a Referer; this page posts it and the server sets this host's session cookie.
 */
export const Route = createFileRoute('/tenant/impersonate')({
  head: ({ match }) => pageTitle(match.context, 'auth.impersonationStarting'),
  component: Impersonate,
})

function Impersonate() {
  const router = useRouter()
  const { t } = useI18n()
  const redeem = useServerFn(redeemImpersonation)
  const [error, setError] = useState<string>()
  const started = useRef(false)

  useEffect(() => {
    if (started.current) return
    started.current = true
    const token = window.location.hash.slice(1)
    history.replaceState(null, '', window.location.pathname)
    redeem({ data: { token } })
      .then(async () => {
        await router.invalidate()
        await router.navigate({ to: '/tenant', replace: true })
      })
      .catch((e: unknown) => setError(errorMessage(e)))
  }, [redeem, router])

  return (
    <CenteredPage title={t('auth.impersonationTitle')}>
      {error ? <Alert>{error}</Alert> : <Skeleton className="h-10 w-full" />}
    </CenteredPage>
  )
}
