import { createFileRoute } from '@tanstack/react-router'
import { Profile } from '~/features/profile/profile-page'
import { pageTitle } from '~/lib/i18n/title'

export const Route = createFileRoute('/tenant/_app/profile')({
  head: ({ match }) => pageTitle(match.context, 'profile.title'),
  component: Profile,
})
