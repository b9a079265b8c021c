import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rowsOf } from '~/server/db/client.server'
import { distributionPlan, LOCAL_TABLES, REFERENCE_TABLES } from '~/server/db/distribute.server'
import { TENANT_TABLES } from '~/server/db/schema'
import { openTestDatabase, type TestDatabase } from '../support/db'

/**
 * Reads the catalog and fails when any table breaks Haven's isolation rules, so a new table that forgets one
 * cannot land.
 */
let t: TestDatabase
beforeAll(async () => {
  t = await openTestDatabase()
})
afterAll(() => t.close())

async function query<T>(text: string): Promise<T[]> {
  return rowsOf<T>(await t.owner.db.execute(sql.raw(text)))
}

// Objects that belong to an extension are not Haven's (Citus, for one, adds views to public).
const notExtension = (alias: string, catalog = 'pg_class') =>
  `not exists (select 1 from pg_depend e where e.classid = '${catalog}'::regclass and e.objid = ${alias}.oid and e.deptype = 'e')`

// PostgreSQL versions deparse with different parentheses; compare without them.
// The tenant comes from the verified, signed context (docs/decisions/009); no sub-select, which Citus refuses.
const TENANT_PREDICATE = 'tenant_id=haven_tenant_id'
const normalize = (expr: string | null) => expr?.replace(/[()\s]/g, '').replace(/AS"?\w+"?$/, '') ?? null

