import { createFileRoute } from '@tanstack/react-router'

/**
 * GET /audit-export?format=csv|ndjson&<the viewer's filter>: the audit log as a streamed file. A server route
 * rather than a server function because the body is streamed; it authorizes exactly as `requirePermission('audit:read')`
 * does.
 */
export const Route = createFileRoute('/tenant/audit-export')({
  server: {
    handlers: {
      GET: async ({ request }) => {
        const { handleAuditExport } = await import('~/features/audit/export-route.server')
        return handleAuditExport(request)
      },
    },
  },
})
