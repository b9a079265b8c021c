import { sql } from 'drizzle-orm'
import { rowsOf, type Tx } from '~/server/db/client.server'
import { withConsole, withTenant } from '~/server/db/scope.server'

/**
 * The tenants list's figures, kept in `tenant_figures` (decision 022) so that the list sorts and pages by any of them
 * on an index. The server's scheduled jobs count them again every minute for the tenants whose audit log moved since
 * (every change a tenant makes writes an audit row, sign-ins included), and at least every FIGURES_MAX_AGE_MINUTES
 * for all of them (the 30-day windows move without any activity).
 */
export const FIGURES_MAX_AGE_MINUTES = 60
/**
 * An event stamped up to this long before a refresh may still have been uncommitted when the refresh counted (a
 * transaction's rows carry its start time): such a tenant is counted again.
 */
const LATE_COMMIT_MINUTES = 5
const REFRESH_BATCH = 200

export type Figures = { people: number; active30: number; categories: number; events30: number; lastActivity: string; countedAt: string }

/**
 * One tenant's figures, each on an index that leads with the tenant; null for a tenant that does not exist. In that
 * tenant's own scope the policies check the context once per statement (haven_tenant_id() becomes a one-time filter
 * beside `tenant_id = $1`); under the console's policy haven_is_console() is checked on every row counted, 45 times
 * slower at 100,000 people (bench/tenant-figures.ts).
 */
export async function countFigures(tx: Tx, tenantId: string): Promise<Figures | null> {
  const [row] = rowsOf<Figures>(
    await tx.execute(sql`
      select (select count(*) from users u where u.tenant_id = ${tenantId} and not u.is_deleted)::int as people,
        (select count(*) from users u where u.tenant_id = ${tenantId} and not u.is_deleted
           and u.last_sign_in_at > now() - interval '30 days')::int as active30,
        (select count(*) from categories c where c.tenant_id = ${tenantId} and not c.is_deleted)::int as categories,
        (select count(*) from audit_log a where a.tenant_id = ${tenantId} and a.created_at > now() - interval '30 days')::int as events30,
        coalesce((select max(a.created_at) from audit_log a where a.tenant_id = ${tenantId}), t.created_at)::text as "lastActivity",
        now()::text as "countedAt"
      from tenants t where t.id = ${tenantId}`),
  )
  return row ?? null
}

/** Stores a tenant's figures as counted (console scope); nothing for a tenant removed since. */
export async function storeFigures(tx: Tx, tenantId: string, figures: Figures) {
  await tx.execute(sql`
    insert into tenant_figures (tenant_id, people, active_30d, categories, events_30d, last_activity, refreshed_at)
    select t.id, ${figures.people}, ${figures.active30}, ${figures.categories}, ${figures.events30},
      ${figures.lastActivity}::timestamptz, ${figures.countedAt}::timestamptz
    from tenants t where t.id = ${tenantId}
    on conflict (tenant_id) do update set people = excluded.people, active_30d = excluded.active_30d,
      categories = excluded.categories, events_30d = excluded.events_30d, last_activity = excluded.last_activity,
      refreshed_at = excluded.refreshed_at`)
}

export type DueOptions = { limit?: number; lateCommitMinutes?: number }

/**
 * The tenants to count again, at most `limit`: those without figures, then those whose audit log moved since their
 * last count, then those counted longest ago beyond the maximum age.
 */
export async function dueTenants(tx: Tx, { limit = REFRESH_BATCH, lateCommitMinutes = LATE_COMMIT_MINUTES }: DueOptions = {}): Promise<string[]> {
  const all = rowsOf<{ id: string }>(await tx.execute(sql`select t.id from tenants t`)).map((r) => r.id)
  const counted = rowsOf<{ tenantId: string; changed: boolean; stale: boolean }>(
    await tx.execute(sql`/* cross-tenant: console.figures-due */
      select f.tenant_id as "tenantId", f.refreshed_at < now() - make_interval(mins => ${FIGURES_MAX_AGE_MINUTES}) as stale,
        exists (select 1 from audit_log a where a.tenant_id = f.tenant_id
                  and a.created_at > f.refreshed_at - make_interval(mins => ${lateCommitMinutes})) as changed
      from tenant_figures f
      order by f.refreshed_at, f.tenant_id`),
  )
  const known = new Set(counted.map((f) => f.tenantId))
  const due = [
    ...all.filter((id) => !known.has(id)),
    ...counted.filter((f) => f.changed).map((f) => f.tenantId),
    ...counted.filter((f) => f.stale && !f.changed).map((f) => f.tenantId),
  ]
  return due.slice(0, limit)
}

/**
 * The scheduled refresh (audit jobs, every minute): finds the due tenants as the console, counts each in its own
 * tenant scope (see countFigures) and stores the counts as the console, which alone writes `tenant_figures`. Two
 * servers may both count a tenant in the same minute: each stores a true count (the runtime roles may not take
 * advisory locks). Returns how many it counted.
 */
export async function refreshDueFigures(options: DueOptions = {}): Promise<number> {
  const context = { requestId: 'tenant-figures' }
  const due = await withConsole(context, (tx) => dueTenants(tx, options))
  const counted: { tenantId: string; figures: Figures }[] = []
  for (const tenantId of due) {
    const figures = await withTenant({ ...context, tenantId }, (tx) => countFigures(tx, tenantId))
    if (figures) counted.push({ tenantId, figures })
  }
  if (counted.length > 0) {
    await withConsole(context, async (tx) => {
      for (const { tenantId, figures } of counted) await storeFigures(tx, tenantId, figures)
    })
  }
  return counted.length
}
