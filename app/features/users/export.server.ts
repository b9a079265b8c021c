/**
 * The Users page's filtered list as CSV (csv-stringify), streamed like the audit export (013): each batch is one
 * keyset page on (full name, id), read in its own short tenant transaction when the reader asks for more, so memory
 * stays constant whatever the size of the workspace and no connection is held while a slow client downloads.
 */
import { toCsv } from '~/server/csv.server'
import { and, asc, count, eq, inArray, sql } from 'drizzle-orm'
import type { z } from 'zod'
import type { Tx } from '~/server/db/client.server'
import { roles, userRoles, users } from '~/server/db/schema'
import { type AuditContext, withTenant } from '~/server/db/scope.server'
import { serveDownload } from '~/server/download.server'
import { listUsersSchema } from './users.schemas'
import { userFilters } from './users.server'
import { type Locale, tFor } from '~/lib/i18n'

export const USER_CSV_COLUMNS = ['name', 'email', 'status', 'roles', 'last_active', 'added', 'id'] as const
export const EXPORT_BATCH = 1000

export const userExportFilter = listUsersSchema.pick({ q: true, roleId: true, teamId: true, status: true, metaKey: true, metaValue: true })
export type UserExportFilter = z.infer<typeof userExportFilter>

const where = (tenantId: string, filter: UserExportFilter) => and(eq(users.tenantId, tenantId), ...userFilters(filter))

/** One batch of the export after `cursor`, as CSV lines (with the header on the first), in `locale`. */
export async function userExportBatch(
  tx: Tx,
  tenantId: string,
  filter: UserExportFilter,
  cursor: { name: string; id: string } | undefined,
  header: boolean,
  size = EXPORT_BATCH,
  locale: Locale = 'en',
) {
  const t = tFor(locale)
  const after = cursor ? sql`(${users.fullName}, ${users.id}) > (${cursor.name}, ${cursor.id}::uuid)` : undefined
  const rows = await tx
    .select({ id: users.id, fullName: users.fullName, email: users.email, isActive: users.isActive, lastSignInAt: users.lastSignInAt, createdAt: users.createdAt })
    .from(users)
    .where(after ? and(where(tenantId, filter), after) : where(tenantId, filter))
    .orderBy(asc(users.fullName), asc(users.id))
    .limit(size)
  const roleRows =
    rows.length === 0
      ? []
      : await tx
          .select({ userId: userRoles.userId, name: roles.name })
          .from(userRoles)
          .innerJoin(roles, and(eq(roles.tenantId, tenantId), eq(roles.id, userRoles.roleId), eq(roles.isDeleted, false)))
          .where(and(eq(userRoles.tenantId, tenantId), inArray(userRoles.userId, rows.map((r) => r.id))))
          .orderBy(asc(roles.name))
  const records = rows.map((u) => [
    u.fullName,
    u.email,
    u.isActive ? t('csv.users.active') : t('csv.users.deactivated'),
    roleRows
      .filter((r) => r.userId === u.id)
      .map((r) => r.name)
      .join('; '),
    u.lastSignInAt?.toISOString() ?? '',
    u.createdAt.toISOString(),
    u.id,
  ])
  const text = records.length > 0 || header ? toCsv(records, header ? USER_CSV_COLUMNS.map((c) => t(`csv.users.${c}`)) : undefined) : ''
  const last = rows.at(-1)
  return { text, next: last ? { name: last.fullName, id: last.id } : undefined, done: rows.length < size }
}

export function userExportStream(ctx: AuditContext & { tenantId: string }, filter: UserExportFilter, locale: Locale): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  let cursor: { name: string; id: string } | undefined
  let first = true
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const batch = await withTenant(ctx, (tx) => userExportBatch(tx, ctx.tenantId, filter, cursor, first, EXPORT_BATCH, locale))
        first = false
        cursor = batch.next ?? cursor
        if (batch.text) controller.enqueue(encoder.encode(batch.text))
        if (batch.done) controller.close()
      },
    },
    { highWaterMark: 1 },
  )
}

/** GET /users-export?<the Users page's filter>: checked like requirePermission('users:read') (serveDownload), recorded, streamed. */
export function handleUserExport(request: Request): Promise<Response> {
  return serveDownload(request, {
    permission: 'users:read',
    query: userExportFilter,
    begin: async (tx, tenantId, filter) => {
      const [row] = await tx.select({ n: count() }).from(users).where(where(tenantId, filter))
      const total = Number(row?.n ?? 0)
      await tx.execute(sql`select haven_audit_event('EXPORT', 'users', null, ${JSON.stringify({ format: 'csv', filter, people: total })}::jsonb)`)
      return total
    },
    respond: (ctx, filter, total, locale) => {
      const day = new Date().toISOString().slice(0, 10)
      return new Response(userExportStream(ctx, filter, locale), {
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="people-${day}.csv"`,
          'x-total-count': String(total),
          'cache-control': 'no-store',
        },
      })
    },
  })
}
