import { pageTitle } from '~/lib/i18n/title'
import { createFileRoute } from '@tanstack/react-router'
import { z } from 'zod'
import { listTrash } from '~/features/trash/trash.functions'
import { TRASH_TYPES } from '~/features/trash/trash.schemas'
import { guardPage } from '~/lib/guards'
import { TrashPage } from '~/features/trash/trash-page'

export const Route = createFileRoute('/tenant/_app/admin/trash')({
  validateSearch: z.object({ type: z.enum(TRASH_TYPES).optional(), cursor: z.string().optional() }),
  beforeLoad: ({ context }) => guardPage(context.permissions, ['users:write', 'teams:write', 'roles:manage', 'categories:write']),
  loaderDeps: ({ search }) => search,
  loader: ({ deps }) => listTrash({ data: { type: deps.type, cursor: deps.cursor, pageSize: 25 } }),
  head: ({ match }) => pageTitle(match.context, 'nav.trash'),
  component: TrashPage,
})