describe('schema guard', () => {
  it('knows every table that has a tenant_id column', async () => {
    const rows = await query<{ table_name: string }>(`
      select c.relname as table_name from pg_attribute a join pg_class c on c.oid = a.attrelid
      join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r' and a.attname = 'tenant_id' and not a.attisdropped
        and ${notExtension('c')}
      order by 1`)
    expect(rows.map((r) => r.table_name).sort()).toEqual([...TENANT_TABLES].sort())
  })

  it('has RLS enabled and forced, and a NOT NULL tenant_id referencing tenants, on every tenant table', async () => {
    const rows = await query<{ relname: string; rls: boolean; forced: boolean; notnull: boolean; fk: boolean }>(`
      select c.relname, c.relrowsecurity as rls, c.relforcerowsecurity as forced, a.attnotnull as notnull,
        exists (select 1 from pg_constraint k where k.conrelid = c.oid and k.contype = 'f'
                and k.confrelid = 'tenants'::regclass and k.conkey = array[a.attnum] and k.confdeltype = 'c') as fk
      from pg_class c join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id'
      join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r' and ${notExtension('c')}`)
    expect(rows.length).toBe(TENANT_TABLES.length)
    for (const r of rows) expect({ table: r.relname, rls: r.rls, forced: r.forced, notnull: r.notnull, fk: r.fk }).toEqual({
      table: r.relname, rls: true, forced: true, notnull: true, fk: true,
    })
    const tenants = await query<{ rls: boolean; forced: boolean }>(
      `select relrowsecurity as rls, relforcerowsecurity as forced from pg_class where oid = 'tenants'::regclass`,
    )
    expect(tenants[0]).toEqual({ rls: true, forced: true })
  })

  it('covers every command the tenant role may run with a tenant-only policy, in USING and WITH CHECK', async () => {
    const privileges = await query<{ table_name: string; privilege_type: string }>(`
      select table_name, privilege_type from information_schema.role_table_grants
      where grantee = 'haven_tenant' and table_schema = 'public'
        and privilege_type in ('SELECT', 'INSERT', 'UPDATE', 'DELETE')`)
    const policies = await query<{ tablename: string; cmd: string; roles: string[] | string; qual: string | null; with_check: string | null }>(
      `select tablename, cmd, roles, qual, with_check from pg_policies where schemaname = 'public'`,
    )
    const roleList = (r: string[] | string) => (Array.isArray(r) ? r : r.replace(/[{}]/g, '').split(','))
    for (const table of TENANT_TABLES) {
      const granted = privileges.filter((p) => p.table_name === table).map((p) => p.privilege_type)
      expect(granted, `${table}: the tenant role must at least read it`).toContain('SELECT')
      for (const command of granted) {
        const covering = policies.filter(
          (p) => p.tablename === table && roleList(p.roles).includes('haven_tenant') && (p.cmd === 'ALL' || p.cmd === command),
        )
        expect(covering.length, `${table}: no haven_tenant policy covers ${command}`).toBeGreaterThan(0)
        for (const p of covering) {
          if (command !== 'INSERT') expect(normalize(p.qual), `${table} ${command} USING`).toBe(TENANT_PREDICATE)
          if (command !== 'SELECT' && command !== 'DELETE') expect(normalize(p.with_check), `${table} ${command} WITH CHECK`).toBe(TENANT_PREDICATE)
        }
      }
    }
  })

  it('gives the tenant role no way to write the audit log, and no TRUNCATE anywhere', async () => {
    const rows = await query<{ grantee: string; table_name: string; privilege_type: string }>(`
      select grantee, table_name, privilege_type from information_schema.role_table_grants
      where grantee in ('haven_app', 'haven_tenant', 'haven_console', 'PUBLIC') and table_schema = 'public'
        and (privilege_type in ('TRUNCATE', 'REFERENCES', 'TRIGGER')
             or (table_name = 'audit_log' and privilege_type <> 'SELECT'))`)
    expect(rows).toEqual([])
  })

  it('includes tenant_id in every primary key, unique constraint, unique index and foreign key of a tenant table', async () => {
    const rows = await query<{ table_name: string; name: string; kind: string }>(`
      select c.relname as table_name, k.conname as name, k.contype::text as kind
      from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id'
      where n.nspname = 'public' and k.contype in ('p', 'u', 'f')
        and not (a.attnum = any(k.conkey))
      union all
      select c.relname, i.relname, 'unique index'
      from pg_index x join pg_class c on c.oid = x.indrelid join pg_class i on i.oid = x.indexrelid
      join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id'
      where n.nspname = 'public' and x.indisunique and not (a.attnum = any(x.indkey::int2[]))`)
    // The one allowed exception: role_permissions references the global permission catalog.
    expect(rows.filter((r) => r.name !== 'role_permissions_permission_key_permissions_key_fk')).toEqual([])
    const fks = await query<{ name: string }>(`
      select k.conname as name from pg_constraint k join pg_class c on c.oid = k.conrelid
      join pg_attribute a on a.attrelid = k.confrelid and a.attname = 'tenant_id'
      where k.contype = 'f' and c.relnamespace = 'public'::regnamespace and k.confrelid <> 'tenants'::regclass
        and k.confkey[1] <> a.attnum`)
    expect(fks, 'a foreign key into a tenant table must lead with tenant_id').toEqual([])
  })

  it('runs the app as a role that owns nothing, is not superuser and cannot bypass RLS', async () => {
    const roles = await query<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean; rolinherit: boolean }>(
      `select rolname, rolsuper, rolbypassrls, rolinherit from pg_roles where rolname like 'haven\\_%' order by 1`,
    )
    expect(roles.map((r) => r.rolname)).toEqual(['haven_app', 'haven_console', 'haven_owner', 'haven_tenant'])
    for (const r of roles) expect({ role: r.rolname, superuser: r.rolsuper, bypassrls: r.rolbypassrls }).toEqual({
      role: r.rolname, superuser: false, bypassrls: false,
    })
    expect(roles.find((r) => r.rolname === 'haven_app')?.rolinherit).toBe(false)
    const owned = await query<{ relname: string; owner: string }>(`
      select c.relname, pg_get_userbyid(c.relowner) as owner from pg_class c
      where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'S')
        and c.relname not like '\\_\\_drizzle%' and ${notExtension('c')}`)
    expect(owned.length).toBeGreaterThan(TENANT_TABLES.length)
    for (const o of owned) expect({ table: o.relname, owner: o.owner }).toEqual({ table: o.relname, owner: 'haven_owner' })
    const functions = await query<{ proname: string; owner: string }>(`
      select proname, pg_get_userbyid(proowner) as owner from pg_proc
      where pronamespace = 'public'::regnamespace and proname like 'haven\\_%' and ${notExtension('pg_proc', 'pg_proc')}`)
    for (const f of functions) expect({ fn: f.proname, owner: f.owner }).toEqual({ fn: f.proname, owner: 'haven_owner' })
  })

  it('gives the runtime roles no temporary objects and no CREATE anywhere', async () => {
    const rows = await query<{ role: string; temp: boolean; create_public: boolean; create_db: boolean }>(`
      select r.rolname as role, has_database_privilege(r.rolname, current_database(), 'TEMPORARY') as temp,
        has_schema_privilege(r.rolname, 'public', 'CREATE') as create_public,
        has_database_privilege(r.rolname, current_database(), 'CREATE') as create_db
      from pg_roles r where r.rolname in ('haven_app', 'haven_tenant', 'haven_console') order by 1`)
    expect(rows).toEqual(
      ['haven_app', 'haven_console', 'haven_tenant'].map((role) => ({ role, temp: false, create_public: false, create_db: false })),
    )
  })

  it('pins search_path with pg_temp last on every SECURITY DEFINER function, which names its tables with their schema', async () => {
    const functions = await query<{ sig: string; config: string[] | string | null; src: string; trigger: boolean }>(`
      select p.oid::regprocedure::text as sig, p.proconfig as config, p.prosrc as src, p.prorettype = 'trigger'::regtype as trigger
      from pg_proc p left join pg_depend d on d.objid = p.oid and d.deptype = 'e'
      where p.pronamespace = 'public'::regnamespace and p.prosecdef and d.objid is null`)
    expect(functions.length).toBeGreaterThan(3)
    const tables = (await query<{ relname: string }>(`select c.relname from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' and ${notExtension('c')}`)).map(
      (r) => r.relname,
    )
    for (const f of functions) {
      const config = Array.isArray(f.config) ? f.config : (f.config ?? '').replace(/[{}"]/g, '').split(/,(?=\w+=)/)
      const path = config.find((c) => c.startsWith('search_path='))
      expect(path, `${f.sig} must pin search_path`).toBeDefined()
      const entries = (path ?? '').slice('search_path='.length).split(',').map((e) => e.trim())
      expect(entries.at(-1), `${f.sig}: pg_temp must come last in its search_path`).toBe('pg_temp')
      for (const table of tables) {
        const unqualified = new RegExp(`\\b(from|join|into|update|table)\\s+${table}\\b`, 'i')
        expect(unqualified.test(f.src), `${f.sig} names ${table} without its schema`).toBe(false)
      }
      // Citus: a SECURITY DEFINER function may not touch a distributed table unless it is a trigger on the shard.
      if (!f.trigger) {
        for (const table of TENANT_TABLES) {
          expect(new RegExp(`public\\.${table}\\b`).test(f.src), `${f.sig} (SECURITY DEFINER, not a trigger) touches ${table}`).toBe(false)
        }
      }
    }
  })

  it('reads the tenant from the signed context in every policy, with no sub-select (Citus refuses them)', async () => {
    const policies = await query<{ tablename: string; policyname: string; roles: string[] | string; qual: string | null; with_check: string | null }>(
      `select tablename, policyname, roles, qual, with_check from pg_policies where schemaname = 'public'`,
    )
    const roleList = (r: string[] | string) => (Array.isArray(r) ? r : r.replace(/[{}]/g, '').split(','))
    for (const p of policies) {
      for (const expr of [p.qual, p.with_check]) {
        if (!expr) continue
        expect(/\bselect\b/i.test(expr), `${p.tablename}.${p.policyname} has a sub-select`).toBe(false)
        expect(/current_setting/i.test(expr), `${p.tablename}.${p.policyname} reads an unsigned setting`).toBe(false)
      }
      if (roleList(p.roles).includes('haven_console')) {
        expect(normalize(p.qual), `${p.tablename}.${p.policyname}`).toBe('haven_is_console')
        if (p.with_check) expect(normalize(p.with_check)).toBe('haven_is_console')
      }
    }
  })

  // Citus (docs/decisions/017): `npm run db:distribute` reads its plan from the catalog; these rules keep every
  // table placeable, so a migration that adds a table is distributed by the next run or fails here first.
  it('gives every table a place on Citus: tenant tables distributed by tenant_id, the rest reference or local', async () => {
    const plan = await distributionPlan(t.owner.db)
    expect(plan.unclassified, 'a table without tenant_id must be listed in REFERENCE_TABLES or LOCAL_TABLES').toEqual([])
    expect([...plan.distributed].sort()).toEqual([...TENANT_TABLES].sort())
    expect([...plan.reference].sort()).toEqual([...REFERENCE_TABLES].sort())
    expect([...plan.local].sort()).toEqual([...LOCAL_TABLES].sort())
  })

  it('has only foreign keys Citus accepts: none into a distributed table except from a co-located one, none to or from a local table', async () => {
    const plan = await distributionPlan(t.owner.db)
    const kind = (table: string) =>
      plan.distributed.includes(table) ? 'distributed' : plan.reference.includes(table) ? 'reference' : plan.local.includes(table) ? 'local' : 'other'
    const fks = await query<{ name: string; table: string; target: string; leads: boolean }>(`
      select k.conname as name, c.relname as table, f.relname as target,
        k.conkey[1] = (select a.attnum from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id')
        and k.confkey[1] = (select a.attnum from pg_attribute a where a.attrelid = f.oid and a.attname = 'tenant_id') as leads
      from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_class f on f.oid = k.confrelid
      where k.contype = 'f' and c.relnamespace = 'public'::regnamespace and ${notExtension('c')}`)
    expect(fks.length).toBeGreaterThan(TENANT_TABLES.length)
    for (const fk of fks) {
      const from = kind(fk.table)
      const to = kind(fk.target)
      const ok =
        (from === 'distributed' && to === 'distributed' && fk.leads === true) ||
        (from === 'distributed' && to === 'reference') ||
        (from === 'reference' && to === 'reference') ||
        (from === 'local' && to === 'local')
      expect(ok, `${fk.name}: a foreign key from a ${from} table to a ${to} table`).toBe(true)
    }
  })

  it('keeps triggers on reference tables to ones that touch only their own row (they fire on every node)', async () => {
    const triggers = await query<{ table: string; name: string; fn: string }>(`
      select c.relname as table, g.tgname as name, g.tgfoid::regproc::text as fn
      from pg_trigger g join pg_class c on c.oid = g.tgrelid
      where not g.tgisinternal and c.relnamespace = 'public'::regnamespace and c.relname = any(array['${REFERENCE_TABLES.join("','")}'])`)
    for (const g of triggers) expect({ trigger: `${g.table}.${g.name}`, fn: g.fn }).toEqual({ trigger: `${g.table}.${g.name}`, fn: 'haven_set_updated_at' })
  })

  it('has no trigger with a transition table (Citus runs triggers on the shards, where the distributed executor cannot see it)', async () => {
    const triggers = await query<{ trigger: string }>(`
      select c.relname || '.' || g.tgname as trigger
      from pg_trigger g join pg_class c on c.oid = g.tgrelid
      where not g.tgisinternal and c.relnamespace = 'public'::regnamespace and ${notExtension('c')}
        and (g.tgnewtable is not null or g.tgoldtable is not null)`)
    expect(triggers).toEqual([])
  })

  it('keeps the context-signing key out of reach of the runtime roles', async () => {
    const rows = await query<{ role: string; select: boolean }>(`
      select r.rolname as role, has_table_privilege(r.rolname, 'public.haven_context_keys', 'SELECT') as select
      from pg_roles r where r.rolname in ('haven_app', 'haven_tenant', 'haven_console') order by 1`)
    expect(rows.every((r) => !r.select)).toBe(true)
    const execute = await query<{ role: string; install: boolean }>(`
      select r.rolname as role, has_function_privilege(r.rolname, 'public.haven_install_context_key(bytea)', 'EXECUTE') as install
      from pg_roles r where r.rolname in ('haven_app', 'haven_tenant', 'haven_console')`)
    expect(execute.every((r) => !r.install)).toBe(true)
  })

  it('connects the server as haven_app on a real PostgreSQL', async () => {
    if (t.driver !== 'postgres') return
    const rows = rowsOf<{ u: string }>(await t.app.db.execute(sql`select current_user as u`))
    expect(rows[0]?.u).toBe('haven_app')
  })
})
