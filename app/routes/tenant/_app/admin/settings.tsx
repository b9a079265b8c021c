import { pageTitle } from '~/lib/i18n/title'
import { createFileRoute } from '@tanstack/react-router'
import { getSettings } from '~/features/settings/settings.functions'
import { guardPage } from '~/lib/guards'
import { SettingsLoading, SettingsPage } from '~/features/settings/settings-page'

export const Route = createFileRoute('/tenant/_app/admin/settings')({
  beforeLoad: ({ context }) => guardPage(context.permissions, ['tenant:manage']),
  loader: () => getSettings(),
  pendingComponent: SettingsLoading,
  head: ({ match }) => pageTitle(match.context, 'nav.settings'),
  component: SettingsPage,
})
