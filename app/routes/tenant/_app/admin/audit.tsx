import { pageTitle } from '~/lib/i18n/title'
import { createFileRoute } from '@tanstack/react-router'
import { getAuditOptions, listAudit } from '~/features/audit/audit.functions'
import { auditSearchSchema } from '~/features/audit/audit.schemas'
import { guardPage } from '~/lib/guards'
import { AuditLoading, AuditPage, filterOf } from '~/features/audit/audit-page'

export const Route = createFileRoute('/tenant/_app/admin/audit')({
  validateSearch: auditSearchSchema,
  beforeLoad: ({ context }) => guardPage(context.permissions, ['audit:read']),
  loaderDeps: ({ search }) => ({ ...search, event: undefined }),
  loader: async ({ deps }) => {
    const [page, options] = await Promise.all([listAudit({ data: { ...filterOf(deps), cursor: deps.cursor, pageSize: 50 } }), getAuditOptions()])
    return { page, options }
  },
  pendingComponent: AuditLoading,
  head: ({ match }) => pageTitle(match.context, 'nav.audit'),
  component: AuditPage,
})
