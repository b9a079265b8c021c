import { msg } from '~/lib/i18n'
import { type SQL, sql } from 'drizzle-orm'
import { badRequest, conflict, HttpError, type NotFoundThing, notFound } from '~/lib/errors'
import { rowsOf, type Tx } from '~/server/db/client.server'
import type { JsonObject } from '~/server/db/schema'
import { z } from 'zod'
import { cursorId, cursorText, decodeCursor, encodeCursor, } from '~/server/cursor.server'
import { restoreItem } from '../trash/trash.server'
import { isUniqueViolation } from '~/server/db/errors.server'
import {
  type CategoryNode,
  type CreateCategoryInput,
  DESCENDANT_CAP,
  type ListChildrenInput,
  type MoveCategoryInput,
  type ReorderCategoryInput,
  type SearchCategoriesInput,
  type UpdateCategoryInput,
} from './categories.schemas'

/*
 * Every statement names the tenant (`tenant_id = ${tenantId}`) and compares only leakproof operators on indexed
 * columns, so the planner can use the tenant-first indexes under RLS (docs/decisions/012): children by
 * (tenant_id, parent_id, position, id), a subtree by the range [path_key, path_key || '/') on
 * (tenant_id, path_key), ancestors by primary key from the ids spelled out in the path, search by a prefix range
 * on (tenant_id, name_key).
 */

type NodeRow = {
  id: string
  parent_id: string | null
  name: string
  position: number
  depth: number
  child_count: number
  descendant_count: number
}

const toNode = (r: NodeRow): CategoryNode => ({
  id: r.id,
  parentId: r.parent_id,
  name: r.name,
  position: Number(r.position),
  depth: Number(r.depth),
  childCount: Number(r.child_count),
  descendantCount: Math.min(Number(r.descendant_count), DESCENDANT_CAP),
  descendantsCapped: Number(r.descendant_count) > DESCENDANT_CAP,
})

