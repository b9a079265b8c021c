import { inEnglish } from '../support/errors'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createCategory,
  deleteCategory,
  deleteImpact,
  findChildren,
  getCategory,
  moveCategory,
  reorderCategory,
  restoreCategory,
  revealCategory,
  searchCategories,
  updateCategory,
} from '~/features/categories/categories.server'
import { findTrash, restoreItem } from '~/features/trash/trash.server'
import { HttpError } from '~/lib/errors'
import { i18nFor } from '~/lib/i18n'
import { rowsOf, type Tx } from '~/server/db/client.server'
import { withTenant } from '~/server/db/scope.server'
import { openTestDatabase, type TestDatabase } from '../support/db'
import { createTestTenant } from '../support/fixtures'

type Tenant = { tenantId: string; ownerId: string }

let t: TestDatabase
let a: Tenant
let b: Tenant

async function tenant(): Promise<Tenant> {
  const { tenant, owner } = await createTestTenant()
  return { tenantId: tenant.id, ownerId: owner.id }
}

beforeAll(async () => {
  t = await openTestDatabase()
  a = await tenant()
  b = await tenant()
}, 60_000)
afterAll(() => t.close())

function as<T>(f: Tenant, work: (tx: Tx, tenantId: string) => Promise<T>): Promise<T> {
  return withTenant({ tenantId: f.tenantId, userId: f.ownerId, requestId: 'categories-test' }, (tx) => work(tx, f.tenantId))
}

async function httpError(work: Promise<unknown>): Promise<HttpError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(HttpError)
  return error as HttpError
}

const create = (f: Tenant, name: string, parentId: string | null = null, extra: { description?: string; metadata?: Record<string, string> } = {}) =>
  as(f, (tx, tenantId) => createCategory(tx, tenantId, { parentId, name, description: extra.description ?? '', metadata: extra.metadata ?? {} }))

/** Builds `{ name: [children...] }` under `parentId`, returning every created id by name. */
async function plant(f: Tenant, spec: Record<string, unknown>, parentId: string | null = null, ids: Record<string, string> = {}) {
  for (const [name, children] of Object.entries(spec)) {
    const row = await create(f, name, parentId)
    ids[name] = row.id
    if (children && typeof children === 'object') await plant(f, children as Record<string, unknown>, row.id, ids)
  }
  return ids
}

const children = (f: Tenant, parentId: string | null, pageSize = 100, cursor?: string) =>
  as(f, (tx, tenantId) => findChildren(tx, tenantId, { parentId, pageSize, cursor }))
const names = async (f: Tenant, parentId: string | null) => (await children(f, parentId)).items.map((n) => n.name)

/** Every category row of a tenant, as the owner sees it, to prove a refused call changed nothing. */
const snapshot = (f: Tenant) =>
  as(f, async (tx, tenantId) =>
    rowsOf(
      await tx.execute(sql`select id, parent_id, name, description, metadata, path_key, position, is_deleted from categories where tenant_id = ${tenantId} order by id`),
    ),
  )

