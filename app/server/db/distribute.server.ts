import { type SQL, sql } from 'drizzle-orm'
import { type AppDb, rowsOf, type Tx } from './client.server'

/**
 * The distribution step for Citus (docs/decisions/017): a no-op unless the `citus` extension is installed in the
 * database; otherwise every tenant table (every table in `public` with a `tenant_id` column) becomes a distributed
 * table on `tenant_id`, all co-located, and the tables below become reference tables or stay local. It reads what
 * to do from the catalog, so a later migration that adds a tenant table is distributed by the next run; the schema
 * guard fails for a table that is in none of the three classes. Idempotent: a run with nothing left to do changes
 * nothing in the schema.
 */

/** Every node holds these whole: the tenants (resolved by Host, joined by every tenant table) and the permission catalog. */
export const REFERENCE_TABLES = ['tenants', 'permissions'] as const
/**
 * Never distributed. The throttle buckets are keyed by a hash, not a tenant, and stay on the coordinator; the
 * context-signing key stays there too, and each worker gets its own copy (the policies on the shards verify the
 * context there, and a query on a shard may not read a Citus table).
 */
export const LOCAL_TABLES = ['auth_rate_limits', 'haven_context_keys'] as const
export const DISTRIBUTION_COLUMN = 'tenant_id'
/**
 * Roles the coordinator connects to the workers as: Citus opens worker connections as the current user, which is the
 * role a request entered (SET LOCAL ROLE) or haven_owner for the audit chain's sealing and retention.
 */
export const WORKER_LOGIN_ROLES = ['haven_tenant', 'haven_console', 'haven_owner'] as const

export type DistributionPlan = {
  /** Tables distributed by tenant_id, in a co-location group. */
  distributed: string[]
  reference: string[]
  local: string[]
  /** Tables in `public` that fit no class: the schema guard fails on any. */
  unclassified: string[]
}

export type DistributionReport = {
  citus: boolean
  distributed: string[]
  reference: string[]
  workers: number
}

type Runner = Pick<AppDb, 'execute'> | Pick<Tx, 'execute'>

async function rows<T>(db: Runner, query: SQL): Promise<T[]> {
  return rowsOf<T>(await db.execute(query))
}

export async function hasCitus(db: Runner): Promise<boolean> {
  const [row] = await rows<{ present: boolean }>(db, sql`select exists (select 1 from pg_extension where extname = 'citus') as present`)
  return row?.present === true
}

/** What the catalog says each table of `public` is to become. Extension-owned tables are not Haven's. */
export async function distributionPlan(db: Runner): Promise<DistributionPlan> {
  const tables = await rows<{ name: string; tenant: boolean }>(
    db,
    sql`select c.relname as name,
          exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = ${DISTRIBUTION_COLUMN} and not a.attisdropped) as tenant
        from pg_class c
        where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relispartition
          and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
        order by c.relname`,
  )
  const reference: readonly string[] = REFERENCE_TABLES
  const local: readonly string[] = LOCAL_TABLES
  const plan: DistributionPlan = { distributed: [], reference: [], local: [], unclassified: [] }
  for (const t of tables) {
    if (reference.includes(t.name)) plan.reference.push(t.name)
    else if (local.includes(t.name)) plan.local.push(t.name)
    else if (t.tenant) plan.distributed.push(t.name)
    else plan.unclassified.push(t.name)
  }
  return plan
}

type ForeignKey = { name: string; table: string; definition: string }

/**
 * Distributes what the plan says and is not yet distributed, in one transaction: drop the foreign keys that touch
 * those tables, create the reference tables, the distributed tables co-located with each other, then add the keys
 * back. Citus needs `enable_unsafe_triggers` for tables with triggers (the audit and tree triggers write only
 * co-located shards) and sequential shard modification to add foreign keys to reference tables created in the same
 * transaction. Then the workers get what the shards' policies need (see `prepareWorkers`).
 */
