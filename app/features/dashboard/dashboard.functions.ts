import { createServerFn } from '@tanstack/react-start'
import { requireUser } from '~/server/middleware'
import { dashboardFor } from './dashboard.server'

/** Any signed-in person: what it returns depends on their permissions (dashboard.server.ts). */
export const getDashboard = createServerFn({ method: 'GET' })
  .middleware([requireUser])
  .handler(({ context }) => dashboardFor(context.tx, context.tenantId, context.permissions))