/** Hex labels of an ltree path back to uuids, root first. */
export function idsOfPath(pathKey: string): string[] {
  return pathKey
    .split('.')
    .filter(Boolean)
    .map((h) => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`)
}

/**
 * Moves (the path trigger), subtree deletes and restores take the tenant's tree lock exclusively; creates take it
 * shared, so a new child never reads a parent path that a concurrent move is rewriting, and a subtree delete never
 * misses a child created beside it. The lock is the tenant's own row (FOR NO KEY UPDATE / FOR SHARE, neither of
 * which blocks foreign-key checks): unlike an advisory key, no other tenant can take it (docs/decisions/009).
 */
async function lockTree(tx: Tx, tenantId: string, mode: 'exclusive' | 'shared') {
  await tx.execute(
    mode === 'exclusive'
      ? sql`select 1 from tenants where id = ${tenantId} for no key update`
      : sql`select 1 from tenants where id = ${tenantId} for share`,
  )
}

/** The columns of a node as the tree shows it, for rows aliased `c`; the counts come from `withCounts`. */
const nodeColumns = sql`c.id, c.parent_id, c.name, c.position, c.depth, c.path_key`

type BareRow = Omit<NodeRow, 'child_count' | 'descendant_count'> & { path_key: string }
const COUNT_CHUNK = 100

const idList = (ids: string[]) =>
  sql.join(
    ids.map((id) => sql`${id}::uuid`),
    sql`, `,
  )

/**
 * Child and descendant counts for a window of rows, in statements whose bounds are bound values: under RLS a
 * correlated subquery's outer column cannot become an index condition (the planner then filters the tenant's rows
 * per row), a parameter can. One grouped count of children by (tenant, parent); descendants of nodes that have
 * children, capped, one range on (tenant, path_key) each, up to COUNT_CHUNK per statement. `cap` null counts exactly.
 */
async function withCounts(tx: Tx, tenantId: string, rows: BareRow[], cap: number | null = DESCENDANT_CAP): Promise<NodeRow[]> {
  if (rows.length === 0) return []
  const children = new Map<string, number>()
  for (let i = 0; i < rows.length; i += 500) {
    const ids = rows.slice(i, i + 500).map((r) => r.id)
    for (const r of rowsOf<{ parent_id: string; n: number }>(
      await tx.execute(sql`
        select parent_id, count(*)::int as n from categories
        where tenant_id = ${tenantId} and parent_id in (${idList(ids)}) and not is_deleted group by parent_id`),
    ))
      children.set(r.parent_id, Number(r.n))
  }
  const parents = rows.filter((r) => (children.get(r.id) ?? 0) > 0)
  const descendants = new Map<string, number>()
  const limit = cap === null ? sql`` : sql`limit ${cap + 1}`
  for (let i = 0; i < parents.length; i += COUNT_CHUNK) {
    const branches = parents.slice(i, i + COUNT_CHUNK).map(
      (r) => sql`(select ${r.id}::uuid as id, count(*)::int as n from (select 1 from categories d
        where d.tenant_id = ${tenantId} and d.path_key > ${r.path_key} and d.path_key < ${`${r.path_key}/`} and not d.is_deleted ${limit}) x)`,
    )
    for (const r of rowsOf<{ id: string; n: number }>(await tx.execute(sql.join(branches, sql` union all `)))) descendants.set(r.id, Number(r.n))
  }
  return rows.map((r) => ({ ...r, child_count: children.get(r.id) ?? 0, descendant_count: descendants.get(r.id) ?? 0 }))
}

const parentIs = (parentId: string | null, alias = 'c') => {
  const column = sql.raw(`${alias}.parent_id`)
  return parentId ? sql`${column} = ${parentId}::uuid` : sql`${column} is null`
}

type Live = { id: string; parent_id: string | null; name: string; path_key: string; position: number; depth: number }

/** A live category of the caller's tenant; another tenant's id, a deleted one and a missing one are the same 404. */
export async function requireLiveCategory(tx: Tx, tenantId: string, id: string, options: { lock?: 'update' | 'share'; what?: NotFoundThing } = {}) {
  const lock = options.lock === 'update' ? sql` for update` : options.lock === 'share' ? sql` for share` : sql``
  const [row] = rowsOf<Live>(
    await tx.execute(sql`
      select id, parent_id, name, path_key, position, depth from categories
      where tenant_id = ${tenantId} and id = ${id}::uuid and not is_deleted${lock}`),
  )
  if (!row) throw notFound(options.what ?? 'category')
  return { ...row, position: Number(row.position), depth: Number(row.depth) }
}

/** Whether this tenant has (or had: deleted rows count) the category. */
async function categoryExists(tx: Tx, tenantId: string, id: string): Promise<boolean> {
  const rows = rowsOf<{ id: string }>(await tx.execute(sql`select id from categories where tenant_id = ${tenantId} and id = ${id}::uuid`))
  return rows.length > 0
}

const childCursor = z.strictObject({ p: z.number().int().min(-2_147_483_648).max(2_147_483_647), id: cursorId })
const decodeChildCursor = (raw?: string) => decodeCursor(raw, childCursor)

/** One window of a parent's live children (roots when parentId is null), in sibling order, by keyset. */
export async function findChildren(tx: Tx, tenantId: string, input: ListChildrenInput) {
  const parent = input.parentId ? await requireLiveCategory(tx, tenantId, input.parentId) : null
  const cursor = decodeChildCursor(input.cursor)
  const after = cursor ? sql`and (c.position, c.id) > (${cursor.p}::int, ${cursor.id}::uuid)` : sql``
  const rows = rowsOf<BareRow>(
    await tx.execute(sql`
      select ${nodeColumns} from categories c
      where c.tenant_id = ${tenantId} and ${parentIs(input.parentId)} and not c.is_deleted ${after}
      order by c.position, c.id limit ${input.pageSize + 1}`),
  )
  const items = (await withCounts(tx, tenantId, rows.slice(0, input.pageSize))).map(toNode)
  const last = items.at(-1)
  return {
    parent: parent && { id: parent.id, name: parent.name },
    items,
    nextCursor: rows.length > input.pageSize && last ? encodeCursor({ p: last.position, id: last.id }) : null,
  }
}

/** Names (and liveness) of the given ids in one primary-key lookup. */
async function namesOf(tx: Tx, tenantId: string, ids: string[]) {
  if (ids.length === 0) return new Map<string, { name: string; deleted: boolean }>()
  const rows = rowsOf<{ id: string; name: string; is_deleted: boolean }>(
    await tx.execute(sql`
      select id, name, is_deleted from categories
      where tenant_id = ${tenantId} and id in (${sql.join(
        ids.map((id) => sql`${id}::uuid`),
        sql`, `,
      )})`),
  )
  return new Map(rows.map((r) => [r.id, { name: r.name, deleted: r.is_deleted }]))
}

/** The breadcrumb: ancestors root first, each read by primary key from the ids the path spells out. */
async function ancestorsOf(tx: Tx, tenantId: string, node: Live) {
  const ids = idsOfPath(node.path_key).slice(0, -1)
  const names = await namesOf(tx, tenantId, ids)
  return ids.map((id) => ({ id, name: names.get(id)?.name ?? '…' }))
}

/**
 * What the tree needs to open at a deep link, in one statement whatever the depth: for every level from the roots
 * down to the node's parent, the siblings up to and including the node on the path, plus one page after it.
 */
export async function revealCategory(tx: Tx, tenantId: string, id: string, pageSize: number) {
  const node = await requireLiveCategory(tx, tenantId, id)
  const pathIds = idsOfPath(node.path_key)
  const levels = pathIds.map((throughId, level) => ({ parentId: level === 0 ? null : (pathIds[level - 1] ?? null), throughId, level }))
  const branch = (l: (typeof levels)[number]) => {
    const through = sql`(select t.position, t.id from categories t where t.tenant_id = ${tenantId} and t.id = ${l.throughId}::uuid)`
    const base = (cmp: SQL, limit: number) => sql`(select ${l.level}::int as level, ${nodeColumns} from categories c
      where c.tenant_id = ${tenantId} and ${parentIs(l.parentId)} and not c.is_deleted and ${cmp}
      order by c.position, c.id limit ${limit})`
    return sql`${base(sql`(c.position, c.id) <= ${through}`, 10_000)} union all ${base(sql`(c.position, c.id) > ${through}`, pageSize + 1)}`
  }
  const bare = rowsOf<BareRow & { level: number }>(
    await tx.execute(sql`select * from (${sql.join(levels.map(branch), sql` union all `)}) w order by level, position, id`),
  )
  const rows = (await withCounts(tx, tenantId, bare)).map((r, i) => ({ ...r, level: bare[i]?.level ?? 0 }))
  const ancestorNames = new Map(rows.map((r) => [r.id, r.name]))
  return {
    id: node.id,
    ancestors: pathIds.slice(0, -1).map((a) => ({ id: a, name: ancestorNames.get(a) ?? '…' })),
    levels: levels.map((l) => {
      const all = rows.filter((r) => Number(r.level) === l.level).map(toNode)
      const throughIndex = all.findIndex((n) => n.id === l.throughId)
      const items = all.slice(0, throughIndex + 1 + pageSize)
      const last = items.at(-1)
      return {
        parentId: l.parentId,
        items,
        nextCursor: all.length > items.length && last ? encodeCursor({ p: last.position, id: last.id }) : null,
      }
    }),
  }
}

/** Who did the first and the latest change, from the audit log's (tenant, table, record, time) index. */
async function historyOf(tx: Tx, tenantId: string, id: string) {
  const entry = (order: SQL, action: SQL) => sql`(select a.created_at, a.user_id from audit_log a
      where a.tenant_id = ${tenantId} and a.table_name = 'categories' and a.record_id = ${id}::uuid ${action}
      order by a.created_at ${order} limit 1)`
  const rows = rowsOf<{ kind: string; user_id: string | null }>(
    await tx.execute(sql`select 'created' as kind, * from ${entry(sql`asc`, sql`and a.action = 'CREATE'`)} x
      union all select 'changed', * from ${entry(sql`desc`, sql``)} y`),
  )
  const userIds = [...new Set(rows.map((r) => r.user_id).filter((u): u is string => Boolean(u)))]
  const people =
    userIds.length === 0
      ? []
      : rowsOf<{ id: string; full_name: string }>(
          await tx.execute(sql`select id, full_name from users where tenant_id = ${tenantId} and id in (${idList(userIds)})`),
        )
  // An actor who is not a user of this tenant is a Haven operator.
  const by = (r?: (typeof rows)[number]) => (r?.user_id ? (people.find((p) => p.id === r.user_id)?.full_name ?? msg('categoryForm.support')) : null)
  return { createdBy: by(rows.find((r) => r.kind === 'created')), updatedBy: by(rows.find((r) => r.kind === 'changed')) }
}

/** The details panel: the node, its exact counts, breadcrumb and who created and last changed it. */
export async function getCategory(tx: Tx, tenantId: string, id: string) {
  const [bare] = rowsOf<BareRow & { description: string; metadata: JsonObject; created_at: string | Date; updated_at: string | Date }>(
    await tx.execute(sql`
      select ${nodeColumns}, c.description, c.metadata, c.created_at, c.updated_at
      from categories c where c.tenant_id = ${tenantId} and c.id = ${id}::uuid and not c.is_deleted`),
  )
  if (!bare) throw notFound('category')
  const [counted] = await withCounts(tx, tenantId, [bare], null)
  const row = { ...bare, child_count: counted?.child_count ?? 0, descendant_count: counted?.descendant_count ?? 0 }
  const live: Live = { id: row.id, parent_id: row.parent_id, name: row.name, path_key: row.path_key, position: row.position, depth: row.depth }
  const [ancestors, history] = [await ancestorsOf(tx, tenantId, live), await historyOf(tx, tenantId, id)]
  return {
    ...toNode(row),
    descendantCount: Number(row.descendant_count),
    descendantsCapped: false,
    description: row.description,
    metadata: row.metadata ?? {},
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    ...history,
    ancestors,
  }
}

const searchCursor = z.strictObject({ s: cursorText, id: cursorId })

/**
 * Live categories whose name contains `q` (case-insensitive), each with its path of ancestor names. Three statements,
 * each an index range or primary-key lookup: the matching suffixes by the prefix range [q, q || U+10FFFF) on
 * (tenant_id, suffix, category_id) (drizzle/0019), the hits' rows by primary key, then every ancestor name by primary
 * key. Pages follow the order of the matched text; a name that contains `q` twice has two suffixes in the range, so
 * a page shows it once (it may show again on a later page).
 */
export async function searchCategories(tx: Tx, tenantId: string, input: SearchCategoriesInput) {
  const cursor = decodeCursor(input.cursor, searchCursor)
  const after = cursor ? sql`and (s.suffix, s.category_id) > (${cursor.s}::text collate "C", ${cursor.id}::uuid)` : sql``
  const fetch = input.limit * 2
  const matches = rowsOf<{ category_id: string; suffix: string }>(
    await tx.execute(sql`
      select s.category_id, s.suffix from category_name_suffixes s
      where s.tenant_id = ${tenantId} and s.suffix >= lower(${input.q}) collate "C"
        and s.suffix < (lower(${input.q}) || chr(1114111)) collate "C" ${after}
      order by s.suffix, s.category_id limit ${fetch}`),
  )
  const ids: string[] = []
  let consumed = 0
  for (const m of matches) {
    if (ids.length === input.limit) break
    consumed += 1
    if (!ids.includes(m.category_id)) ids.push(m.category_id)
  }
  const last = matches[consumed - 1]
  const more = consumed < matches.length || matches.length === fetch
  const rows =
    ids.length === 0
      ? []
      : rowsOf<{ id: string; name: string; parent_id: string | null; path_key: string }>(
          await tx.execute(sql`select id, name, parent_id, path_key from categories where tenant_id = ${tenantId} and id in (${idList(ids)}) and not is_deleted`),
        )
  const byId = new Map(rows.map((r) => [r.id, r]))
  // Within a page, a name equal to the text comes first, then names that start with it.
  const q = input.q.toLowerCase()
  const rank = (name: string) => (name.toLowerCase() === q ? 0 : name.toLowerCase().startsWith(q) ? 1 : 2)
  const hits = ids.flatMap((id) => byId.get(id) ?? []).sort((x, y) => rank(x.name) - rank(y.name))
  const names = await namesOf(tx, tenantId, [...new Set(hits.flatMap((h) => idsOfPath(h.path_key).slice(0, -1)))])
  return {
    items: hits.map((h) => ({
      id: h.id,
      name: h.name,
      parentId: h.parent_id,
      path: idsOfPath(h.path_key)
        .slice(0, -1)
        .map((a) => ({ id: a, name: names.get(a)?.name ?? '…' })),
    })),
    nextCursor: more && last ? encodeCursor({ s: last.suffix, id: last.category_id }) : null,
  }
}

const nameTaken = (parentName: string | null) =>
  conflict(parentName ? msg('categoryForm.nameTakenIn', { parent: parentName }) : msg('categoryForm.nameTakenTop'), {
    name: parentName ? msg('categoryForm.nameTakenInField', { parent: parentName }) : msg('categoryForm.nameTakenTopField'),
  })

async function assertNameFree(tx: Tx, tenantId: string, parentId: string | null, name: string, parentName: string | null, exceptId?: string) {
  const except = exceptId ? sql`and c.id <> ${exceptId}::uuid` : sql``
  const [taken] = rowsOf<{ id: string }>(
    await tx.execute(sql`
      select c.id from categories c
      where c.tenant_id = ${tenantId} and ${parentIs(parentId)} and c.name_key = lower(${name}) collate "C" and not c.is_deleted ${except}
      limit 1`),
  )
  if (taken) throw nameTaken(parentName)
}

/** Next free position at the end of a parent's children (max over the (tenant, parent, position) index). */
async function endPosition(tx: Tx, tenantId: string, parentId: string | null) {
  const [row] = rowsOf<{ p: number | null }>(
    await tx.execute(sql`select max(c.position) as p from categories c where c.tenant_id = ${tenantId} and ${parentIs(parentId)}`),
  )
  return row?.p == null ? 0 : Number(row.p) + 1
}

export async function createCategory(tx: Tx, tenantId: string, input: CreateCategoryInput) {
  await lockTree(tx, tenantId, 'shared')
  const parent = input.parentId ? await requireLiveCategory(tx, tenantId, input.parentId, { lock: 'share', what: 'parentCategory' }) : null
  await assertNameFree(tx, tenantId, input.parentId, input.name, parent?.name ?? null)
  const position = await endPosition(tx, tenantId, input.parentId)
  try {
    const [row] = rowsOf<{ id: string; name: string; parent_id: string | null }>(
      await tx.execute(sql`
        insert into categories (tenant_id, parent_id, name, description, metadata, position)
        values (${tenantId}, ${input.parentId}::uuid, ${input.name}, ${input.description}, ${JSON.stringify(input.metadata)}::jsonb, ${position})
        returning id, name, parent_id`),
    )
    if (!row) throw new Error('createCategory: insert returned no row')
    return { id: row.id, name: row.name, parentId: row.parent_id }
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(parent?.name ?? null)
    throw error
  }
}

export async function updateCategory(tx: Tx, tenantId: string, { id, data }: UpdateCategoryInput) {
  const node = await requireLiveCategory(tx, tenantId, id, { lock: 'update' })
  if (data.name !== undefined && data.name !== node.name) {
    const parentName = node.parent_id ? ((await namesOf(tx, tenantId, [node.parent_id])).get(node.parent_id)?.name ?? null) : null
    await assertNameFree(tx, tenantId, node.parent_id, data.name, parentName, id)
  }
  const sets: SQL[] = []
  if (data.name !== undefined) sets.push(sql`name = ${data.name}`)
  if (data.description !== undefined) sets.push(sql`description = ${data.description}`)
  if (data.metadata !== undefined) sets.push(sql`metadata = ${JSON.stringify(data.metadata)}::jsonb`)
  if (sets.length === 0) return { id, name: node.name }
  try {
    const [row] = rowsOf<{ id: string; name: string }>(
      await tx.execute(sql`update categories set ${sql.join(sets, sql`, `)} where tenant_id = ${tenantId} and id = ${id}::uuid returning id, name`),
    )
    if (!row) throw notFound('category')
    return row
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(null)
    throw error
  }
}

export const treeChanged = (detail: string) =>
  new HttpError(409, 'tree_changed', msg('categoryForm.treeChanged', { detail }))
const cycle = () => new HttpError(409, 'cycle', msg('categoryForm.cycle'))

function isCheckViolation(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: string }).code === '23514') return true
  }
  return false
}

/**
 * Moves a category (with its subtree) under a new parent, or to another place among its siblings. Runs under the
 * tenant's tree lock, then compares the parent the person saw with the committed one: a concurrent move of the
 * same category is a 409, not a silent overwrite. The path trigger rewrites the subtree in the same statement.
 */
export async function moveCategory(tx: Tx, tenantId: string, input: MoveCategoryInput) {
  await lockTree(tx, tenantId, 'exclusive')
  const node = await requireLiveCategory(tx, tenantId, input.id, { lock: 'update' })
  if (node.parent_id !== input.expectedParentId) throw treeChanged(msg('categoryForm.movedAway', { name: node.name }))
  let parentName: string | null = null
  if (input.parentId) {
    if (input.parentId === node.id) throw cycle()
    const parentId = input.parentId
    const target = await requireLiveCategory(tx, tenantId, parentId, { what: 'targetCategory' }).catch(async (error: unknown) => {
      // A target deleted since the person chose it is a changed tree (409); one this tenant never had — another
      // tenant's id, a made-up one — is a 404, like every other foreign id.
      if (error instanceof HttpError && error.status === 404 && (await categoryExists(tx, tenantId, parentId))) throw treeChanged(msg('categoryForm.targetGone'))
      throw error
    })
    if (target.path_key.startsWith(`${node.path_key}.`)) throw cycle()
    parentName = target.name
  }
  if (input.parentId !== node.parent_id) await assertNameFree(tx, tenantId, input.parentId, node.name, parentName, node.id)

  let position: number
  if (input.beforeId) {
    if (input.beforeId === node.id) return { id: node.id, parentId: node.parent_id, position: node.position }
    const [before] = rowsOf<{ id: string; position: number }>(
      await tx.execute(sql`
        select c.id, c.position from categories c
        where c.tenant_id = ${tenantId} and c.id = ${input.beforeId}::uuid and ${parentIs(input.parentId)} and not c.is_deleted`),
    )
    if (!before) throw treeChanged(msg('categoryForm.neighbourMoved'))
    const at = Number(before.position)
    const [previous] = rowsOf<{ p: number | null }>(
      await tx.execute(sql`
        select max(p.position) as p from categories p
        where p.tenant_id = ${tenantId} and ${parentIs(input.parentId, 'p')} and not p.is_deleted and p.id <> ${node.id}::uuid
          and (p.position, p.id) < (${at}::int, ${before.id}::uuid)`),
    )
    const prev = previous?.p == null ? null : Number(previous.p)
    if (prev === null || prev < at - 1) {
      position = at - 1
    } else {
      // No gap before the target: shift it and the siblings after it by one (one statement).
      await tx.execute(sql`
        update categories c set position = c.position + 1
        where c.tenant_id = ${tenantId} and ${parentIs(input.parentId)} and not c.is_deleted and c.id <> ${node.id}::uuid
          and (c.position, c.id) >= (${at}::int, ${before.id}::uuid)`)
      position = at
    }
  } else {
    position = await endPosition(tx, tenantId, input.parentId)
  }
  try {
    await tx.execute(sql`
      update categories set parent_id = ${input.parentId}::uuid, position = ${position}
      where tenant_id = ${tenantId} and id = ${node.id}::uuid`)
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(parentName)
    if (isCheckViolation(error)) throw cycle()
    throw error
  }
  return { id: node.id, parentId: input.parentId, position }
}

/** Swaps a category with its previous or next live sibling: two single-row updates. */
export async function reorderCategory(tx: Tx, tenantId: string, input: ReorderCategoryInput) {
  await lockTree(tx, tenantId, 'exclusive')
  const node = await requireLiveCategory(tx, tenantId, input.id, { lock: 'update' })
  if (node.parent_id !== input.expectedParentId) throw treeChanged(msg('categoryForm.movedAway', { name: node.name }))
  const up = input.direction === 'up'
  const [neighbour] = rowsOf<{ id: string; position: number }>(
    await tx.execute(sql`
      select c.id, c.position from categories c
      where c.tenant_id = ${tenantId} and ${parentIs(node.parent_id)} and not c.is_deleted
        and (c.position, c.id) ${up ? sql`<` : sql`>`} (${node.position}::int, ${node.id}::uuid)
      order by c.position ${up ? sql`desc` : sql`asc`}, c.id ${up ? sql`desc` : sql`asc`} limit 1`),
  )
  if (!neighbour) throw badRequest(msg(up ? 'categoryForm.alreadyFirst' : 'categoryForm.alreadyLast', { name: node.name }))
  const other = Number(neighbour.position)
  // Equal positions (rows written outside the app) still swap: the moved one steps one past its neighbour.
  const mine = other === node.position ? (up ? other - 1 : other + 1) : other
  await tx.execute(sql`update categories set position = ${mine} where tenant_id = ${tenantId} and id = ${node.id}::uuid`)
  if (other !== node.position) {
    await tx.execute(sql`update categories set position = ${node.position} where tenant_id = ${tenantId} and id = ${neighbour.id}::uuid`)
  }
  return { id: node.id, position: mine }
}

/** How many live categories a delete would take with it (the node excluded), for the confirmation. */
export async function deleteImpact(tx: Tx, tenantId: string, id: string) {
  const node = await requireLiveCategory(tx, tenantId, id)
  const [row] = rowsOf<{ n: number }>(
    await tx.execute(sql`
      select count(*)::int as n from categories d
      where d.tenant_id = ${tenantId} and d.path_key > ${node.path_key} and d.path_key < ${`${node.path_key}/`} and not d.is_deleted`),
  )
  return { id: node.id, name: node.name, descendants: Number(row?.n ?? 0) }
}

/**
 * Moves a category and its live subtree to the trash in one statement, stamped with one actor and time, so the
 * trash shows one item and restores the subtree with it.
 */
export async function deleteCategory(tx: Tx, tenantId: string, id: string, actorId: string) {
  await lockTree(tx, tenantId, 'exclusive')
  const node = await requireLiveCategory(tx, tenantId, id, { lock: 'update' })
  const [row] = rowsOf<{ n: number }>(
    await tx.execute(sql`
      with gone as (
        update categories d set is_deleted = true, deleted_at = now(), deleted_by_id = ${actorId}::uuid
        where d.tenant_id = ${tenantId} and d.path_key >= ${node.path_key} and d.path_key < ${`${node.path_key}/`} and not d.is_deleted
        returning 1)
      select count(*)::int as n from gone`),
  )
  const total = Number(row?.n ?? 0)
  return { id: node.id, name: node.name, deleted: total, descendants: Math.max(0, total - 1) }
}

/** Restore is the trash's (its reasons: parent in the trash, name taken by a live sibling). */
export async function restoreCategory(tx: Tx, tenantId: string, id: string) {
  await lockTree(tx, tenantId, 'exclusive')
  await restoreItem(tx, 'category', id)
  const node = await requireLiveCategory(tx, tenantId, id)
  return { id: node.id, name: node.name, parentId: node.parent_id }
}
