import { createFileRoute } from '@tanstack/react-router'
import { AcceptInvitation } from '~/features/auth/accept-invitation-page'
import { getInvitation } from '~/features/auth/auth.functions'
import { errorRef } from '~/lib/errors'
import { pageTitle } from '~/lib/i18n/title'

export const Route = createFileRoute('/tenant/invite/$token')({
  loader: async ({ params }) => {
    try {
      return { invitation: await getInvitation({ data: { token: params.token } }), error: null }
    } catch (e) {
      return { invitation: null, error: errorRef(e) }
    }
  },
  head: ({ match, loaderData }) => pageTitle(match.context, loaderData?.invitation ? 'auth.inviteTitle' : 'auth.inviteUnusable'),
  component: AcceptInvitation,
})
