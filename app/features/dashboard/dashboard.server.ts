import { and, count, eq, type SQL, sql } from 'drizzle-orm'
import type { PgTable } from 'drizzle-orm/pg-core'
import type { Permission } from '~/lib/permissions'
import type { Tx } from '~/server/db/client.server'
import { categories, invitations, teams, users } from '~/server/db/schema'
import { findAuditRows, present, resolveNames } from '../audit/audit.server'
import { listPendingInvitations } from '../users/invitations.server'

/** Counts stop here: past it the dashboard says "10,000+", and a count never reads more rows than this. */
export const COUNT_CAP = 10_000
const RECENT_EVENTS = 6
const PENDING_SHOWN = 5

/** A count of at most COUNT_CAP + 1 rows: an indexed, tenant-named scan that stops early in a big workspace. */
export async function cappedCount(tx: Tx, table: PgTable, where: SQL | undefined, cap = COUNT_CAP): Promise<{ n: number; capped: boolean }> {
  const inner = tx.select({ one: sql`1` }).from(table).where(where).limit(cap + 1).as('capped')
  const [row] = await tx.select({ n: count() }).from(inner)
  const n = Number(row?.n ?? 0)
  return { n: Math.min(n, cap), capped: n > cap }
}

/**
 * The workspace at a glance, for what the caller may see: each part is present only with the permission its own
 * page needs (people with users:read, teams with teams:read, categories with categories:read, pending invitations
 * with users:write, recent activity with audit:read).
 */
export async function dashboardFor(tx: Tx, tenantId: string, permissions: readonly Permission[]) {
  const may = (p: Permission) => permissions.includes(p)
  const people = may('users:read') ? await cappedCount(tx, users, and(eq(users.tenantId, tenantId), eq(users.isDeleted, false))) : null
  const teamCount = may('teams:read') ? await cappedCount(tx, teams, and(eq(teams.tenantId, tenantId), eq(teams.isDeleted, false))) : null
  const categoryCount = may('categories:read')
    ? await cappedCount(tx, categories, and(eq(categories.tenantId, tenantId), eq(categories.isDeleted, false)))
    : null
  let pending: { total: { n: number; capped: boolean }; newest: Awaited<ReturnType<typeof listPendingInvitations>> } | null = null
  if (may('users:write')) {
    const total = await cappedCount(tx, invitations, and(eq(invitations.tenantId, tenantId), eq(invitations.status, 'pending')))
    pending = { total, newest: await listPendingInvitations(tx, tenantId, { limit: PENDING_SHOWN }) }
  }
  let activity: ReturnType<typeof present>[] | null = null
  if (may('audit:read')) {
    const rows = await findAuditRows(tx, tenantId, {}, RECENT_EVENTS)
    const names = await resolveNames(tx, tenantId, rows)
    activity = rows.map((r) => present(r, names))
  }
  return { people, teams: teamCount, categories: categoryCount, pending, activity }
}
