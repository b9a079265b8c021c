import { createFileRoute, redirect } from '@tanstack/react-router'
import { z } from 'zod'
import { CenteredPage } from '../../components/ui'
import { SignInForm, safeRedirect } from '../../features/auth/sign-in-form'

export const Route = createFileRoute('/tenant/sign-in')({
  validateSearch: z.object({ redirect: z.string().optional() }),
  beforeLoad: ({ context, search }) => {
    if (context.session?.user) throw redirect({ href: safeRedirect(search.redirect) })
  },
  head: () => ({ meta: [{ title: 'Sign in — Haven' }] }),
  component: SignInPage,
})

function SignInPage() {
  const { realm } = Route.useRouteContext()
  const search = Route.useSearch()
  const name = realm.kind === 'tenant' ? realm.name : 'your workspace'
  return (
    <CenteredPage title={`Sign in to ${name}`} subtitle="Use the account you have in this workspace.">
      <SignInForm redirectTo={safeRedirect(search.redirect)} showForgot />
    </CenteredPage>
  )
}