describe('browsing', () => {
  let ids: Record<string, string>
  beforeAll(async () => {
    ids = await plant(a, {
      Hardware: { Laptops: { '14-inch': { Ultralight: null }, '16-inch': null }, Desktops: null },
      Software: { Editors: null },
    })
  })

  it('lists roots and children in order with child and descendant counts', async () => {
    const roots = (await children(a, null)).items
    expect(roots.map((r) => [r.name, r.childCount, r.descendantCount])).toEqual([
      ['Hardware', 2, 5],
      ['Software', 1, 1],
    ])
    const laptops = (await children(a, ids.Hardware ?? null)).items.find((n) => n.name === 'Laptops')
    expect(laptops).toMatchObject({ childCount: 2, descendantCount: 3, depth: 1, parentId: ids.Hardware })
  })

  it('pages children by keyset without gaps or repeats', async () => {
    const parent = await create(a, 'Many')
    for (let i = 0; i < 7; i++) await create(a, `Item ${i}`, parent.id)
    const seen: string[] = []
    let cursor: string | undefined
    do {
      const page = await children(a, parent.id, 3, cursor)
      seen.push(...page.items.map((n) => n.name))
      cursor = page.nextCursor ?? undefined
    } while (cursor)
    expect(seen).toEqual(Array.from({ length: 7 }, (_, i) => `Item ${i}`))
  })

  it('gives details: breadcrumb, exact counts, metadata and who created it', async () => {
    const leaf = await create(a, 'Detailed', ids['14-inch'] ?? null, { description: 'Thin ones', metadata: { sku: 'U-14' } })
    const details = await as(a, (tx, tenantId) => getCategory(tx, tenantId, leaf.id))
    expect(details.ancestors.map((x) => x.name)).toEqual(['Hardware', 'Laptops', '14-inch'])
    expect(details).toMatchObject({ name: 'Detailed', description: 'Thin ones', metadata: { sku: 'U-14' }, depth: 3, childCount: 0 })
    expect(details.createdBy).toEqual(expect.stringContaining('Owner of'))
    expect(details.updatedBy).toEqual(expect.stringContaining('Owner of'))
    const hardware = await as(a, (tx, tenantId) => getCategory(tx, tenantId, ids.Hardware ?? ''))
    expect(hardware.descendantCount).toBe(6)
  })

  it('reveals a deep node: every level down to it in one call', async () => {
    const revealed = await as(a, (tx, tenantId) => revealCategory(tx, tenantId, ids.Ultralight ?? '', 50))
    expect(revealed.ancestors.map((x) => x.name)).toEqual(['Hardware', 'Laptops', '14-inch'])
    expect(revealed.levels.map((l) => l.items.map((n) => n.name))).toEqual([
      ['Hardware', 'Software', 'Many'],
      ['Laptops', 'Desktops'],
      ['14-inch', '16-inch'],
      ['Ultralight', 'Detailed'],
    ])
  })

  it('searches by any part of a name, case-insensitively, with each hit’s path', async () => {
    const result = await as(a, (tx, tenantId) => searchCategories(tx, tenantId, { q: '14-IN', limit: 10 }))
    expect(result.items.map((h) => [h.name, h.path.map((p) => p.name).join(' › ')])).toEqual([['14-inch', 'Hardware › Laptops']])
    const items = await as(a, (tx, tenantId) => searchCategories(tx, tenantId, { q: 'item', limit: 4 }))
    expect(items.items).toHaveLength(4)
    const rest = await as(a, (tx, tenantId) => searchCategories(tx, tenantId, { q: 'item', limit: 4, cursor: items.nextCursor ?? undefined }))
    expect(rest.items.map((h) => h.name)).toEqual(['Item 4', 'Item 5', 'Item 6'])
    expect(rest.nextCursor).toBeNull()
  })

  it('finds a name by text inside it, once per category even when the text occurs twice', async () => {
    const inch = await as(a, (tx, tenantId) => searchCategories(tx, tenantId, { q: 'INCH', limit: 10 }))
    expect(inch.items.map((h) => h.name).sort()).toEqual(['14-inch', '16-inch'])
    expect((await as(a, (tx, tenantId) => searchCategories(tx, tenantId, { q: 'ralig', limit: 10 }))).items.map((h) => h.name)).toEqual(['Ultralight'])
    const twice = await create(a, 'Tom-tom maps')
    const tom = await as(a, (tx, tenantId) => searchCategories(tx, tenantId, { q: 'tom', limit: 10 }))
    expect(tom.items.filter((h) => h.id === twice.id)).toHaveLength(1)
    expect(tom.nextCursor).toBeNull()
    await as(a, (tx, tenantId) => deleteCategory(tx, tenantId, twice.id, a.ownerId))
  })

  it('follows renames, deletes and restores', async () => {
    const row = await create(a, 'Quokka care')
    const find = (q: string) => as(a, async (tx, tenantId) => (await searchCategories(tx, tenantId, { q, limit: 10 })).items.map((h) => h.name))
    expect(await find('okka')).toEqual(['Quokka care'])
    await as(a, (tx, tenantId) => updateCategory(tx, tenantId, { id: row.id, data: { name: 'Wombat care' } }))
    expect(await find('okka')).toEqual([])
    expect(await find('mbat')).toEqual(['Wombat care'])
    await as(a, (tx, tenantId) => deleteCategory(tx, tenantId, row.id, a.ownerId))
    expect(await find('mbat')).toEqual([])
    await as(a, (tx, tenantId) => restoreCategory(tx, tenantId, row.id))
    expect(await find('mbat')).toEqual(['Wombat care'])
    await as(a, (tx, tenantId) => deleteCategory(tx, tenantId, row.id, a.ownerId))
    const audited = await as(a, async (tx, tenantId) =>
      rowsOf<{ n: number }>(
        await tx.execute(sql`select count(*)::int as n from audit_log where tenant_id = ${tenantId} and table_name = 'category_name_suffixes'`),
      ),
    )
    expect(audited[0]?.n).toBe(0)
  })

  it('does not find another tenant’s categories or deleted ones', async () => {
    await create(b, 'Hardware from b')
    const result = await as(a, (tx, tenantId) => searchCategories(tx, tenantId, { q: 'hardware', limit: 10 }))
    expect(result.items.map((h) => h.name)).toEqual(['Hardware'])
  })
})

