import { HttpError } from '~/lib/errors'
import { withTenant } from '~/server/db/scope.server'
import { describeRequest, loadSession, requestLocale } from '~/server/session.server'
import { auditFilterSchema, EXPORT_FORMATS } from './audit.schemas'
import { auditExportStream, countAuditEvents, recordExport } from './export.server'
import { z } from 'zod'
import { input } from '~/lib/validate'

const exportQuery = auditFilterSchema.extend({
  format: z.enum(EXPORT_FORMATS),
  impersonated: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  related: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
})

const problem = (e: HttpError) => Response.json({ code: e.code, message: e.message, fieldErrors: e.fieldErrors }, { status: e.status })

/**
 * The export endpoint: the Host's tenant, the session read in its scope, `audit:read`, then the export recorded
 * as started (committed before the first byte), the file streamed batch by batch, and the export recorded as
 * finished when the last batch was read.
 */
export async function handleAuditExport(request: Request): Promise<Response> {
  try {
    const { realm, audit } = await describeRequest()
    if (realm.kind !== 'tenant') throw new HttpError(404, 'not_found', 'This workspace was not found.')
    const { tenantId } = realm
    const query = input(exportQuery)(Object.fromEntries(new URL(request.url).searchParams) as never)
    const { format, ...filter } = query
    const started = await withTenant({ ...audit, tenantId }, async (tx) => {
      const caller = await loadSession(tx, tenantId)
      if (!caller) throw new HttpError(401, 'unauthorized', 'Please sign in to continue.')
      if (!caller.permissions.includes('audit:read')) throw new HttpError(403, 'forbidden', 'You do not have permission to do that.')
      const total = await countAuditEvents(tx, tenantId, filter)
      await recordExport(tx, format, filter, total, 'started')
      return { total, userId: caller.user.id, impersonatorId: caller.impersonatorId, locale: await requestLocale(tx, tenantId, caller) }
    })
    const stream = auditExportStream({ ...audit, tenantId, userId: started.userId, impersonatorId: started.impersonatorId }, filter, format, {
      record: true,
      locale: started.locale,
    })
    const day = new Date().toISOString().slice(0, 10)
    return new Response(stream, {
      headers: {
        'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
        'content-disposition': `attachment; filename="audit-log-${day}.${format}"`,
        'x-total-count': String(started.total),
        'cache-control': 'no-store',
      },
    })
  } catch (error) {
    if (error instanceof HttpError) return problem(error)
    throw error
  }
}
