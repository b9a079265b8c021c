import { createFileRoute } from '@tanstack/react-router'
import { ForgotPassword } from '~/features/auth/forgot-password-page'
import { pageTitle } from '~/lib/i18n/title'

export const Route = createFileRoute('/tenant/forgot-password')({
  head: ({ match }) => pageTitle(match.context, 'auth.resetTitle'),
  component: ForgotPassword,
})
