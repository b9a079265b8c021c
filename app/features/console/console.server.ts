import { randomBytes } from 'node:crypto'
import { and, eq, type SQL, sql } from 'drizzle-orm'
import { z } from 'zod'
import { CONSOLE_SLUG } from '~/lib/enums'
import { conflict, HttpError, notFound } from '~/lib/errors'
import { msg } from '~/lib/i18n'
import { rowsOf, type Tx } from '~/server/db/client.server'
import { currentScope } from '~/server/db/scope.server'
import { endSessionsMarked } from '~/server/session.server'
import { invitations, tenants } from '~/server/db/schema'
import { text } from '~/lib/text'
import { cursorId, cursorTimestamp, decodeCursor, encodeCursor } from '~/server/cursor.server'
import { hashToken, INVITATION_TTL_DAYS } from '../auth/auth.server'
import { updateTenant } from '../tenants/tenant-changes.server'
import { createTenantWithRoles } from '../tenants/tenants.server'
import { countFigures } from './tenant-figures.server'
import { isUniqueViolation } from '~/server/db/errors.server'
import { type AuditRow, present, resolveNames } from '../audit/audit.server'
import type { Names } from '../audit/describe'
import { DELETE_GRACE_DAYS, type ListTenantsInput, type TenantSort } from './console.schemas'

/** The console's own scope: the tenant in context (app.tenant_id) is the console tenant, named by requireSuperuser. */
export type ConsoleScope = { tx: Tx; consoleTenantId: string }

/**
 * Records a domain event in `tenantId`'s audit log (so that tenant's admins see what the console did). The console
 * writes the outbox row for that tenant directly: its context names the console tenant, and the outbox lets only a
 * verified console context name another tenant (decision 009); actor and request come from the signed context.
 */
export async function auditIn(
  scope: ConsoleScope,
  tenantId: string,
  action: 'CONSOLE_ACCESS' | 'IMPERSONATION_STARTED',
  table: string,
  recordId: string | null,
  details: Record<string, unknown>,
) {
  // The operator's name and email as they are now, from the console tenant's people: the tenant cannot read those,
  // and its audit viewer names the operator from this (resolveNames), as it does from IMPERSONATION_STARTED.
  const operatorId = currentScope().ctx.userId ?? null
  await scope.tx.execute(
    sql`insert into audit_event_outbox (tenant_id, action, table_name, record_id, details)
      values (${tenantId}::uuid, ${action}::audit_action, ${table}, ${recordId}::uuid, ${JSON.stringify(details)}::jsonb || coalesce(
        (select jsonb_build_object('operatorName', u.full_name, 'operatorEmail', u.email) from users u
          where u.tenant_id = ${scope.consoleTenantId} and u.id = ${operatorId}::uuid),
        '{}'::jsonb))`,
  )
}

