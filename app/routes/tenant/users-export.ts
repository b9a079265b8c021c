import { createFileRoute } from '@tanstack/react-router'

/**
 * GET /users-export?<the Users page's filter>: the filtered people as a streamed CSV file. A server route rather
 * than a server function because the body is streamed; it authorizes exactly as `requirePermission('users:read')`.
 */
export const Route = createFileRoute('/tenant/users-export')({
  server: {
    handlers: {
      GET: async ({ request }) => {
        const { handleUserExport } = await import('~/features/users/export.server')
        return handleUserExport(request)
      },
    },
  },
})
