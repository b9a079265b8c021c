import { type Column, eq, type SQL } from 'drizzle-orm'
import { currentScope } from './scope.server'

/**
 * The tenant of the scope the caller is in — from the verified scope, never from input. Every query of a tenant
 * table names it (`tenant_id = <this>`, ARCHITECTURE.md rule 10) besides RLS: the planner then knows the tenant
 * (index ranges, partition and shard pruning on Citus) instead of checking the policy row by row. Throws outside
 * a scope with a tenant (the console across tenants, the resolver).
 */
export function scopeTenantId(): string {
  const { tenantId } = currentScope()
  if (!tenantId) throw new Error('No tenant in this scope: a tenant query runs inside withTenant')
  return tenantId
}

/** `table.tenant_id = <the scope's tenant>`, for a `where` or a join's `on`. */
export function ofTenant(table: { tenantId: Column }): SQL {
  return eq(table.tenantId, scopeTenantId())
}
