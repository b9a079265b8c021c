import { and, eq, inArray, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rowsOf, type Tx } from '~/server/db/client.server'
import { categories } from '~/server/db/schema'
import { withTenant } from '~/server/db/scope.server'
import { ofTenant, scopeTenantId } from '~/server/db/tenant.server'
import { openTestDatabase, type TestDatabase } from '../support/db'
import { expectPgError, SQLSTATE } from '../support/errors'
import { createTenantWithData, type TenantData } from '../support/tenant-data'

let t: TestDatabase
let a: TenantData
let b: TenantData
beforeAll(async () => {
  t = await openTestDatabase()
  a = await createTenantWithData()
  b = await createTenantWithData()
}, 60_000)
afterAll(() => t.close())

/** ltree labels cannot hold '-' on PostgreSQL 15, so a node's label is its id in hex. */
const label = (id: string) => id.replaceAll('-', '')
const pathOf = (...ids: string[]) => ids.map(label).join('.')

const NODES = ['A', 'A1', 'A1a', 'A1a1', 'A1b', 'A2', 'B', 'B1'] as const
type Node = (typeof NODES)[number]
type Tree = Record<Node, string>

/**
 * A          B
 * ├─ A1      └─ B1
 * │  ├─ A1a
 * │  │  └─ A1a1
 * │  └─ A1b
 * └─ A2
 */
let planted = 0
/** Each planting gets its own root names: names are unique among live siblings, and roots are siblings. */
async function plantTree(f: TenantData): Promise<Tree> {
  planted += 1
  return withTenant({ tenantId: f.tenantId, userId: f.ownerId }, async (tx) => {
    const ids = {} as Tree
    const parents: Record<Node, Node | null> = { A: null, A1: 'A', A1a: 'A1', A1a1: 'A1a', A1b: 'A1', A2: 'A', B: null, B1: 'B' }
    for (const node of NODES) {
      const parent = parents[node]
      const [row] = await tx
        .insert(categories)
        .values({ tenantId: f.tenantId, name: `${node} #${planted}`, parentId: parent ? ids[parent] : null })
        .returning({ id: categories.id })
      if (!row) throw new Error('insert returned no row')
      ids[node] = row.id
    }
    return ids
  })
}

function scope<T>(f: TenantData, work: (tx: Tx) => Promise<T>) {
  return withTenant({ tenantId: f.tenantId, userId: f.ownerId }, work)
}

/** Node names of the subtree under `root` (itself included), by one path query. */
async function subtree(f: TenantData, tree: Tree, root: Node): Promise<Node[]> {
  const rows = await scope(f, (tx) =>
    tx
      .select({ id: categories.id })
      .from(categories)
      .where(
        and(
          ofTenant(categories),
          sql`${categories.path} <@ (select path from categories where tenant_id = ${scopeTenantId()} and id = ${tree[root]})`,
        ),
      ),
  )
  return names(tree, rows)
}

/** Node names on the way from a root down to `node`, by one path query. */
async function ancestors(f: TenantData, tree: Tree, node: Node): Promise<Node[]> {
  const rows = await scope(f, (tx) =>
    tx
      .select({ id: categories.id })
      .from(categories)
      .where(
        and(
          ofTenant(categories),
          sql`${categories.path} @> (select path from categories where tenant_id = ${scopeTenantId()} and id = ${tree[node]})`,
        ),
      )
      .orderBy(categories.depth),
  )
  return rows.map((r) => nameOf(tree, r.id))
}

function nameOf(tree: Tree, id: string): Node {
  const node = NODES.find((n) => tree[n] === id)
  if (!node) throw new Error(`row ${id} is not part of this tree`)
  return node
}

function names(tree: Tree, rows: { id: string }[]): Node[] {
  return rows.map((r) => nameOf(tree, r.id)).sort()
}

async function nodes(f: TenantData, tree: Tree) {
  const rows = await scope(f, (tx) =>
    tx
      .select({ id: categories.id, parentId: categories.parentId, path: categories.path, depth: categories.depth })
      .from(categories)
      .where(and(ofTenant(categories), inArray(categories.id, Object.values(tree)))),
  )
  return Object.fromEntries(rows.map((r) => [nameOf(tree, r.id), r])) as Record<Node, (typeof rows)[number]>
}

/** Every category of the tenant, as stored (the owner's view): what a failed move must leave exactly as it was. */
async function everything(f: TenantData) {
  return rowsOf<{ id: string; parent_id: string | null; path: string; depth: number; updated_at: unknown }>(
    await t.owner.db.execute(
      sql`select id, parent_id, path::text as path, depth, updated_at from categories where tenant_id = ${f.tenantId} order by id`,
    ),
  )
}

