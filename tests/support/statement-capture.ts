import { AsyncLocalStorage } from 'node:async_hooks'
import type { PGlite } from '@electric-sql/pglite'
import type { ScopeRole } from '~/server/db/scope.server'
import { analyzeStatement, loadParser, type Analysis } from './tenant-predicates'

/**
 * Every statement the app sends inside a scope during a test file is captured here (the drivers are wrapped in
 * `openTestDatabase()`), and at the end of the file `assertEveryQueryNamesItsTenant()` (setup.ts) fails the file for
 * any statement that touches a tenant table without `tenant_id = <the scope's tenant>`. Statements outside a scope's
 * transaction (migrations, a test's own owner connection) are not the app's and are not captured.
 */
export type Captured = {
  sql: string
  params: readonly unknown[]
  role: ScopeRole
  tenantId: string | null
  /** Why the statement leaves the predicate out on purpose (`probingRls`); such a statement is not checked. */
  probe?: string
}

/**
 * Console statements that deliberately read or write across tenants. Each carries a marker comment
 * `/* cross-tenant: <name> *\/` at its site; only a console scope may use one, and only a name listed here.
 */
export const CROSS_TENANT: Readonly<Record<string, string>> = {
  'console.tenant-figures': 'The tenants list shows every tenant with its people, categories and events.',
  'console.figures-due': 'The scheduled job finds the tenants whose stored figures are missing, stale or behind their audit log.',
  'console.audit-events': 'The global audit log names actors of any tenant, and superusers from the console tenant.',
  'console.activity': 'Events per day over all tenants (or one) for the console dashboard.',
  'console.people-search': 'People search across tenants is the console feature itself.',
  'roles.sync-system-grants': 'At start-up every tenant’s system roles are brought to the catalog in code, in one statement.',
}

const MARKER = /\/\* cross-tenant: ([a-z.-]+) \*\//

const state = {
  tenantTables: new Set<string>(),
  captured: [] as Captured[],
}

/** The tenant tables of the database under test: every base table of `public` with a `tenant_id` column. */
export const TENANT_TABLES_SQL = `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
  join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
  where n.nspname = 'public' and c.relkind in ('r', 'p')`

export function setTenantTables(names: Iterable<string>) {
  state.tenantTables = new Set(names)
}

export function capturedStatements(): readonly Captured[] {
  return state.captured
}

const probing = new AsyncLocalStorage<string>()

/**
 * Runs `work` whose statements leave out the tenant predicate on purpose, to show that RLS alone hides or refuses
 * another tenant's rows (isolation and hostile tests). They are captured with `reason` and not checked; everything
 * else the file sends still is. Only a test may call it: the app never probes.
 */
export async function probingRls<T>(reason: string, work: () => PromiseLike<T>): Promise<T> {
  if (!reason.trim()) throw new Error('probingRls needs a reason')
  // Awaited inside the run: a Drizzle query is a thenable that only sends itself when awaited.
  return probing.run(reason, async () => await work())
}

/** Drops what was captured from `index` on (the checker's own test, which sends bad statements to inspect them). */
export function forgetCapturedFrom(index: number) {
  state.captured.length = index
}

type TxScope = { role: ScopeRole | null; tenantId: string | null }

/**
 * Records a statement of a transaction. The scope (role, tenant) is read off the signed context the transaction
 * sets (`v1␟role␟tenant␟…`, context-key.server.ts), so the capture holds wherever the query is started from.
 */
function record(scope: TxScope, sql: string, params: readonly unknown[] | undefined) {
  const context = params?.find((p): p is string => typeof p === 'string' && p.startsWith('v1\u001f'))
  if (context) {
    const [, role, tenantId] = context.split('\u001f')
    scope.role = role as ScopeRole
    scope.tenantId = tenantId || null
    return
  }
  if (!scope.role) return
  const probe = probing.getStore()
  state.captured.push({ sql, params: params ?? [], role: scope.role, tenantId: scope.tenantId, ...(probe ? { probe } : {}) })
}

type QueryFn = (query: string, params?: unknown[], options?: unknown) => unknown

