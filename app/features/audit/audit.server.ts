import { and, eq, gte, inArray, isNotNull, lt, or, type SQL, sql } from 'drizzle-orm'
import { z } from 'zod'
import { cursorId, decodeCursor, encodeCursor } from '~/server/cursor.server'
import { notFound } from '~/lib/errors'
import type { AuditAction } from '~/lib/enums'
import { msg } from '~/lib/i18n'
import { rowsOf, type Tx } from '~/server/db/client.server'
import { auditLog, categories, organizations, roles, teams, tenants, users } from '~/server/db/schema'
import type { AuditFilter, ListAuditInput } from './audit.schemas'
import { describeEvent, type DescribableEvent, entityName, fieldChanges, type JsonRow, type Names, referencedIds, systemRoleName } from './describe'

/** The columns a viewer reads; `at` is the exact timestamp as text (microseconds), which the keyset cursor carries. */
const eventColumns = {
  id: auditLog.id,
  createdAt: auditLog.createdAt,
  at: sql<string>`${auditLog.createdAt}::text`.as('at'),
  action: auditLog.action,
  tableName: auditLog.tableName,
  recordId: auditLog.recordId,
  oldValues: auditLog.oldValues,
  newValues: auditLog.newValues,
  userId: auditLog.userId,
  impersonatorId: auditLog.impersonatorId,
  ipAddress: auditLog.ipAddress,
  userAgent: auditLog.userAgent,
  requestId: auditLog.requestId,
  chainSeq: auditLog.chainSeq,
  chainHash: auditLog.chainHash,
}
export type AuditRow = {
  id: string
  createdAt: Date
  at: string
  action: AuditAction
  tableName: string
  recordId: string | null
  oldValues: JsonRow | null
  newValues: JsonRow | null
  userId: string | null
  impersonatorId: string | null
  ipAddress: string | null
  userAgent: string | null
  requestId: string | null
  chainSeq: number | null
  chainHash: string | null
}

/**
 * A person's row updated only to note when they signed in: the SIGN_IN event of the same request says it, so the
 * viewer, the History tabs and the export fold it away (it stays in the log and in the chain).
 */
const signInBookkeeping = sql`coalesce(${auditLog.tableName} = 'users' and ${auditLog.action} = 'UPDATE'
  and ${auditLog.oldValues} -> 'last_sign_in_at' is distinct from ${auditLog.newValues} -> 'last_sign_in_at'
  and ${auditLog.oldValues} - 'last_sign_in_at' - 'updated_at' = ${auditLog.newValues} - 'last_sign_in_at' - 'updated_at', false)`

/**
 * A category below a moved one: its path, depth and keys follow its ancestor's move, which the moved category's own
 * event says ("moved category Laptops from … to …"). A move of a large subtree would otherwise bury it under one
 * "no visible change" row per descendant; they are folded away like the sign-in bookkeeping.
 */
const categoryFollowedMove = sql`coalesce(${auditLog.tableName} = 'categories' and ${auditLog.action} = 'UPDATE'
  and ${auditLog.oldValues} - 'path' - 'depth' - 'path_key' - 'name_key' - 'updated_at'
    = ${auditLog.newValues} - 'path' - 'depth' - 'path_key' - 'name_key' - 'updated_at', false)`

/**
 * A session's start that the same request also recorded as the person's own event: a sign-in ("signed in"), an
 * accepted invitation ("accepted an invitation and signed in") or an impersonation's start. better-auth inserts the
 * session before the app has set who is signing in, so a password sign-in's session row reads "System started a
 * session for …" beside "signed in"; it is folded away like the sign-in bookkeeping (it stays in the log and in the
 * chain). A session started without such an event still shows. The probe is the actor index (that person's events
 * around the session's instant), matched by request id.
 */
const sessionStartSaidElsewhere = (tenantId: string) => sql`case when ${auditLog.tableName} = 'sessions' and ${auditLog.action} = 'CREATE' then exists (
    select 1 from audit_log said
    where said.tenant_id = ${tenantId} and said.user_id = (${auditLog.newValues} ->> 'user_id')::uuid
      and said.created_at between ${auditLog.createdAt} - interval '1 minute' and ${auditLog.createdAt} + interval '1 minute'
      and said.request_id = ${auditLog.requestId} and said.action in ('SIGN_IN', 'INVITATION_ACCEPTED', 'IMPERSONATION_STARTED')
  ) else false end`

