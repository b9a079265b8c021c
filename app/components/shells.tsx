import type { ReactNode } from 'react'
import type { getConsoleSession, getTenantSession } from '../features/auth/auth.functions'
import { ImpersonationBanner } from '../features/console/impersonation-banner'
import { useI18n } from '../lib/i18n/react'
import { CONSOLE_NAV, TENANT_NAV } from '../lib/navigation'
import { AppShell } from './app-shell'

type TenantSession = Awaited<ReturnType<typeof getTenantSession>>
type ConsoleUser = NonNullable<Awaited<ReturnType<typeof getConsoleSession>>['user']>

/** The signed-in tenant app around a page, and around its not-found and forbidden pages too. */
export function TenantShell({ session, user, children }: { session: TenantSession; user: NonNullable<TenantSession['user']>; children: ReactNode }) {
  return (
    <AppShell
      brand={session.tenant.name}
      nav={TENANT_NAV}
      permissions={session.permissions}
      user={user}
      profileTo="/tenant/profile"
      signInTo="/sign-in"
      defaultTheme={session.tenant.defaults.theme}
    >
      {session.impersonation && <ImpersonationBanner personName={user.fullName} impersonation={session.impersonation} />}
      {children}
    </AppShell>
  )
}

export function ConsoleShell({ user, children }: { user: ConsoleUser; children: ReactNode }) {
  const { t } = useI18n()
  return (
    <AppShell brand={t('shell.consoleBrand')} nav={CONSOLE_NAV} permissions={[]} user={user} signInTo="/sign-in">
      {children}
    </AppShell>
  )
}