/** Ids of the tenant's categories whose path is not their parent's path plus their own label, or whose depth is off. */
async function inconsistent(f: TenantData): Promise<string[]> {
  const rows = rowsOf<{ id: string }>(
    await t.owner.db.execute(sql`
      select c.id from categories c
      left join categories p on p.tenant_id = c.tenant_id and p.id = c.parent_id
      where c.tenant_id = ${f.tenantId}
        and (c.path is distinct from case when c.parent_id is null then text2ltree(replace(c.id::text, '-', ''))
                                          else p.path || text2ltree(replace(c.id::text, '-', '')) end
             or c.depth <> nlevel(c.path) - 1)`),
  )
  return rows.map((r) => r.id)
}

function move(f: TenantData, id: string, parentId: string | null) {
  return scope(f, (tx) =>
    tx
      .update(categories)
      .set({ parentId })
      .where(and(eq(categories.tenantId, f.tenantId), eq(categories.id, id)))
      .returning({ id: categories.id }),
  )
}

describe('category tree', () => {
  it('keeps path and depth, so a subtree or the ancestors are one path query', async () => {
    const tree = await plantTree(a)
    const n = await nodes(a, tree)
    expect(Object.fromEntries(NODES.map((node) => [node, n[node].depth]))).toEqual({ A: 0, A1: 1, A1a: 2, A1a1: 3, A1b: 2, A2: 1, B: 0, B1: 1 })
    expect(n.A.path).toBe(pathOf(tree.A))
    expect(n.A1a.path).toBe(pathOf(tree.A, tree.A1, tree.A1a))
    expect(n.B1.path).toBe(pathOf(tree.B, tree.B1))

    expect(await subtree(a, tree, 'A')).toEqual(['A', 'A1', 'A1a', 'A1a1', 'A1b', 'A2'])
    expect(await subtree(a, tree, 'A1')).toEqual(['A1', 'A1a', 'A1a1', 'A1b'])
    expect(await subtree(a, tree, 'A1b')).toEqual(['A1b'])
    expect(await subtree(a, tree, 'B')).toEqual(['B', 'B1'])
    expect(await ancestors(a, tree, 'A1a1')).toEqual(['A', 'A1', 'A1a', 'A1a1'])
    expect(await inconsistent(a)).toEqual([])
  })

  it('moves a subtree with one UPDATE of parent_id, rewriting every descendant', async () => {
    const tree = await plantTree(a)
    const elsewhere = await plantTree(b)
    const otherTenant = await everything(b)

    expect(await move(a, tree.A1, tree.B1)).toHaveLength(1)
    let n = await nodes(a, tree)
    expect(n.A1).toMatchObject({ parentId: tree.B1, depth: 2, path: pathOf(tree.B, tree.B1, tree.A1) })
    expect(n.A1a).toMatchObject({ parentId: tree.A1, depth: 3, path: pathOf(tree.B, tree.B1, tree.A1, tree.A1a) })
    expect(n.A1a1).toMatchObject({ depth: 4, path: pathOf(tree.B, tree.B1, tree.A1, tree.A1a, tree.A1a1) })
    expect(n.A1b).toMatchObject({ depth: 3, path: pathOf(tree.B, tree.B1, tree.A1, tree.A1b) })
    expect(n.A2).toMatchObject({ depth: 1, path: pathOf(tree.A, tree.A2) })
    expect(await subtree(a, tree, 'A')).toEqual(['A', 'A2'])
    expect(await subtree(a, tree, 'B')).toEqual(['A1', 'A1a', 'A1a1', 'A1b', 'B', 'B1'])
    expect(await ancestors(a, tree, 'A1a1')).toEqual(['B', 'B1', 'A1', 'A1a', 'A1a1'])
    expect(await inconsistent(a)).toEqual([])

    // Up to the top level, then back under A.
    await move(a, tree.A1, null)
    n = await nodes(a, tree)
    expect([n.A1.depth, n.A1a.depth, n.A1a1.depth, n.A1b.depth]).toEqual([0, 1, 2, 1])
    expect(n.A1a1.path).toBe(pathOf(tree.A1, tree.A1a, tree.A1a1))
    expect(await subtree(a, tree, 'B')).toEqual(['B', 'B1'])
    await move(a, tree.A1, tree.A2)
    expect(await ancestors(a, tree, 'A1a1')).toEqual(['A', 'A2', 'A1', 'A1a', 'A1a1'])
    expect(await inconsistent(a)).toEqual([])

    // The other tenant's identical tree never moved.
    expect(await everything(b)).toEqual(otherTenant)
    expect(await subtree(b, elsewhere, 'A')).toEqual(['A', 'A1', 'A1a', 'A1a1', 'A1b', 'A2'])
  })

  it('refuses to move a node under itself or under one of its descendants, and changes nothing', async () => {
    const tree = await plantTree(a)
    const before = await everything(a)
    const cycles: [Node, Node][] = [
      ['A', 'A'],
      ['A1', 'A1'],
      ['A', 'A1'],
      ['A', 'A1a1'],
      ['A1', 'A1b'],
    ]
    for (const [node, under] of cycles) {
      await expectPgError(move(a, tree[node], tree[under]), SQLSTATE.checkViolation, /cannot be moved into itself or its own subtree/)
    }
    expect(await everything(a)).toEqual(before)
  })

  it('refuses several moves in one statement, which could close a cycle, and changes nothing', async () => {
    const tree = await plantTree(a)
    const before = await everything(a)
    const together: [Node, Node][][] = [
      // Each move alone is allowed; together they make the loop A → B → A1 → A.
      [
        ['A', 'B'],
        ['B', 'A1'],
      ],
      [
        ['B', 'A1'],
        ['A', 'B'],
      ],
      [
        ['A', 'B1'],
        ['B', 'A2'],
      ],
      // No loop, but A's descendants would be rewritten from A1's path before A1 moved.
      [
        ['A', 'B'],
        ['A1', 'B'],
      ],
    ]
    for (const moves of together) {
      const cases = sql.join(
        moves.map(([node, under]) => sql`when ${tree[node]}::uuid then ${tree[under]}::uuid`),
        sql` `,
      )
      const ids = moves.map(([node]) => tree[node])
      await expectPgError(
        scope(a, (tx) => tx.execute(sql`update categories set parent_id = case id ${cases} end where tenant_id = ${a.tenantId} and id in ${ids}`)),
        SQLSTATE.checkViolation,
        /cannot be moved into itself or its own subtree|only one category can be moved per statement/,
      )
      expect(await everything(a)).toEqual(before)
      expect(await inconsistent(a)).toEqual([])
    }
  })

  it('allows several moves in one transaction, one per statement, and statements that keep the parent', async () => {
    const tree = await plantTree(a)
    await scope(a, async (tx) => {
      const moveIn = (node: Node, under: Node) =>
        tx.update(categories).set({ parentId: tree[under] }).where(and(eq(categories.tenantId, a.tenantId), eq(categories.id, tree[node])))
      await moveIn('A', 'B1')
      await moveIn('A1', 'B')
      await moveIn('A1a1', 'A2')
      // Re-stating the parent of several rows moves nothing, so it is allowed.
      await tx
        .update(categories)
        .set({ parentId: tree.A, position: sql`${categories.position} + 1` })
        .where(and(ofTenant(categories), inArray(categories.id, [tree.A2])))
      await tx
        .update(categories)
        .set({ parentId: tree.A1, position: 7 })
        .where(and(ofTenant(categories), inArray(categories.id, [tree.A1a, tree.A1b])))
    })
    expect(await ancestors(a, tree, 'A1a1')).toEqual(['B', 'B1', 'A', 'A2', 'A1a1'])
    expect(await ancestors(a, tree, 'A1b')).toEqual(['B', 'A1', 'A1b'])
    expect(await subtree(a, tree, 'B')).toEqual(['A', 'A1', 'A1a', 'A1a1', 'A1b', 'A2', 'B', 'B1'])
    expect(await inconsistent(a)).toEqual([])
  })

  it("refuses another tenant's category as a parent", async () => {
    const tree = await plantTree(a)
    const foreign = await plantTree(b)
    const [mine, theirs] = [await everything(a), await everything(b)]

    await expectPgError(
      scope(a, (tx) => tx.insert(categories).values({ tenantId: a.tenantId, name: 'Stowaway', parentId: foreign.A1 })),
      SQLSTATE.foreignKeyViolation,
    )
    await expectPgError(move(a, tree.A2, foreign.A1), SQLSTATE.foreignKeyViolation)
    await expectPgError(move(a, tree.A, foreign.B), SQLSTATE.foreignKeyViolation)

    expect(await everything(a)).toEqual(mine)
    expect(await everything(b)).toEqual(theirs)
  })

  it('refuses a statement that writes path or depth directly, and changes nothing', async () => {
    const tree = await plantTree(a)
    const before = await everything(a)
    await expectPgError(
      scope(a, (tx) => tx.update(categories).set({ path: pathOf(tree.B, tree.A1) }).where(and(ofTenant(categories), eq(categories.id, tree.A1)))),
      SQLSTATE.insufficientPrivilege,
      /maintained by the database/,
    )
    await expectPgError(
      scope(a, (tx) => tx.update(categories).set({ depth: 7 }).where(and(ofTenant(categories), eq(categories.id, tree.A2)))),
      SQLSTATE.insufficientPrivilege,
    )
    expect(await everything(a)).toEqual(before)
  })
})
