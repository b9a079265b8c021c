import { createFileRoute } from '@tanstack/react-router'
import { z } from 'zod'
import { getResetLinkStatus } from '~/features/auth/auth.functions'
import { ResetPassword } from '~/features/auth/reset-password-page'
import { pageTitle } from '~/lib/i18n/title'

export const Route = createFileRoute('/tenant/reset-password')({
  validateSearch: z.object({ token: z.string().optional() }),
  loaderDeps: ({ search }) => ({ token: search.token }),
  loader: async ({ deps }) => {
    if (!deps.token) return { usable: false }
    try {
      return await getResetLinkStatus({ data: { token: deps.token } })
    } catch (e) {
      // A mangled token (cut off when the link was copied) is refused as bad input: it is a link that does not work.
      if ((e as { status?: number }).status === 400) return { usable: false }
      throw e
    }
  },
  head: ({ match, loaderData }) =>
    pageTitle(match.context, loaderData?.usable ? 'auth.newPasswordTitle' : match.search.token ? 'auth.resetUsedTitle' : 'auth.resetMissingTitle'),
  component: ResetPassword,
})