describe('editing', () => {
  it('creates roots and children; a sibling name is a field error, case-insensitively', async () => {
    const root = await create(a, 'Garden')
    await create(a, 'Tools', root.id)
    const error = await httpError(create(a, 'tools', root.id))
    expect(error).toMatchObject({ status: 409, fieldErrors: { name: expect.stringContaining('Garden') } })
    const top = await httpError(create(a, 'GARDEN'))
    expect(top).toMatchObject({ status: 409, fieldErrors: { name: expect.any(String) } })
    expect((await create(a, 'Tools')).name).toBe('Tools')
  })

  it('renames and edits description and metadata; a taken name is a field error', async () => {
    const root = await create(a, 'Kitchen')
    const pans = await create(a, 'Pans', root.id)
    await create(a, 'Pots', root.id)
    await as(a, (tx, tenantId) => updateCategory(tx, tenantId, { id: pans.id, data: { name: 'Frying pans', description: 'Flat', metadata: { material: 'steel' } } }))
    expect(await as(a, (tx, tenantId) => getCategory(tx, tenantId, pans.id))).toMatchObject({
      name: 'Frying pans',
      description: 'Flat',
      metadata: { material: 'steel' },
    })
    const error = await httpError(as(a, (tx, tenantId) => updateCategory(tx, tenantId, { id: pans.id, data: { name: 'POTS' } })))
    expect(error).toMatchObject({ status: 409, fieldErrors: { name: expect.any(String) } })
  })

  it('moves a subtree under another parent, rewriting paths, and audits it as a parent change', async () => {
    const ids = await plant(a, { 'Move from': { Branch: { Twig: { Leaf: null } } }, 'Move to': null })
    await as(a, (tx, tenantId) => moveCategory(tx, tenantId, { id: ids.Branch ?? '', parentId: ids['Move to'] ?? null, expectedParentId: ids['Move from'] ?? null, beforeId: null }))
    const leaf = await as(a, (tx, tenantId) => getCategory(tx, tenantId, ids.Leaf ?? ''))
    expect(leaf.ancestors.map((x) => x.name)).toEqual(['Move to', 'Branch', 'Twig'])
    expect(await names(a, ids['Move from'] ?? null)).toEqual([])
    const [audit] = await as(a, async (tx, tenantId) =>
      rowsOf<{ old_parent: string; new_parent: string }>(
        await tx.execute(sql`select old_values->>'parent_id' as old_parent, new_values->>'parent_id' as new_parent from audit_log
          where tenant_id = ${tenantId} and table_name = 'categories' and record_id = ${ids.Branch}::uuid and action = 'UPDATE'
          order by created_at desc limit 1`),
      ),
    )
    expect(audit).toEqual({ old_parent: ids['Move from'], new_parent: ids['Move to'] })
  })

  it('places a moved category before a given sibling, and moves to the top level', async () => {
    const ids = await plant(a, { Shelf: { S1: null, S2: null, S3: null }, Loose: null })
    await as(a, (tx, tenantId) => moveCategory(tx, tenantId, { id: ids.Loose ?? '', parentId: ids.Shelf ?? null, expectedParentId: null, beforeId: ids.S2 ?? null }))
    expect(await names(a, ids.Shelf ?? null)).toEqual(['S1', 'Loose', 'S2', 'S3'])
    await as(a, (tx, tenantId) => moveCategory(tx, tenantId, { id: ids.S3 ?? '', parentId: ids.Shelf ?? null, expectedParentId: ids.Shelf ?? null, beforeId: ids.S1 ?? null }))
    expect(await names(a, ids.Shelf ?? null)).toEqual(['S3', 'S1', 'Loose', 'S2'])
    await as(a, (tx, tenantId) => moveCategory(tx, tenantId, { id: ids.S1 ?? '', parentId: null, expectedParentId: ids.Shelf ?? null, beforeId: null }))
    expect((await names(a, null)).at(-1)).toBe('S1')
  })

  it('refuses a move into the category itself or its own subtree, changing nothing', async () => {
    const ids = await plant(a, { Cyc: { CycChild: { CycGrand: null } } })
    const before = await snapshot(a)
    for (const target of [ids.Cyc, ids.CycChild, ids.CycGrand]) {
      const error = await httpError(
        as(a, (tx, tenantId) => moveCategory(tx, tenantId, { id: ids.Cyc ?? '', parentId: target ?? null, expectedParentId: null, beforeId: null })),
      )
      expect(inEnglish(error)).toMatchObject({ status: 409, code: 'cycle', message: expect.stringContaining('its own subcategories') })
    }
    expect(await snapshot(a)).toEqual(before)
  })

  it('refuses a move whose target already has a category of that name', async () => {
    const ids = await plant(a, { Here: { Twin: null }, There: { twin: null } })
    const error = await httpError(
      as(a, (tx, tenantId) => moveCategory(tx, tenantId, { id: ids.Twin ?? '', parentId: ids.There ?? null, expectedParentId: ids.Here ?? null, beforeId: null })),
    )
    expect(error).toMatchObject({ status: 409, fieldErrors: { name: expect.stringContaining('There') } })
  })

  it('answers 409 "the tree changed" when the category is no longer where the client saw it', async () => {
    const ids = await plant(a, { Old: { Mover: null }, New1: null, New2: null })
    await as(a, (tx, tenantId) => moveCategory(tx, tenantId, { id: ids.Mover ?? '', parentId: ids.New1 ?? null, expectedParentId: ids.Old ?? null, beforeId: null }))
    const error = await httpError(
      as(a, (tx, tenantId) => moveCategory(tx, tenantId, { id: ids.Mover ?? '', parentId: ids.New2 ?? null, expectedParentId: ids.Old ?? null, beforeId: null })),
    )
    expect(inEnglish(error)).toMatchObject({ status: 409, code: 'tree_changed', message: expect.stringContaining('tree changed') })
    expect(await names(a, ids.New1 ?? null)).toEqual(['Mover'])
  })

  it('two concurrent moves of one category: one wins, the other gets 409, the tree stays consistent', async () => {
    const ids = await plant(a, { RaceFrom: { Racer: { RacerChild: null } }, RaceA: null, RaceB: null })
    const move = (target: string | undefined) =>
      as(a, (tx, tenantId) => moveCategory(tx, tenantId, { id: ids.Racer ?? '', parentId: target ?? null, expectedParentId: ids.RaceFrom ?? null, beforeId: null }))
    const results = await Promise.allSettled([move(ids.RaceA), move(ids.RaceB)])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const rejected = results.find((r) => r.status === 'rejected')
    expect(rejected && (rejected.reason as HttpError).code).toBe('tree_changed')
    const child = await as(a, (tx, tenantId) => getCategory(tx, tenantId, ids.RacerChild ?? ''))
    expect(child.ancestors.map((x) => x.name)).toEqual([(await names(a, ids.RaceA ?? null)).length ? 'RaceA' : 'RaceB', 'Racer'])
  })

  it('two concurrent crossing moves (A under B, B under A) never close a loop', async () => {
    const ids = await plant(a, { CrossA: null, CrossB: null })
    const results = await Promise.allSettled([
      as(a, (tx, tenantId) => moveCategory(tx, tenantId, { id: ids.CrossA ?? '', parentId: ids.CrossB ?? null, expectedParentId: null, beforeId: null })),
      as(a, (tx, tenantId) => moveCategory(tx, tenantId, { id: ids.CrossB ?? '', parentId: ids.CrossA ?? null, expectedParentId: null, beforeId: null })),
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const rejected = results.find((r) => r.status === 'rejected')
    expect(rejected && (rejected.reason as HttpError).status).toBe(409)
    const roots = await names(a, null)
    expect(roots.includes('CrossA') !== roots.includes('CrossB')).toBe(true)
  })

  it('reorders among siblings with move up and down', async () => {
    const ids = await plant(a, { Order: { O1: null, O2: null, O3: null } })
    const reorder = (id: string | undefined, direction: 'up' | 'down') =>
      as(a, (tx, tenantId) => reorderCategory(tx, tenantId, { id: id ?? '', direction, expectedParentId: ids.Order ?? null }))
    await reorder(ids.O3, 'up')
    expect(await names(a, ids.Order ?? null)).toEqual(['O1', 'O3', 'O2'])
    await reorder(ids.O1, 'down')
    expect(await names(a, ids.Order ?? null)).toEqual(['O3', 'O1', 'O2'])
    expect(inEnglish(await httpError(reorder(ids.O3, 'up')))).toMatchObject({ status: 400, message: expect.stringContaining('already first') })
  })
})

describe('delete and restore', () => {
  it('soft-deletes a subtree with its count; the trash shows one item and restores all of it', async () => {
    const ids = await plant(a, { Doomed: { D1: { D11: null }, D2: null } })
    expect(await as(a, (tx, tenantId) => deleteImpact(tx, tenantId, ids.Doomed ?? ''))).toMatchObject({ descendants: 3 })
    expect(await as(a, (tx, tenantId) => deleteCategory(tx, tenantId, ids.Doomed ?? '', a.ownerId))).toMatchObject({ deleted: 4, descendants: 3 })
    expect(await names(a, null)).not.toContain('Doomed')
    expect(await httpError(children(a, ids.Doomed ?? null))).toMatchObject({ status: 404 })
    const trash = await as(a, (tx) => findTrash(tx, { types: ['category'], pageSize: 50 }))
    expect(trash.items.filter((i) => Object.values(ids).includes(i.id)).map((i) => i.name)).toEqual(['Doomed'])
    await as(a, (tx, tenantId) => restoreCategory(tx, tenantId, ids.Doomed ?? ''))
    expect((await as(a, (tx, tenantId) => getCategory(tx, tenantId, ids.D11 ?? ''))).ancestors.map((x) => x.name)).toEqual(['Doomed', 'D1'])
  })

  it('restore is refused when a live sibling took the name, or the parent is in the trash', async () => {
    const ids = await plant(a, { Shed: { Rake: { Tine: null } } })
    await as(a, (tx, tenantId) => deleteCategory(tx, tenantId, ids.Rake ?? '', a.ownerId))
    await create(a, 'rake', ids.Shed ?? null)
    const taken = await httpError(as(a, (tx, tenantId) => restoreCategory(tx, tenantId, ids.Rake ?? '')))
    expect(inEnglish(taken)).toMatchObject({ status: 409, message: expect.stringContaining('rake') })

    const tine = await httpError(as(a, (tx) => restoreItem(tx, 'category', ids.Tine ?? '')))
    expect(inEnglish(tine)).toMatchObject({ status: 409, message: expect.stringContaining('parent') })
    await as(a, (tx, tenantId) => deleteCategory(tx, tenantId, ids.Shed ?? '', a.ownerId))
    const parentGone = await httpError(as(a, (tx, tenantId) => restoreCategory(tx, tenantId, ids.Rake ?? '')))
    expect(inEnglish(parentGone)).toMatchObject({ status: 409, message: expect.stringContaining('parent category is in the trash') })
  })
})

describe('another tenant', () => {
  it('gets 404 for every function with a foreign id, and nothing changes', async () => {
    const ids = await plant(a, { Private: { Secret: null } })
    await create(b, 'Target in b')
    const [bRoot] = (await children(b, null)).items
    const before = await snapshot(a)
    const id = ids.Private ?? ''
    const calls: Array<(tx: Tx, tenantId: string) => Promise<unknown>> = [
      (tx, tenantId) => findChildren(tx, tenantId, { parentId: id, pageSize: 10 }),
      (tx, tenantId) => revealCategory(tx, tenantId, id, 10),
      (tx, tenantId) => getCategory(tx, tenantId, id),
      (tx, tenantId) => createCategory(tx, tenantId, { parentId: id, name: 'Intruder', description: '', metadata: {} }),
      (tx, tenantId) => updateCategory(tx, tenantId, { id, data: { name: 'Renamed' } }),
      (tx, tenantId) => moveCategory(tx, tenantId, { id, parentId: bRoot?.id ?? null, expectedParentId: null, beforeId: null }),
      (tx, tenantId) => reorderCategory(tx, tenantId, { id, direction: 'down', expectedParentId: null }),
      (tx, tenantId) => deleteImpact(tx, tenantId, id),
      (tx, tenantId) => deleteCategory(tx, tenantId, id, b.ownerId),
      (tx, tenantId) => restoreCategory(tx, tenantId, id),
    ]
    for (const call of calls) expect(await httpError(as(b, call))).toMatchObject({ status: 404 })
    // b's own category moved under a's node: a target this tenant never had is a 404 too.
    const foreignTarget = await httpError(
      as(b, (tx, tenantId) => moveCategory(tx, tenantId, { id: bRoot?.id ?? '', parentId: id, expectedParentId: null, beforeId: null })),
    )
    expect(foreignTarget.status).toBe(404)
    // Whereas b's own target, deleted since it was chosen, is a changed tree (409).
    const gone = await create(b, 'Gone in b')
    await as(b, (tx, tenantId) => deleteCategory(tx, tenantId, gone.id, b.ownerId))
    const goneTarget = await httpError(
      as(b, (tx, tenantId) => moveCategory(tx, tenantId, { id: bRoot?.id ?? '', parentId: gone.id, expectedParentId: null, beforeId: null })),
    )
    expect(goneTarget).toMatchObject({ status: 409, code: 'tree_changed' })
    expect((await as(b, (tx, tenantId) => searchCategories(tx, tenantId, { q: 'secret', limit: 10 }))).items).toEqual([])
    expect(await snapshot(a)).toEqual(before)
  })
})

describe('the counts the category screens show', () => {
  it('read in the singular for one and the plural for more, in English and German', () => {
    const en = i18nFor('en')
    const de = i18nFor('de')
    expect(en.t('catalog.counts', { count: 1, all: '3' })).toBe('1 subcategory, 3 in all')
    expect(en.t('catalog.counts', { count: 2, all: '3' })).toBe('2 subcategories, 3 in all')
    expect(en.t('category.trashedMany', { name: 'Tools', count: 1 })).toBe('Moved Tools and 1 subcategory to the trash')
    expect(en.t('category.trashedMany', { name: 'Tools', count: 1200 })).toBe('Moved Tools and 1,200 subcategories to the trash')
    expect(en.t('category.deleteMany', { count: 2 })).toBe('Delete 2 categories')
    expect(de.t('catalog.counts', { count: 1, all: '3' })).toBe('1 Unterkategorie, 3 insgesamt')
    expect(de.t('category.trashedMany', { name: 'Werkzeug', count: 1 })).toBe('Werkzeug und 1 Unterkategorie in den Papierkorb verschoben')
    expect(de.t('category.trashedMany', { name: 'Werkzeug', count: 2 })).toBe('Werkzeug und 2 Unterkategorien in den Papierkorb verschoben')
  })
})
