import { createFileRoute } from '@tanstack/react-router'
import { Profile } from '../../../features/profile/profile-page'

export const Route = createFileRoute('/tenant/_app/profile')({
  head: () => ({ meta: [{ title: 'Profile — Haven' }] }),
  component: Profile,
})