/** The WHERE of a filter; the tenant is named explicitly (RLS still guards it). */
export function auditWhere(tenantId: string, f: AuditFilter): SQL {
  const parts: (SQL | undefined)[] = [
    eq(auditLog.tenantId, tenantId),
    sql`not ${signInBookkeeping}`,
    sql`not ${categoryFollowedMove}`,
    sql`not ${sessionStartSaidElsewhere(tenantId)}`,
  ]
  if (f.actor) parts.push(eq(auditLog.userId, f.actor))
  if (f.action) parts.push(eq(auditLog.action, f.action))
  if (f.record && f.related) {
    // The record's own events or rows pointing at it; each arm has its index, and the entity names the record only.
    const own = f.entity ? and(eq(auditLog.tableName, f.entity), eq(auditLog.recordId, f.record)) : eq(auditLog.recordId, f.record)
    parts.push(or(own, eq(auditLog.relatedUserId, f.record), eq(auditLog.relatedId, f.record)))
  } else {
    if (f.entity) parts.push(eq(auditLog.tableName, f.entity))
    if (f.record) parts.push(eq(auditLog.recordId, f.record))
  }
  if (f.from) parts.push(gte(auditLog.createdAt, new Date(f.from)))
  if (f.to) parts.push(lt(auditLog.createdAt, new Date(f.to)))
  if (f.ip) parts.push(eq(auditLog.ipAddress, f.ip))
  if (f.requestId) parts.push(eq(auditLog.requestId, f.requestId))
  if (f.impersonated) parts.push(isNotNull(auditLog.impersonatorId))
  return and(...parts) as SQL
}

const ROW_CHANGES = { CREATE: true, UPDATE: true, DELETE: true }

/**
 * The event's time as PostgreSQL writes a timestamptz as text (`2026-05-01 10:00:00.123456+00`), and an instant that
 * exists: anything else is a damaged page link, not a value that fails in SQL.
 */
const cursorAt = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/, 'the time is not in the expected form')
  .refine((s) => {
    const [date = ''] = s.split(' ')
    const day = new Date(`${date}T00:00:00Z`)
    return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(date) && Number(s.slice(11, 13)) < 24 && Number(s.slice(14, 16)) < 60 && Number(s.slice(17, 19)) < 60
  }, 'the time does not exist')
const cursorSchema = z.strictObject({ at: cursorAt, id: cursorId })
type Cursor = z.output<typeof cursorSchema>

/**
 * One page, newest first, by keyset on (created_at, id): page 1,000 costs what page 1 costs, and events written
 * while someone pages are newer than the cursor, so they never shift the pages already seen.
 */
export async function findAuditRows(tx: Tx, tenantId: string, f: AuditFilter, limit: number, cursor?: Cursor): Promise<AuditRow[]> {
  const after = cursor ? sql`(${auditLog.createdAt}, ${auditLog.id}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)` : undefined
  const rows = await tx
    .select(eventColumns)
    .from(auditLog)
    .where(after ? and(auditWhere(tenantId, f), after) : auditWhere(tenantId, f))
    // NULLS LAST as in the indexes (drizzle's .desc() there), or PostgreSQL sorts the whole tenant instead.
    .orderBy(sql`${auditLog.createdAt} desc nulls last`, sql`${auditLog.id} desc nulls last`)
    .limit(limit)
  return rows as AuditRow[]
}

export async function listAuditEvents(tx: Tx, tenantId: string, input: ListAuditInput) {
  const cursor = decodeCursor(input.cursor, cursorSchema)
  const rows = await findAuditRows(tx, tenantId, input, input.pageSize + 1, cursor)
  const page = rows.slice(0, input.pageSize)
  const last = page.at(-1)
  const names = await resolveNames(tx, tenantId, page)
  return {
    items: page.map((r) => present(r, names)),
    nextCursor: rows.length > input.pageSize && last ? encodeCursor({ at: last.at, id: last.id }) : null,
  }
}

export type AuditEventView = ReturnType<typeof present>

/** An event as the viewer shows it: who, what in words, the changed fields (secrets stay redacted). */
export function present(r: AuditRow, names: Names) {
  const event: DescribableEvent = r
  const changes = r.action === 'UPDATE' ? fieldChanges(r.oldValues, r.newValues) : []
  // The names of ids among the changed values (a new parent, who deleted it), so the list shows names, not ids.
  const changeNames: Names = {}
  for (const c of changes) for (const v of [c.from, c.to]) if (typeof v === 'string' && names[v]) changeNames[v] = names[v]
  return {
    id: r.id,
    createdAt: r.createdAt.toISOString(),
    action: r.action,
    tableName: r.tableName,
    recordId: r.recordId,
    summary: describeEvent(event, names),
    entityName: entityName(event, names) ?? null,
    entityExists: r.recordId ? names[r.recordId] !== undefined && !names[r.recordId]?.gone && !names[r.recordId]?.deleted : false,
    actor: r.userId
      ? { id: r.userId, ...(names[asOfKey(r.id, r.userId)] ?? names[r.userId] ?? { name: msg(r.action === 'CONSOLE_ACCESS' ? 'events.someOperator' : 'events.unknownPerson') }) }
      : null,
    impersonator: r.impersonatorId
      ? { id: r.impersonatorId, ...(names[asOfKey(r.id, r.impersonatorId)] ?? names[r.impersonatorId] ?? { name: msg('events.someOperator') }) }
      : null,
    changes,
    names: changeNames,
    ipAddress: r.ipAddress,
    requestId: r.requestId,
    chainSeq: r.chainSeq,
  }
}

