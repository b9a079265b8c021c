import { pageTitle } from '~/lib/i18n/title'
import { createFileRoute } from '@tanstack/react-router'
import { listOrganizations, listTeams } from '~/features/teams/teams.functions'
import { HttpError } from '~/lib/errors'
import { guardPage } from '~/lib/guards'
import { ORGANIZATIONS_PER_PAGE, searchSchema, TEAMS_PER_PAGE, TeamsLoading, TeamsPage } from '~/features/teams/teams-page'

export const Route = createFileRoute('/tenant/_app/admin/teams/')({
  validateSearch: searchSchema,
  beforeLoad: ({ context }) => guardPage(context.permissions, ['teams:read']),
  loaderDeps: ({ search }) => search,
  loader: async ({ deps }) => {
    const organizations = await listOrganizations({ data: { q: deps.q || undefined, page: deps.page ?? 1, pageSize: ORGANIZATIONS_PER_PAGE } })
    const selectedId = deps.org ?? organizations.items[0]?.id
    if (!selectedId) return { organizations, teams: null, missing: false }
    try {
      const teams = await listTeams({ data: { organizationId: selectedId, page: deps.teamPage ?? 1, pageSize: TEAMS_PER_PAGE } })
      return { organizations, teams, missing: false }
    } catch (error) {
      // A link to an organization that was deleted meanwhile (or never existed) still shows the list.
      if (error instanceof HttpError && (error.status === 404 || error.status === 400)) return { organizations, teams: null, missing: true }
      throw error
    }
  },
  pendingComponent: TeamsLoading,
  head: ({ match }) => pageTitle(match.context, 'nav.teams'),
  component: TeamsPage,
})
