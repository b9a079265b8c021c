import { dataTitle, pageTitle } from '~/lib/i18n/title'
import { createFileRoute, notFound } from '@tanstack/react-router'
import { z } from 'zod'
import { getTeam, listTeamMembers } from '~/features/teams/teams.functions'
import { guardPage, orNotFound } from '~/lib/guards'
import { MEMBERS_PER_PAGE, TeamLoading, TeamPage } from '~/features/teams/team-page'

export const Route = createFileRoute('/tenant/_app/admin/teams/$teamId')({
  validateSearch: z.object({ q: z.string().optional(), page: z.number().int().min(1).optional() }),
  beforeLoad: ({ context }) => guardPage(context.permissions, ['teams:read']),
  loaderDeps: ({ search }) => search,
  loader: async ({ params, deps }) => {
    if (!z.uuid().safeParse(params.teamId).success) throw notFound()
    const [team, members] = await orNotFound(Promise.all([
      getTeam({ data: { id: params.teamId } }),
      listTeamMembers({ data: { teamId: params.teamId, q: deps.q || undefined, page: deps.page ?? 1, pageSize: MEMBERS_PER_PAGE } }),
    ]))
    return { team, members }
  },
  pendingComponent: TeamLoading,
  head: ({ loaderData, match }) => {
    const name = loaderData?.team.name
    return name ? dataTitle(match.context, name) : pageTitle(match.context, 'teamPage.titleFallback')
  },
  component: TeamPage,
})
