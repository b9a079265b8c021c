/**
 * Streamed export of exactly the viewer's filter, as CSV (csv-stringify) or NDJSON. Each batch is one keyset page
 * read in its own short tenant transaction when the reader asks for more (ReadableStream pull), so memory stays
 * constant however large the export and no connection is held while a slow client downloads. Events written
 * during the export are newer than its cursor and are not included: the file is the view as it was when the
 * export began.
 */
import { toCsv } from '~/server/csv.server'
import { sql } from 'drizzle-orm'
import { type AuditContext, withTenant } from '~/server/db/scope.server'
import type { Tx } from '~/server/db/client.server'
import { rowsOf } from '~/server/db/client.server'
import type { AuditFilter, ExportFormat } from './audit.schemas'
import { type AuditRow, auditWhere, findAuditRows, present, resolveNames } from './audit.server'
import { auditLog } from '~/server/db/schema'
import { i18nFor, type Locale, translateRef } from '~/lib/i18n'

export const CSV_COLUMNS = [
  'event_id',
  'time',
  'actor',
  'actor_email',
  'impersonator',
  'action',
  'entity_type',
  'record_id',
  'record_name',
  'description',
  'changes',
  'ip_address',
  'user_agent',
  'request_id',
  'chain_seq',
  'chain_hash',
] as const

const BATCH = 1000

/** How many events the filter matches (for the progress bar). */
export async function countAuditEvents(tx: Tx, tenantId: string, filter: AuditFilter): Promise<number> {
  const [row] = rowsOf<{ n: string }>(await tx.execute(sql`select count(*)::text as n from ${auditLog} where ${auditWhere(tenantId, filter)}`))
  return Number(row?.n ?? 0)
}

/**
 * What an export's events say: `started` before the first byte, then one outcome from what the server can know —
 * `sent` (every row was handed to the connection) or `cancelled` (the client closed the stream before the end).
 * Whether the browser then kept the file is the browser's to say; the viewer tells the person so. Exports recorded
 * before the outcome was split say `finished`, which meant what `sent` means.
 */
export type ExportPhase = 'started' | 'sent' | 'cancelled'

/** Records the export as an event of its own; `events`: the filter's size when started, the rows sent otherwise. */
export async function recordExport(tx: Tx, format: ExportFormat, filter: AuditFilter, events: number, phase: ExportPhase) {
  await tx.execute(sql`select haven_audit_event('EXPORT', 'audit_log', null, ${JSON.stringify({ format, filter, events, phase })}::jsonb)`)
}

/** A batch of the file in `locale`: the CSV's column headers, and each description (a message reference, 020). */
async function lines(tx: Tx, tenantId: string, rows: AuditRow[], format: ExportFormat, header: boolean, locale: Locale): Promise<string> {
  const i18n = i18nFor(locale)
  const say = (ref: string) => translateRef(i18n, ref)
  const names = await resolveNames(tx, tenantId, rows)
  if (format === 'ndjson') {
    return rows
      .map((r) => {
        const v = present(r, names)
        return `${JSON.stringify({
          id: r.id,
          time: r.createdAt.toISOString(),
          actor: v.actor && { ...v.actor, name: say(v.actor.name) },
          impersonator: v.impersonator && { ...v.impersonator, name: say(v.impersonator.name) },
          action: r.action,
          entityType: r.tableName,
          recordId: r.recordId,
          recordName: v.entityName && say(v.entityName),
          description: say(v.summary),
          oldValues: r.oldValues,
          newValues: r.newValues,
          ipAddress: r.ipAddress,
          userAgent: r.userAgent,
          requestId: r.requestId,
          chainSeq: r.chainSeq,
          chainHash: r.chainHash,
        })}\n`
      })
      .join('')
  }
  const records = rows.map((r) => {
    const v = present(r, names)
    return [
      r.id,
      r.createdAt.toISOString(),
      v.actor ? say(v.actor.name) : '',
      v.actor?.email ?? '',
      v.impersonator ? say(v.impersonator.name) : '',
      r.action,
      r.tableName,
      r.recordId ?? '',
      v.entityName ? say(v.entityName) : '',
      say(v.summary),
      v.changes.length ? JSON.stringify(Object.fromEntries(v.changes.map((c) => [c.path, { from: c.from ?? null, to: c.to ?? null }]))) : '',
      r.ipAddress ?? '',
      r.userAgent ?? '',
      r.requestId ?? '',
      r.chainSeq ?? '',
      r.chainHash ?? '',
    ]
  })
  return toCsv(records, header ? CSV_COLUMNS.map((c) => i18n.t(`csv.audit.${c}`)) : undefined)
}

/**
 * The export as a byte stream; each pull reads the next batch in a fresh tenant transaction. With `record`, its
 * outcome is recorded once: `sent` with the row count when the reader has taken the last batch, `cancelled` with
 * the rows it had taken when it cancels first (a client that goes away mid-download).
 */
export function auditExportStream(
  ctx: AuditContext & { tenantId: string },
  filter: AuditFilter,
  format: ExportFormat,
  { record = false, locale = 'en' as Locale, before, batch = BATCH }: { record?: boolean; locale?: Locale; before?: string; batch?: number } = {},
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  // `before`: only events older than this moment (the export's own start, so its "started" event is not in the file).
  let cursor: { at: string; id: string } | undefined = before ? { at: before, id: '00000000-0000-0000-0000-000000000000' } : undefined
  let first = true
  let cancelled = false
  let ending = false
  // Rows of the batches the reader has taken, and of the one waiting in the queue for it.
  let sent = 0
  let queued = 0
  let outcome: 'sent' | 'cancelled' | undefined
  const settle = async (phase: 'sent' | 'cancelled') => {
    if (outcome) return
    outcome = phase
    if (record) await withTenant(ctx, (tx) => recordExport(tx, format, filter, sent, phase))
  }
  const finish = async (controller: ReadableStreamDefaultController<Uint8Array>) => {
    await settle('sent')
    if (!cancelled) controller.close()
  }
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (cancelled) return
        // The queue holds one batch, so a pull comes only once the reader took the one waiting there: it was sent.
        sent += queued
        queued = 0
        if (ending) return finish(controller)
        const chunk = await withTenant(ctx, async (tx) => {
          const rows = await findAuditRows(tx, ctx.tenantId, filter, batch, cursor)
          const last = rows.at(-1)
          cursor = last ? { at: last.at, id: last.id } : cursor
          const text = rows.length > 0 || (first && format === 'csv') ? await lines(tx, ctx.tenantId, rows, format, first, locale) : ''
          return { text, rows: rows.length }
        })
        first = false
        ending = chunk.rows < batch
        if (cancelled) return
        if (chunk.text) {
          controller.enqueue(encoder.encode(chunk.text))
          // A reader already waiting takes the batch at once (the queue stays empty); else it waits in the queue.
          if ((controller.desiredSize ?? 0) > 0) sent += chunk.rows
          else queued = chunk.rows
        } else if (ending) await finish(controller)
      },
      async cancel() {
        cancelled = true
        await settle('cancelled')
      },
    },
    { highWaterMark: 1 },
  )
}
