import { eq, sql } from 'drizzle-orm'
import { rowsOf, type Tx } from '~/server/db/client.server'
import { auditEventOutbox, type JsonObject, tenantFigures, tenants } from '~/server/db/schema'

/**
 * Every write to `tenants` goes through here. The table has no row audit trigger: on Citus it is a reference table,
 * whose shard triggers fire once per node and cannot write the distributed audit log (docs/decisions/017). So the
 * change is recorded as a domain event through the outbox, for the tenant itself, with the row before and after
 * (the outbox accepts a CREATE or UPDATE of `tenants` only for the event's own tenant row). A test keeps other code
 * from writing `tenants` directly (`tests/integration/distribution.test.ts`).
 */
export type TenantInsert = typeof tenants.$inferInsert
type TenantChanges = { [K in keyof TenantInsert]?: TenantInsert[K] | ReturnType<typeof sql> }

/** The stored row as JSON with its column names, as a row trigger would have recorded it. */
async function storedRow(tx: Tx, id: string): Promise<JsonObject | null> {
  const rows = rowsOf<{ row: JsonObject }>(await tx.execute(sql`select to_jsonb(t) as row from tenants t where t.id = ${id}`))
  return rows[0]?.row ?? null
}

async function record(tx: Tx, id: string, action: 'CREATE' | 'UPDATE', old: JsonObject | null, row: JsonObject | null) {
  await tx.insert(auditEventOutbox).values({ tenantId: id, action, tableName: 'tenants', recordId: id, details: { old, new: row } })
}

/** A new tenant, recorded, with its figures row (zeros until counted: the console's list joins it, decision 022). */
export async function insertTenant(tx: Tx, values: TenantInsert) {
  const [tenant] = await tx.insert(tenants).values(values).returning()
  if (!tenant) throw new Error('insertTenant: insert returned no row')
  await tx.insert(tenantFigures).values({ tenantId: tenant.id })
  await record(tx, tenant.id, 'CREATE', null, await storedRow(tx, tenant.id))
  return tenant
}

/** Updates one tenant row and records the change; undefined when the scope cannot see that tenant. */
export async function updateTenant(tx: Tx, id: string, changes: TenantChanges) {
  const before = await storedRow(tx, id)
  if (!before) return undefined
  const [row] = await tx.update(tenants).set(changes).where(eq(tenants.id, id)).returning()
  if (!row) return undefined
  await record(tx, id, 'UPDATE', before, await storedRow(tx, id))
  return row
}