/** One event with its full old and new values, for the detail view. A foreign tenant's id is a 404 like a missing one. */
export async function getAuditEvent(tx: Tx, tenantId: string, id: string) {
  const [row] = (await tx
    .select(eventColumns)
    .from(auditLog)
    .where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.id, id)))) as AuditRow[]
  if (!row) throw notFound('auditEvent')
  const names = await resolveNames(tx, tenantId, [row])
  return {
    ...present(row, names),
    oldValues: row.oldValues,
    newValues: row.newValues,
    userAgent: row.userAgent,
    chainHash: row.chainHash,
    names,
  }
}

/** The key under which `resolveNames` keeps a person's name and email as they were at one event. */
export const asOfKey = (eventId: string, personId: string) => `${personId}@${eventId}`

/**
 * Names of the people and records a page mentions, resolved when it is read (ADR 013): the tenant's rows
 * including soft-deleted ones, then, for rows that are gone for good, the last values the audit log itself holds,
 * and for console operators the name their impersonation event recorded.
 */
export async function resolveNames(
  tx: Tx,
  tenantId: string,
  rows: (DescribableEvent & { id: string; at: string; userId: string | null; impersonatorId: string | null })[],
): Promise<Names> {
  const names = await currentNames(tx, tenantId, rows)
  await actorsAsOfEvents(tx, tenantId, rows, names)
  return names
}

/** The names as they are now (or, for rows gone for good, as the log last held them). */
async function currentNames(tx: Tx, tenantId: string, rows: (DescribableEvent & { userId: string | null; impersonatorId: string | null })[]): Promise<Names> {
  const ids = new Set<string>()
  // A row change names its own record from its values; only its existence matters then (for a link), so such
  // record ids are looked up in the live tables but never searched for in the log's own history.
  const remember = new Set<string>()
  for (const r of rows) {
    for (const id of [r.userId, r.impersonatorId, ...referencedIds(r)]) {
      if (!id) continue
      ids.add(id)
      const selfNamed = id === r.recordId && r.action in ROW_CHANGES && entityName(r, {}) !== undefined
      if (!selfNamed || id === r.userId || id === r.impersonatorId) remember.add(id)
    }
  }
  const names: Names = {}
  if (ids.size === 0) return names
  const list = [...ids]
  const [people, roleRows, teamRows, orgRows, categoryRows] = await Promise.all([
    tx
      .select({ id: users.id, name: users.fullName, email: users.email, deleted: users.isDeleted })
      .from(users)
      .where(and(eq(users.tenantId, tenantId), inArray(users.id, list))),
    tx.select({ id: roles.id, name: roles.name, systemKey: roles.systemKey, deleted: roles.isDeleted }).from(roles).where(and(eq(roles.tenantId, tenantId), inArray(roles.id, list))),
    // A team is named with its organization: two organizations may each have a team called "Sales".
    tx
      .select({ id: teams.id, name: sql<string>`${teams.name} || ' (' || ${organizations.name} || ')'`, deleted: teams.isDeleted })
      .from(teams)
      .innerJoin(organizations, and(eq(organizations.tenantId, tenantId), eq(organizations.id, teams.organizationId)))
      .where(and(eq(teams.tenantId, tenantId), inArray(teams.id, list))),
    tx
      .select({ id: organizations.id, name: organizations.name, deleted: organizations.isDeleted })
      .from(organizations)
      .where(and(eq(organizations.tenantId, tenantId), inArray(organizations.id, list))),
    tx
      .select({ id: categories.id, name: categories.name, deleted: categories.isDeleted })
      .from(categories)
      .where(and(eq(categories.tenantId, tenantId), inArray(categories.id, list))),
  ])
  for (const p of people) names[p.id] = { name: p.name, email: p.email, deleted: p.deleted }
  for (const r of roleRows) names[r.id] = { name: systemRoleName(r.systemKey) ?? r.name, deleted: r.deleted }
  for (const r of [...teamRows, ...orgRows, ...categoryRows]) names[r.id] = { name: r.name, deleted: r.deleted }
  const missing = list.filter((id) => !names[id] && remember.has(id))
  if (missing.length === 0) return names
  const remembered = rowsOf<{ record_id: string; name: string | null; email: string | null }>(
    await tx.execute(sql`
      select distinct on (record_id) record_id::text as record_id,
        coalesce(new_values, old_values) ->> (case table_name when 'users' then 'full_name' when 'invitations' then 'email' else 'name' end) as name,
        coalesce(new_values, old_values) ->> 'email' as email
      from audit_log
      where tenant_id = ${tenantId} and table_name in ('users', 'roles', 'teams', 'organizations', 'categories')
        and record_id in (${sql.join(missing.map((id) => sql`${id}::uuid`), sql`, `)}) and action in ('CREATE', 'UPDATE', 'DELETE')
      order by record_id, created_at desc, id desc`),
  )
  for (const r of remembered) if (r.name) names[r.record_id] = { name: r.name, email: r.email, gone: true }
  // Superusers live in the console tenant, out of this tenant's reach: an operator is named by what the log itself
  // recorded when they acted here (every console look and change writes a CONSOLE_ACCESS with the operator's name).
  const actors = new Set(rows.flatMap((r) => [r.userId, r.impersonatorId]).filter((id): id is string => id !== null))
  const stillMissing = missing.filter((id) => !names[id] && actors.has(id))
  if (stillMissing.length === 0) return names
  const wanted = sql.join(stillMissing.map((id) => sql`${id}::uuid`), sql`, `)
  const operators = rowsOf<{ id: string; name: string | null; email: string | null }>(
    await tx.execute(sql`
      select distinct on (operator) operator::text as id, name, email
      from (
        select coalesce(impersonator_id, user_id) as operator, new_values ->> 'operatorName' as name,
          new_values ->> 'operatorEmail' as email, created_at
        from audit_log
        where tenant_id = ${tenantId} and new_values ->> 'operatorName' is not null
          and ((action = 'IMPERSONATION_STARTED' and impersonator_id in (${wanted})) or (action = 'CONSOLE_ACCESS' and user_id in (${wanted})))
      ) recorded
      order by operator, created_at desc`),
  )
  for (const o of operators) if (o.name) names[o.id] = { name: msg('events.operator', { name: o.name }), email: o.email }
  return names
}

