import { Trans } from 'react-i18next'
import { useI18n } from '~/lib/i18n/react'
import { useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { useEffect, useState } from 'react'
import { toast } from 'sonner'
import { Button } from '~/components/ui'
import { errorMessage } from '~/lib/errors'
import { stopImpersonation } from './impersonation.functions'

function minutesLeft(expiresAt: string): number {
  return Math.max(0, Math.ceil((new Date(expiresAt).getTime() - Date.now()) / 60_000))
}

/** Shown on every page of the tenant app while a superuser acts as this person. */
export function ImpersonationBanner({
  personName,
  impersonation,
}: {
  personName: string
  impersonation: { impersonatorName: string; reason: string; expiresAt: string }
}) {
  const router = useRouter()
  const { t } = useI18n()
  const stop = useServerFn(stopImpersonation)
  const [left, setLeft] = useState(() => minutesLeft(impersonation.expiresAt))
  const [pending, setPending] = useState(false)

  useEffect(() => {
    const timer = setInterval(() => {
      const next = minutesLeft(impersonation.expiresAt)
      setLeft(next)
      if (next === 0) void router.invalidate()
    }, 15_000)
    return () => clearInterval(timer)
  }, [impersonation.expiresAt, router])

  async function onStop() {
    setPending(true)
    try {
      const { consoleUrl } = await stop()
      toast.success(t('impersonation.ended'))
      window.location.assign(consoleUrl)
    } catch (e) {
      toast.error(errorMessage(e))
      setPending(false)
    }
  }

  return (
    <div
      role="status"
      aria-label={t('impersonation.label')}
      className="mb-4 flex flex-wrap items-center justify-between gap-3 rounded-md bg-amber-100 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200"
    >
      {/* A reason typed without spaces wraps anywhere rather than running out of the banner. */}
      <p className="min-w-0 [overflow-wrap:anywhere]">
        <Trans
          i18nKey="impersonation.banner"
          values={{ person: personName, operator: impersonation.impersonatorName, reason: impersonation.reason, minutes: left }}
          components={{ strong: <strong /> }}
        />
      </p>
      <Button variant="secondary" onClick={onStop} pending={pending}>
        {t('impersonation.stop')}

      </Button>
    </div>
  )
}
