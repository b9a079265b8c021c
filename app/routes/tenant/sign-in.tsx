import { createFileRoute, redirect } from '@tanstack/react-router'
import { z } from 'zod'
import { CenteredPage } from '~/components/ui'
import { SignInForm, safeRedirect } from '~/features/auth/sign-in-form'
import { useI18n } from '~/lib/i18n/react'
import { pageTitle } from '~/lib/i18n/title'

export const Route = createFileRoute('/tenant/sign-in')({
  validateSearch: z.object({ redirect: z.string().optional() }),
  beforeLoad: ({ context, search }) => {
    if (context.session?.user) throw redirect({ href: safeRedirect(search.redirect) })
  },
  head: ({ match }) => pageTitle(match.context, 'auth.signInTitle'),
  component: SignInPage,
})

function SignInPage() {
  const { realm } = Route.useRouteContext()
  const search = Route.useSearch()
  const { t } = useI18n()
  const name = realm.kind === 'tenant' ? realm.name : t('auth.yourWorkspace')
  return (
    <CenteredPage title={t('auth.signInTo', { name })} subtitle={t('auth.signInSubtitle')}>
      <SignInForm redirectTo={safeRedirect(search.redirect)} showForgot />
    </CenteredPage>
  )
}