/**
 * Who acted, as they were at the time: for each event and its actor (and impersonator), the name and email of the
 * person's latest `users` audit row at or before the event (a person who renamed themselves "Olivia Owner" later
 * still shows under the old name on their earlier events, and the reverse). One query for the whole page: one
 * probe of the record index (limit 1) per event and person, at most two per event, each bounded by the event's time
 * as the page read it (`at`, to the microsecond); console operators have no `users` rows here and keep the name their
 * own events recorded.
 */
async function actorsAsOfEvents(
  tx: Tx,
  tenantId: string,
  rows: { id: string; at: string; userId: string | null; impersonatorId: string | null }[],
  names: Names,
) {
  const pairs = rows.flatMap((r) =>
    [r.userId, r.impersonatorId].filter((p): p is string => p !== null).map((p) => sql`(${r.id}::uuid, ${p}::uuid, ${r.at}::timestamptz)`),
  )
  if (pairs.length === 0) return
  const found = rowsOf<{ event: string; person: string; name: string | null; email: string | null }>(
    await tx.execute(sql`
      select e.event::text as event, e.person::text as person, h.name, h.email
      from (values ${sql.join(pairs, sql`, `)}) as e(event, person, at)
      cross join lateral (
        select coalesce(h.new_values, h.old_values) ->> 'full_name' as name, coalesce(h.new_values, h.old_values) ->> 'email' as email
        from audit_log h
        where h.tenant_id = ${tenantId} and h.table_name = 'users' and h.record_id = e.person and h.created_at <= e.at
          and h.action in ('CREATE', 'UPDATE')
        order by h.created_at desc
        limit 1
      ) h`),
  )
  for (const f of found) {
    if (f.name) names[asOfKey(f.event, f.person)] = { ...names[f.person], name: f.name, email: f.email ?? names[f.person]?.email ?? null }
  }
}

/** People to filter by: everyone in the workspace, the deleted ones marked, by name. */
export async function auditActors(tx: Tx, tenantId: string) {
  return tx
    .select({ id: users.id, name: users.fullName, email: users.email, deleted: users.isDeleted })
    .from(users)
    .where(eq(users.tenantId, tenantId))
    .orderBy(users.fullName, users.id)
    .limit(1000)
}

/** The retention setting and legal hold, as stored in the tenant's settings (absent: keep forever). */
export async function auditRetention(tx: Tx, tenantId: string) {
  const [row] = await tx.select({ settings: tenants.settings }).from(tenants).where(eq(tenants.id, tenantId))
  const days = row?.settings.auditRetentionDays
  return { retentionDays: typeof days === 'number' && days > 0 ? days : null, legalHold: row?.settings.auditLegalHold === true }
}

export async function auditOptions(tx: Tx, tenantId: string) {
  const [actors, retention] = await Promise.all([auditActors(tx, tenantId), auditRetention(tx, tenantId)])
  return { actors, retention }
}
