import { sql } from 'drizzle-orm'
import { rowsOf } from '~/server/db/client.server'
import { serveDownload } from '~/server/download.server'
import { auditFilterFields, EXPORT_FORMATS, inDayOrder } from './audit.schemas'
import { auditExportStream, countAuditEvents, recordExport } from './export.server'
import { z } from 'zod'

const exportQuery = inDayOrder(
  auditFilterFields.extend({
    format: z.enum(EXPORT_FORMATS),
    impersonated: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional(),
    related: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional(),
  }),
)

/**
 * The export endpoint: checked like `requirePermission('audit:read')` (serveDownload), then the export recorded as
 * started (committed before the first byte), the file streamed batch by batch, and its outcome recorded: sent when
 * the last batch was handed to the connection, cancelled (with the rows sent) when the client went away before.
 */
export function handleAuditExport(request: Request): Promise<Response> {
  return serveDownload(request, {
    permission: 'audit:read',
    query: exportQuery,
    begin: async (tx, tenantId, { format, ...filter }) => {
      const total = await countAuditEvents(tx, tenantId, filter)
      // The file holds the events counted here: those before this transaction, not the "started" event it records.
      const [start] = rowsOf<{ now: string }>(await tx.execute(sql`select now()::text as now`))
      await recordExport(tx, format, filter, total, 'started')
      return { total, before: start?.now }
    },
    respond: (ctx, { format, ...filter }, { total, before }, locale) => {
      const day = new Date().toISOString().slice(0, 10)
      return new Response(auditExportStream(ctx, filter, format, { record: true, locale, before }), {
        headers: {
          'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
          'content-disposition': `attachment; filename="audit-log-${day}.${format}"`,
          'x-total-count': String(total),
          'cache-control': 'no-store',
        },
      })
    },
  })
}