const micros = (column: string) => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`)

/** A sort value copied from a row (a name, a slug, an email, a time): the text rules apply to it like to any input. */
const cursorValue = text({ max: 300, trim: false })
const tenantCursor = z.strictObject({ v: cursorValue, id: cursorId })
const readCursor = (raw: string | undefined) => decodeCursor(raw, tenantCursor)

export type TenantRow = {
  id: string
  name: string
  slug: string
  isActive: boolean
  isDeleted: boolean
  deletedAt: string | null
  suspendedAt: string | null
  suspensionReason: string | null
  createdAt: string
  people: number
  active30: number
  categories: number
  events30: number
  lastActivity: string
  refreshedAt: string
  sortKey: string
}

/**
 * Each sort: its column and the id that breaks ties beside it (the figures' own, so that their indexes serve the
 * order), and its kind, which says how the cursor's value is checked, written and compared.
 */
type SortKind = 'text' | 'count' | 'time'
const SORTS: Record<TenantSort, { column: string; id: string; kind: SortKind }> = {
  name: { column: 't.name', id: 't.id', kind: 'text' },
  slug: { column: 't.slug', id: 't.id', kind: 'text' },
  created: { column: 't.created_at', id: 't.id', kind: 'time' },
  people: { column: 'f.people', id: 'f.tenant_id', kind: 'count' },
  active30: { column: 'f.active_30d', id: 'f.tenant_id', kind: 'count' },
  categories: { column: 'f.categories', id: 'f.tenant_id', kind: 'count' },
  events30: { column: 'f.events_30d', id: 'f.tenant_id', kind: 'count' },
  lastActivity: { column: 'f.last_activity', id: 'f.tenant_id', kind: 'time' },
}
const SORT_VALUES: Record<SortKind, z.ZodType<string>> = {
  text: cursorValue,
  count: z.string().regex(/^\d{1,10}$/, 'the figure is not a count'),
  time: cursorTimestamp,
}
const SORT_CASTS: Record<SortKind, SQL> = { text: sql.raw('text'), count: sql.raw('integer'), time: sql.raw('timestamptz') }

/**
 * Customer tenants with their figures, as the scheduled job last counted them (`tenant_figures`, decision 022):
 * sorting by a figure is a walk of that figure's index, never a count per row or per request. Pages are a keyset on
 * (sort column, id); `asOf` is when the page's oldest figures were counted.
 */
export async function findTenants(tx: Tx, input: ListTenantsInput) {
  const where = [sql`t.slug <> ${CONSOLE_SLUG}`]
  if (input.q) {
    const pattern = `%${input.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    where.push(sql`(lower(t.name) like ${pattern} or t.slug like ${pattern})`)
  }
  if (input.status === 'active') where.push(sql`t.is_active and not t.is_deleted`)
  if (input.status === 'suspended') where.push(sql`not t.is_active and not t.is_deleted`)
  if (input.status === 'deleted') where.push(sql`t.is_deleted`)
  const filters = sql.join(where, sql` and `)
  const sort = SORTS[input.sort]
  const [key, id, cast] = [sql.raw(sort.column), sql.raw(sort.id), SORT_CASTS[sort.kind]]
  const cursor = decodeCursor(input.cursor, z.strictObject({ v: SORT_VALUES[sort.kind], id: cursorId }))
  const after = cursor
    ? input.dir === 'asc'
      ? sql` and (${key}, ${id}) > (${cursor.v}::${cast}, ${cursor.id}::uuid)`
      : sql` and (${key}, ${id}) < (${cursor.v}::${cast}, ${cursor.id}::uuid)`
    : sql``
  const order = input.dir === 'asc' ? sql`${key} asc, ${id} asc` : sql`${key} desc, ${id} desc`
  const sortKey = sort.kind === 'time' ? micros(sort.column) : sql`${key}::text`
  const rows = rowsOf<TenantRow>(
    await tx.execute(sql`/* cross-tenant: console.tenant-figures */
      select t.id, t.name, t.slug, t.is_active as "isActive", t.is_deleted as "isDeleted",
        t.deleted_at::text as "deletedAt", t.suspended_at::text as "suspendedAt", t.suspension_reason as "suspensionReason",
        t.created_at::text as "createdAt", f.people, f.active_30d as active30, f.categories, f.events_30d as events30,
        f.last_activity::text as "lastActivity", f.refreshed_at::text as "refreshedAt", ${sortKey} as "sortKey"
      from tenants t join tenant_figures f on f.tenant_id = t.id
      where ${filters}${after}
      order by ${order}
      limit ${input.pageSize + 1}`),
  )
  // Every tenant has its figures row (made with it): the total needs tenants only.
  const [{ total } = { total: 0 }] = rowsOf<{ total: number }>(await tx.execute(sql`select count(*)::int as total from tenants t where ${filters}`))
  const items = rows.slice(0, input.pageSize)
  const last = items.at(-1)
  const nextCursor = rows.length > input.pageSize && last ? encodeCursor({ v: last.sortKey, id: last.id }) : null
  const counted = items.map((r) => new Date(r.refreshedAt).getTime())
  const asOf = counted.length > 0 ? new Date(Math.min(...counted)).toISOString() : null
  return { items, total, nextCursor, asOf }
}

/** A customer tenant (never the console's own), or 404. */
export async function requireTenant(tx: Tx, id: string) {
  const [row] = await tx.select().from(tenants).where(eq(tenants.id, id))
  if (!row || row.slug === CONSOLE_SLUG) throw notFound('tenant')
  return row
}