export async function distributeDatabase(db: AppDb): Promise<DistributionReport> {
  if (!(await hasCitus(db))) return { citus: false, distributed: [], reference: [], workers: 0 }
  const plan = await distributionPlan(db)
  if (plan.unclassified.length > 0) {
    throw new Error(`db:distribute: no distribution rule for ${plan.unclassified.join(', ')} (app/server/db/distribute.server.ts)`)
  }
  const done = await db.transaction(async (tx) => {
    await tx.execute(sql`set local citus.enable_unsafe_triggers = on`)
    await tx.execute(sql`set local citus.multi_shard_modify_mode = 'sequential'`)
    const state = await rows<{ name: string; kind: string }>(
      tx,
      sql`select c.relname as name, case when p.partmethod = 'h' then 'distributed' when p.repmodel = 't' then 'reference' else 'local' end as kind
          from pg_dist_partition p join pg_class c on c.oid = p.logicalrelid where c.relnamespace = 'public'::regnamespace`,
    )
    const kindOf = new Map(state.map((s) => [s.name, s.kind]))
    const reference = plan.reference.filter((t) => kindOf.get(t) !== 'reference')
    const distributed = plan.distributed.filter((t) => kindOf.get(t) !== 'distributed')
    const pending = [...reference, ...distributed]
    if (pending.length === 0) return { reference, distributed }

    const names = sql.join(
      pending.map((t) => sql`${t}`),
      sql`, `,
    )
    const keys = await rows<ForeignKey>(
      tx,
      sql`select k.conname as name, c.relname as table, pg_get_constraintdef(k.oid) as definition
          from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_class f on f.oid = k.confrelid
          where k.contype = 'f' and c.relnamespace = 'public'::regnamespace
            and (c.relname in (${names}) or f.relname in (${names}))
          order by c.relname, k.conname`,
    )
    for (const k of keys) await tx.execute(sql`alter table ${sql.identifier(k.table)} drop constraint ${sql.identifier(k.name)}`)
    for (const t of reference) await tx.execute(sql`select create_reference_table(${`public.${t}`}::regclass)`)
    let colocateWith = plan.distributed.find((t) => kindOf.get(t) === 'distributed') ?? 'none'
    for (const t of distributed) {
      await tx.execute(sql`select create_distributed_table(${`public.${t}`}::regclass, ${DISTRIBUTION_COLUMN}, colocate_with => ${colocateWith})`)
      if (colocateWith === 'none') colocateWith = t
    }
    for (const k of keys) {
      await tx.execute(sql`alter table ${sql.identifier(k.table)} add constraint ${sql.identifier(k.name)} ${sql.raw(k.definition)}`)
    }
    return { reference, distributed }
  })
  const workers = await prepareWorkers(db)
  return { citus: true, ...done, workers }
}

/**
 * What each worker needs besides the shards, run on every distribution step (idempotent): the roles the coordinator
 * works as may log in there (restrict them to the coordinator in the workers' pg_hba.conf), and the worker's own copy of the context-signing key, which the shards'
 * policies verify the forwarded context with. The SET LOCAL context reaches the workers because the database runs
 * with `citus.propagate_set_commands = 'local'`.
 */
async function prepareWorkers(db: AppDb): Promise<number> {
  const [database] = await rows<{ name: string }>(db, sql`select current_database() as name`)
  await db.execute(sql.raw(`alter database ${quoteIdent(database?.name ?? '')} set citus.propagate_set_commands = 'local'`))
  const [key] = await rows<{ ipad: string; opad: string }>(
    db,
    sql`select encode(k_ipad, 'hex') as ipad, encode(k_opad, 'hex') as opad from public.haven_context_keys where id = 1`,
  )
  const statements = [
    'set local citus.enable_ddl_propagation = off',
    ...WORKER_LOGIN_ROLES.map((role) => `alter role ${role} login`),
    `create table if not exists public.haven_context_keys (id smallint primary key, k_ipad bytea not null check (length(k_ipad) = 64),
       k_opad bytea not null check (length(k_opad) = 64), created_at timestamptz not null default now(), updated_at timestamptz not null default now())`,
    'alter table public.haven_context_keys owner to haven_owner',
    'revoke all on public.haven_context_keys from public',
  ]
  if (key) {
    statements.push(
      `insert into public.haven_context_keys (id, k_ipad, k_opad) values (1, '\\x${key.ipad}'::bytea, '\\x${key.opad}'::bytea)
       on conflict (id) do update set k_ipad = excluded.k_ipad, k_opad = excluded.k_opad, updated_at = now()`,
    )
  }
  const results = await rows<{ nodename: string; nodeport: number; success: boolean; result: string }>(
    db,
    sql`select nodename, nodeport, success, result from run_command_on_workers(${statements.join(';\n')})`,
  )
  const failed = results.filter((r) => !r.success)
  if (failed.length > 0) {
    throw new Error(`db:distribute: preparing the workers failed: ${failed.map((r) => `${r.nodename}:${r.nodeport}: ${r.result}`).join('; ')}`)
  }
  return results.length
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`
