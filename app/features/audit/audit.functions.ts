import { createServerFn } from '@tanstack/react-start'
import { input } from '~/lib/validate'
import { requirePermission } from '~/server/middleware'
import { auditEventSchema, listAuditSchema } from './audit.schemas'
import * as store from './audit.server'
import { verifyChain } from './chain.server'

export const listAudit = createServerFn({ method: 'GET' })
  .middleware([requirePermission('audit:read')])
  .validator(input(listAuditSchema))
  .handler(({ data, context }) => store.listAuditEvents(context.tx, context.tenantId, data))

export const getAuditEvent = createServerFn({ method: 'GET' })
  .middleware([requirePermission('audit:read')])
  .validator(input(auditEventSchema))
  .handler(({ data, context }) => store.getAuditEvent(context.tx, context.tenantId, data.id))

/** The people to filter by, and the workspace's retention setting (shown next to the log). */
export const getAuditOptions = createServerFn({ method: 'GET' })
  .middleware([requirePermission('audit:read')])
  .handler(({ context }) => store.auditOptions(context.tx, context.tenantId))

export const verifyAuditChain = createServerFn({ method: 'GET' })
  .middleware([requirePermission('audit:read')])
  .handler(({ context }) => verifyChain(context.tx, context.tenantId))