/** One tenant as its console page shows it, with its figures counted live. */
export async function getTenantDetail(scope: ConsoleScope, id: string) {
  const tenant = await requireTenant(scope.tx, id)
  const counted = await countFigures(scope.tx, id)
  const [{ roles } = { roles: 0 }] = rowsOf<{ roles: number }>(
    await scope.tx.execute(sql`select count(*)::int as roles from roles r where r.tenant_id = ${id} and not r.is_deleted`),
  )
  await auditIn(scope, id, 'CONSOLE_ACCESS', 'tenants', id, { view: 'tenant' })
  const s = tenant.settings
  return {
    id: tenant.id,
    name: tenant.name,
    slug: tenant.slug,
    plan: tenant.plan,
    isActive: tenant.isActive,
    isDeleted: tenant.isDeleted,
    deletedAt: tenant.deletedAt?.toISOString() ?? null,
    purgeableFrom: tenant.deletedAt ? new Date(tenant.deletedAt.getTime() + DELETE_GRACE_DAYS * 86_400_000).toISOString() : null,
    suspendedAt: tenant.suspendedAt?.toISOString() ?? null,
    suspensionReason: tenant.suspensionReason,
    createdAt: tenant.createdAt.toISOString(),
    settings: {
      allowImpersonation: s.allowImpersonation === true,
      defaultTheme: s.defaultTheme ?? 'system',
      defaultLanguage: s.defaultLanguage ?? '',
    },
    figures: {
      people: counted?.people ?? 0,
      active30: counted?.active30 ?? 0,
      categories: counted?.categories ?? 0,
      events30: counted?.events30 ?? 0,
      roles,
    },
  }
}

export type PersonRow = {
  id: string
  email: string
  fullName: string
  isActive: boolean
  isSuperuser: boolean
  lastSignInAt: string | null
  createdAt: string
}

