import { getRouteApi } from '@tanstack/react-router'
import { Alert } from '~/components/ui'
import { useI18n } from '~/lib/i18n/react'

const TenantHost = getRouteApi('/tenant')

/**
 * Whether a superuser is acting as the signed-in person. Nothing that would outlive the impersonation can be done
 * then — invitations and their links, passwords, email addresses, reset links — and the server refuses it (403
 * `impersonating`, refuseWhileImpersonating). Every control for such an action asks this one hook and is left out
 * (or locked) while it is true, with <LastingAccessNote> saying why, so nobody is offered what will be refused.
 */
export function useImpersonating(): boolean {
  return TenantHost.useRouteContext().session?.impersonating === true
}

/** Why the controls are missing: the same words the server's refusal uses. */
export function LastingAccessNote() {
  const { t } = useI18n()
  return <Alert tone="info">{t('console.errors.lastingAccess')}</Alert>
}