/** PGlite: the `query` of every transaction the instance opens. */
export function capturePglite(instance: PGlite) {
  const transaction = instance.transaction.bind(instance)
  instance.transaction = ((work: (tx: { query: QueryFn }) => Promise<unknown>) =>
    transaction((tx) => {
      const target = tx as unknown as { query: QueryFn }
      const query = target.query.bind(target)
      const scope: TxScope = { role: null, tenantId: null }
      target.query = (text, params, options) => {
        record(scope, text, params)
        return query(text, params, options)
      }
      return work(target)
    })) as PGlite['transaction']
}

type PostgresSql = { unsafe: QueryFn; begin?: (...args: unknown[]) => unknown; savepoint?: (...args: unknown[]) => unknown }

/** postgres.js: `unsafe` (what Drizzle sends through) of every transaction and its savepoints. */
export function capturePostgres(client: PostgresSql) {
  wrapOpener(client, 'begin', () => ({ role: null, tenantId: null }))
}

function wrapOpener(sql: PostgresSql, method: 'begin' | 'savepoint', scopeOf: () => TxScope) {
  const original = sql[method]?.bind(sql)
  if (!original) return
  sql[method] = (...args: unknown[]) => {
    const at = args.findIndex((a) => typeof a === 'function')
    const work = args[at] as (tx: PostgresSql) => unknown
    const scope = scopeOf()
    args[at] = (tx: PostgresSql) => {
      const unsafe = tx.unsafe.bind(tx)
      tx.unsafe = (text, params, options) => {
        record(scope, text, params)
        return unsafe(text, params, options)
      }
      wrapOpener(tx, 'savepoint', () => scope)
      return work(tx)
    }
    return original(...args)
  }
}

/** The failures among the captured statements: one line per distinct statement, naming it and what is missing. */
export async function tenantPredicateFailures(statements: readonly Captured[] = state.captured): Promise<string[]> {
  await loadParser()
  const analyses = new Map<string, Analysis | Error>()
  const failures = new Map<string, string>()
  for (const s of statements) {
    let analysis = analyses.get(s.sql)
    if (!analysis) {
      try {
        analysis = analyzeStatement(s.sql, state.tenantTables)
      } catch (error) {
        analysis = error as Error
      }
      analyses.set(s.sql, analysis)
    }
    const problems = problemsOf(s, analysis)
    const shown = s.sql.replace(/\$\d+(, \$\d+)+/g, '$…')
    if (problems.length > 0 && !failures.has(shown)) failures.set(shown, `${problems.join('; ')}\n    in (${s.role}): ${shown}`)
  }
  return [...failures.values()]
}

function problemsOf(s: Captured, analysis: Analysis | Error): string[] {
  if (analysis instanceof Error) return [`unparsable: ${analysis.message}`]
  if (s.probe) return []
  const marker = MARKER.exec(s.sql)?.[1]
  if (marker) {
    if (s.role !== 'haven_console') return [`cross-tenant marker ${marker} outside a console scope`]
    if (!(marker in CROSS_TENANT)) return [`cross-tenant marker ${marker} is not in the allow-list`]
    return []
  }
  const problems = [...analysis.violations]
  // In a tenant's scope the value must be that tenant (it comes from the scope, never from input). The console
  // names the tenant it works on, which is its input by design.
  if (s.role === 'haven_tenant' && s.tenantId) {
    const values = [...analysis.tenantParams.map((n) => s.params[n - 1]), ...analysis.tenantConstants]
    if (values.some((v) => v !== s.tenantId)) problems.push(`a tenant_id predicate holds ${JSON.stringify(values)}, not the scope's tenant ${s.tenantId}`)
  }
  return problems
}

/** Called once at the end of each test file (setup.ts). */
export async function assertEveryQueryNamesItsTenant() {
  const statements = state.captured
  state.captured = []
  if (statements.length === 0) return
  const failures = await tenantPredicateFailures(statements)
  if (failures.length > 0) {
    throw new Error(
      `${failures.length} statement(s) touch a tenant table without tenant_id = <the scope's tenant> (ARCHITECTURE.md rule 10):\n  ${failures.join('\n  ')}`,
    )
  }
}