export async function findTenantPeople(
  scope: ConsoleScope,
  input: { id: string; q?: string; status: 'all' | 'active' | 'deactivated'; cursor?: string },
  pageSize = 25,
) {
  await requireTenant(scope.tx, input.id)
  const where = [sql`u.tenant_id = ${input.id}`, sql`not u.is_deleted`]
  if (input.q) {
    const pattern = `%${input.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    where.push(sql`lower(u.full_name || ' ' || u.email) like ${pattern}`)
  }
  if (input.status === 'active') where.push(sql`u.is_active`)
  if (input.status === 'deactivated') where.push(sql`not u.is_active`)
  const cursor = readCursor(input.cursor)
  if (cursor) where.push(sql`(u.email, u.id) > (${cursor.v}, ${cursor.id}::uuid)`)
  const rows = rowsOf<PersonRow>(
    await scope.tx.execute(sql`
      select u.id, u.email, u.full_name as "fullName", u.is_active as "isActive", u.is_superuser as "isSuperuser",
        u.last_sign_in_at::text as "lastSignInAt", u.created_at::text as "createdAt"
      from users u where ${sql.join(where, sql` and `)}
      order by u.email, u.id limit ${pageSize + 1}`),
  )
  await auditIn(scope, input.id, 'CONSOLE_ACCESS', 'users', null, { view: 'people', q: input.q ?? null, status: input.status })
  const items = rows.slice(0, pageSize)
  const last = items.at(-1)
  return { items, nextCursor: rows.length > pageSize && last ? encodeCursor({ v: last.email, id: last.id }) : null }
}

type ConsoleAuditRow = Omit<AuditRow, 'createdAt'> & {
  tenantId: string
  tenantSlug: string | null
  userName: string | null
  userEmail: string | null
  impersonatorName: string | null
  impersonatorEmail: string | null
  createdAt: string
  key: string
}

/**
 * Audit events newest first, one tenant's or every tenant's, by keyset on (created_at, id). Actors are named by a
 * join that carries the event's tenant (a person) or the console tenant (a superuser, who lives there).
 */
export async function findAuditEvents(tx: Tx, input: { tenantId?: string; cursor?: string }, pageSize = 50) {
  const where = [sql`true`]
  if (input.tenantId) where.push(sql`a.tenant_id = ${input.tenantId}`)
  const cursor = decodeCursor(input.cursor, z.strictObject({ v: cursorTimestamp, id: cursorId }))
  if (cursor) where.push(sql`(a.created_at, a.id) < (${cursor.v}::timestamptz, ${cursor.id}::uuid)`)
  const rows = rowsOf<ConsoleAuditRow>(
    await tx.execute(sql`/* cross-tenant: console.audit-events */
      select a.id, a.tenant_id as "tenantId", t.slug as "tenantSlug", a.action, a.table_name as "tableName",
        a.record_id as "recordId", a.user_id as "userId", coalesce(u.full_name, su.full_name) as "userName",
        coalesce(u.email, su.email) as "userEmail", a.impersonator_id as "impersonatorId", imp.full_name as "impersonatorName",
        imp.email as "impersonatorEmail",
        a.old_values as "oldValues", a.new_values as "newValues", a.ip_address as "ipAddress", a.user_agent as "userAgent",
        a.request_id as "requestId", a.chain_seq as "chainSeq", a.chain_hash as "chainHash",
        a.created_at::text as "createdAt", a.created_at::text as at, ${micros('a.created_at')} as key
      from audit_log a
      join tenants t on t.id = a.tenant_id
      left join users u on u.tenant_id = a.tenant_id and u.id = a.user_id
      left join users su on su.tenant_id = (select id from tenants where slug = ${CONSOLE_SLUG}) and su.id = a.user_id and u.id is null
      left join users imp on imp.tenant_id = (select id from tenants where slug = ${CONSOLE_SLUG}) and imp.id = a.impersonator_id
      where ${sql.join(where, sql` and `)}
      order by a.created_at desc, a.id desc
      limit ${pageSize + 1}`),
  )
  const page = rows.slice(0, pageSize)
  // The tenant viewer's words (ADR 013): names resolved in each event's own tenant; superusers, who live in the
  // console tenant, by the join above.
  const names: Names = {}
  for (const tenantId of new Set(page.map((r) => r.tenantId))) {
    Object.assign(names, await resolveNames(tx, tenantId, page.filter((r) => r.tenantId === tenantId)))
  }
  for (const r of page) {
    if (r.userId && r.userName && !names[r.userId]) names[r.userId] = { name: r.userName, email: r.userEmail }
    if (r.impersonatorId && r.impersonatorName && !names[r.impersonatorId]) {
      names[r.impersonatorId] = { name: msg('events.operator', { name: r.impersonatorName }), email: r.impersonatorEmail }
    }
  }
  const items = page.map((r) => ({
    ...present({ ...r, createdAt: new Date(r.createdAt) }, names),
    // Record links lead to tenant pages, which the console host does not have.
    entityExists: false,
    tenantId: r.tenantId,
    tenantSlug: r.tenantSlug,
    userName: r.userName,
    impersonatorName: r.impersonatorName,
    details: summarize(r.newValues ?? r.oldValues),
  }))
  const last = page.at(-1)
  return { items, nextCursor: rows.length > pageSize && last ? encodeCursor({ v: last.key, id: last.id }) : null }
}

/**
 * A look across tenants is a look into each tenant it shows: one CONSOLE_ACCESS in the log of every customer tenant
 * on the page (the console's own events need none), so reading without a tenant filter is audited like reading with one.
 */
async function auditLooks(scope: ConsoleScope, tenantIds: Iterable<string>, table: string, details: Record<string, unknown>) {
  for (const tenantId of new Set(tenantIds)) {
    if (tenantId !== scope.consoleTenantId) await auditIn(scope, tenantId, 'CONSOLE_ACCESS', table, null, details)
  }
}

/** The audit log as the console reads it, one tenant's or every tenant's; each tenant whose events it shows records the look. */
export async function readAuditLog(scope: ConsoleScope, input: { tenantId?: string; cursor?: string }, pageSize?: number) {
  const ownEvents = input.tenantId === 'console'
  if (input.tenantId && !ownEvents) await requireTenant(scope.tx, input.tenantId)
  const page = await findAuditEvents(scope.tx, { ...input, tenantId: ownEvents ? scope.consoleTenantId : input.tenantId }, pageSize)
  if (ownEvents) return page
  await auditLooks(scope, input.tenantId ? [input.tenantId] : page.items.map((e) => e.tenantId), 'audit_log', { view: 'audit' })
  return page
}

/** A short, flat view of an event's values for a list (row images can be large). */
function summarize(details: unknown): string {
  if (!details || typeof details !== 'object') return ''
  return Object.entries(details as Record<string, unknown>)
    .filter(([k]) => !['id', 'tenant_id', 'created_at', 'updated_at', 'operatorName', 'operatorEmail'].includes(k))
    .slice(0, 6)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' · ')
    .slice(0, 300)
}

/** Audit events per day over the last 30 days (today included), for one tenant or all, from the per-tenant index. */
export async function activity(tx: Tx, tenantId?: string) {
  const tenantFilter = tenantId ? sql`t.id = ${tenantId}` : sql`true`
  return rowsOf<{ day: string; events: number }>(
    await tx.execute(sql`/* cross-tenant: console.activity */
      with days as (select generate_series(current_date - 29, current_date, interval '1 day')::date as day),
      counts as (
        select (a.created_at at time zone 'UTC')::date as day, count(*)::int as events
        from tenants t
        cross join lateral (
          select a.created_at from audit_log a
          where a.tenant_id = t.id and a.created_at >= (current_date - 29)::timestamp at time zone 'UTC'
        ) a
        where ${tenantFilter}
        group by 1
      )
      select to_char(d.day, 'YYYY-MM-DD') as day, coalesce(c.events, 0)::int as events
      from days d left join counts c on c.day = d.day
      order by d.day`),
  )
}

export async function provision(
  scope: ConsoleScope,
  input: { name: string; slug: string; ownerEmail: string; ownerName: string },
  invitedById: string,
) {
  const [taken] = await scope.tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, input.slug))
  if (taken) throw conflict(msg('console.errors.slugTaken'), { slug: msg('console.errors.slugTakenField') })
  let created: Awaited<ReturnType<typeof createTenantWithRoles>>
  try {
    created = await createTenantWithRoles(scope.tx, { name: input.name, slug: input.slug })
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(msg('console.errors.slugTaken'), { slug: msg('console.errors.slugTakenField') })
    throw error
  }
  const tenantId = created.tenant.id
  const token = randomBytes(32).toString('base64url')
  const [invitation] = await scope.tx
    .insert(invitations)
    .values({
      tenantId,
      email: input.ownerEmail,
      fullName: input.ownerName,
      roleId: created.roleIds.owner,
      tokenHash: hashToken(token),
      invitedById,
      expiresAt: sql`now() + make_interval(days => ${INVITATION_TTL_DAYS})`,
    })
    .returning({ id: invitations.id })
  await auditIn(scope, tenantId, 'CONSOLE_ACCESS', 'tenants', tenantId, { action: 'provision', ownerEmail: input.ownerEmail })
  return { tenantId, slug: created.tenant.slug, invitationId: invitation?.id ?? null, token }
}

export async function suspend(scope: ConsoleScope, id: string, reason: string) {
  const tenant = await requireTenant(scope.tx, id)
  if (tenant.isDeleted) throw conflict(msg('console.errors.restoreFirst'))
  if (!tenant.isActive) throw conflict(msg('console.errors.alreadySuspended'))
  await updateTenant(scope.tx, id, { isActive: false, suspendedAt: sql`now()`, suspensionReason: reason })
  await endSessionsMarked(scope.tx, id, 'tenant_suspended')
  await auditIn(scope, id, 'CONSOLE_ACCESS', 'tenants', id, { action: 'suspend', reason })
}

export async function reactivate(scope: ConsoleScope, id: string) {
  const tenant = await requireTenant(scope.tx, id)
  if (tenant.isDeleted) throw conflict(msg('console.errors.restoreFirst'))
  if (tenant.isActive) throw conflict(msg('console.errors.alreadyActive'))
  await updateTenant(scope.tx, id, { isActive: true, suspendedAt: null, suspensionReason: null })
  await auditIn(scope, id, 'CONSOLE_ACCESS', 'tenants', id, { action: 'reactivate' })
}

export async function softDelete(scope: ConsoleScope, id: string, deletedById: string) {
  const tenant = await requireTenant(scope.tx, id)
  if (tenant.isDeleted) throw conflict(msg('console.errors.alreadyDeleted'))
  await updateTenant(scope.tx, id, { isDeleted: true, deletedAt: sql`now()`, deletedById })
  await endSessionsMarked(scope.tx, id, 'tenant_deleted')
  await auditIn(scope, id, 'CONSOLE_ACCESS', 'tenants', id, { action: 'delete' })
}

export async function restore(scope: ConsoleScope, id: string) {
  const tenant = await requireTenant(scope.tx, id)
  if (!tenant.isDeleted) throw conflict(msg('console.errors.notDeleted'))
  await updateTenant(scope.tx, id, { isDeleted: false, deletedAt: null, deletedById: null })
  await auditIn(scope, id, 'CONSOLE_ACCESS', 'tenants', id, { action: 'restore' })
}

/**
 * Removes a deleted tenant and, by cascade, every row it owns. The purge marker keeps the row triggers from
 * auditing rows of a tenant that is going away; the event is recorded in the console's own log.
 */
export async function purge(scope: ConsoleScope, id: string, confirmSlug: string) {
  const tenant = await requireTenant(scope.tx, id)
  if (!tenant.isDeleted) throw conflict(msg('console.errors.deleteFirst'))
  // The database's clock decides, in the check and in the delete alike.
  const purgeable = sql`${tenants.deletedAt} <= now() - make_interval(days => ${DELETE_GRACE_DAYS})`
  const [due] = await scope.tx.select({ due: purgeable, from: sql<string>`(${tenants.deletedAt} + make_interval(days => ${DELETE_GRACE_DAYS}))::text` }).from(tenants).where(eq(tenants.id, id))
  if (!due?.due) {
    throw new HttpError(409, 'grace_period', msg('console.errors.gracePeriod', { days: DELETE_GRACE_DAYS, date: due?.from.slice(0, 10) ?? '' }))
  }
  if (confirmSlug !== tenant.slug) {
    throw new HttpError(400, 'confirm_mismatch', msg('console.errors.confirmSlug'), { fieldErrors: { confirmSlug: msg('console.errors.typeSlug', { slug: tenant.slug }) } })
  }
  await scope.tx.execute(sql`select haven_mark_purging(${id}::uuid)`)
  await scope.tx.delete(tenants).where(and(eq(tenants.id, id), eq(tenants.isDeleted, true), purgeable))
  await scope.tx.execute(sql`select haven_mark_purging(null)`)
  await scope.tx.execute(
    sql`select haven_audit_event('CONSOLE_ACCESS', 'tenants', ${id}::uuid, ${JSON.stringify({ action: 'purge', slug: tenant.slug, name: tenant.name })}::jsonb)`,
  )
}

export type UserHit = { id: string; email: string; fullName: string; isActive: boolean; tenantId: string; tenantSlug: string; tenantName: string; key: string }

/**
 * People of every tenant whose name or email contains `q`. The trigram index on lower(full_name || ' ' || email)
 * serves the match (the console's policy has no tenant qualifier, so the non-leakproof operators may use it);
 * pages by keyset on (email, tenant, id).
 */
export async function searchUsers(tx: Tx, input: { q: string; cursor?: string }, pageSize = 25) {
  const pattern = `%${input.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
  const cursor = decodeCursor(input.cursor, z.strictObject({ v: cursorValue, t: cursorId, id: cursorId }))
  const after = cursor ? sql` and (u.email, u.tenant_id, u.id) > (${cursor.v}, ${cursor.t}::uuid, ${cursor.id}::uuid)` : sql``
  const rows = rowsOf<UserHit>(
    await tx.execute(sql`/* cross-tenant: console.people-search */
      select u.id, u.email, u.full_name as "fullName", u.is_active as "isActive", u.tenant_id as "tenantId",
        t.slug as "tenantSlug", t.name as "tenantName"
      from users u join tenants t on t.id = u.tenant_id
      where lower(u.full_name || ' ' || u.email) like ${pattern} and not u.is_deleted and not t.is_deleted${after}
      order by u.email, u.tenant_id, u.id
      limit ${pageSize + 1}`),
  )
  const items = rows.slice(0, pageSize)
  const last = items.at(-1)
  return { items, nextCursor: rows.length > pageSize && last ? encodeCursor({ v: last.email, t: last.tenantId, id: last.id }) : null }
}

/** The people search as the console runs it: every tenant with a person on the page records the look and the query. */
export async function searchPeople(scope: ConsoleScope, input: { q: string; cursor?: string }, pageSize?: number) {
  const page = await searchUsers(scope.tx, input, pageSize)
  await auditLooks(scope, page.items.map((u) => u.tenantId), 'users', { view: 'people-search', q: input.q })
  return page
}
