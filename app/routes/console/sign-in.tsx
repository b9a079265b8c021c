import { createFileRoute, redirect } from '@tanstack/react-router'
import { z } from 'zod'
import { CenteredPage } from '~/components/ui'
import { safeRedirect } from '~/features/auth/sign-in-form'
import { ConsoleSignIn } from '~/features/console/console-sign-in'

export const Route = createFileRoute('/console/sign-in')({
  validateSearch: z.object({ redirect: z.string().optional() }),
  beforeLoad: ({ context, search }) => {
    if (context.consoleSession?.user) throw redirect({ href: safeRedirect(search.redirect) })
  },
  head: () => ({ meta: [{ title: 'Console sign in — Haven' }] }),
  component: () => {
    const search = Route.useSearch()
    return (
      <CenteredPage title="Sign in to the Haven console" subtitle="For Haven operators only. Every action here is audited.">
        <ConsoleSignIn redirectTo={safeRedirect(search.redirect)} />
      </CenteredPage>
    )
  },
})
