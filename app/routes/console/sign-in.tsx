import { createFileRoute, redirect } from '@tanstack/react-router'
import { z } from 'zod'
import { CenteredPage } from '~/components/ui'
import { safeRedirect } from '~/features/auth/sign-in-form'
import { ConsoleSignIn } from '~/features/console/console-sign-in'
import { useI18n } from '~/lib/i18n/react'
import { pageTitle } from '~/lib/i18n/title'

export const Route = createFileRoute('/console/sign-in')({
  validateSearch: z.object({ redirect: z.string().optional() }),
  beforeLoad: ({ context, search }) => {
    if (context.consoleSession?.user) throw redirect({ href: safeRedirect(search.redirect) })
  },
  head: ({ match }) => pageTitle(match.context, 'console.signIn.title'),
  component: () => {
    const search = Route.useSearch()
    const { t } = useI18n()
    return (
      <CenteredPage title={t('console.signIn.heading')} subtitle={t('console.signIn.subtitle')}>
        <ConsoleSignIn redirectTo={safeRedirect(search.redirect)} />
      </CenteredPage>
    )
  },
})
