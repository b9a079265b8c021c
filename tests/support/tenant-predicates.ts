import { loadModule, parseSync } from 'libpg-query'

/**
 * The rule "every query names its tenant" (ARCHITECTURE.md, rule 10), checked on the SQL itself: every range-table
 * entry that is a tenant table (one with a `tenant_id` column, found in the catalog) in a SELECT, UPDATE or DELETE —
 * in sub-selects, CTEs, lateral sub-queries and on both sides of every join — needs a conjunct
 * `<that entry>.tenant_id = <parameter or constant>` in its own level's WHERE or join conditions; an INSERT into a
 * tenant table names `tenant_id` among its columns. Statements are parsed with libpg-query (PostgreSQL's own parser).
 * The parameters (or constants) found this way are returned so the caller can check that they hold the scope's tenant.
 */
export type Analysis = {
  /** One line per tenant table entry that lacks the predicate. */
  violations: string[]
  /** `$n` numbers whose value must be the tenant. */
  tenantParams: number[]
  /** String constants used as the tenant. */
  tenantConstants: string[]
}

type Node = Record<string, unknown>
type Entry = { table: string; ref: string }

export async function loadParser() {
  await loadModule()
}

const isObject = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v)

function columnName(node: unknown): { qualifier: string | null; column: string } | null {
  if (!isObject(node) || !isObject(node.ColumnRef)) return null
  const fields = (node.ColumnRef.fields as Node[]).map((f) => (isObject(f.String) ? (f.String.sval as string) : '*'))
  const column = fields.at(-1) ?? ''
  return { qualifier: fields.length > 1 ? (fields.at(-2) ?? null) : null, column }
}

/** A parameter or a constant, possibly cast (`$1::uuid`, `'…'::uuid`). */
function tenantValue(node: unknown): { param: number } | { constant: string } | null {
  if (!isObject(node)) return null
  if (isObject(node.TypeCast)) return tenantValue(node.TypeCast.arg)
  if (isObject(node.ParamRef)) return { param: node.ParamRef.number as number }
  if (isObject(node.A_Const) && isObject(node.A_Const.sval)) return { constant: node.A_Const.sval.sval as string }
  return null
}

function conjuncts(node: unknown, out: Node[] = []): Node[] {
  if (!isObject(node)) return out
  if (isObject(node.BoolExpr) && node.BoolExpr.boolop === 'AND_EXPR') {
    for (const arg of node.BoolExpr.args as Node[]) conjuncts(arg, out)
  } else out.push(node)
  return out
}

/** `x.tenant_id = <value>` (either way round) as { qualifier, value }. */
function tenantEquality(node: Node) {
  const e = node.A_Expr
  if (!isObject(e) || e.kind !== 'AEXPR_OP') return null
  const op = (e.name as Node[]).map((n) => (isObject(n.String) ? n.String.sval : '')).join('.')
  if (op !== '=') return null
  for (const [a, b] of [
    [e.lexpr, e.rexpr],
    [e.rexpr, e.lexpr],
  ]) {
    const column = columnName(a)
    const value = tenantValue(b)
    if (column?.column === 'tenant_id' && value) return { qualifier: column.qualifier, value }
  }
  return null
}

function relationEntry(range: Node): Entry {
  const alias = isObject(range.alias) ? (range.alias.aliasname as string) : undefined
  return { table: range.relname as string, ref: alias ?? (range.relname as string) }
}

/** The range-table entries of one FROM list (through joins, not into sub-selects) and the join conditions. */
function fromItems(items: unknown[] | undefined, entries: Entry[], quals: Node[]) {
  for (const item of items ?? []) {
    if (!isObject(item)) continue
    if (isObject(item.RangeVar)) entries.push(relationEntry(item.RangeVar))
    else if (isObject(item.JoinExpr)) {
      fromItems([item.JoinExpr.larg, item.JoinExpr.rarg], entries, quals)
      conjuncts(item.JoinExpr.quals, quals)
    }
  }
}

export function analyzeStatement(sqlText: string, tenantTables: ReadonlySet<string>): Analysis {
  const tree = parseSync(sqlText) as Node
  const analysis: Analysis = { violations: [], tenantParams: [], tenantConstants: [] }
  const cteNames = new Set<string>()
  collectCtes(tree, cteNames)
  const isTenantEntry = (e: Entry) => tenantTables.has(e.table) && !cteNames.has(e.table)

  const checkLevel = (kind: string, entries: Entry[], quals: Node[]) => {
    const tenantEntries = entries.filter(isTenantEntry)
    if (tenantEntries.length === 0) return
    const equalities = quals.map(tenantEquality).filter((q) => q !== null)
    for (const entry of tenantEntries) {
      const mine = equalities.filter((q) => q.qualifier === entry.ref || (q.qualifier === null && tenantEntries.length === 1))
      if (mine.length === 0) {
        const as = entry.ref === entry.table ? '' : ` (as ${entry.ref})`
        analysis.violations.push(`${kind} on ${entry.table}${as} without ${entry.ref}.tenant_id = <the scope's tenant>`)
      }
      for (const { value } of mine) {
        if ('param' in value) analysis.tenantParams.push(value.param)
        else analysis.tenantConstants.push(value.constant)
      }
    }
  }

  const visit = (node: unknown) => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n)
      return
    }
    if (!isObject(node)) return
    for (const [key, value] of Object.entries(node)) {
      if (!isObject(value)) {
        visit(value)
        continue
      }
      if (key === 'SelectStmt') {
        const entries: Entry[] = []
        const quals: Node[] = []
        fromItems(value.fromClause as unknown[], entries, quals)
        conjuncts(value.whereClause, quals)
        checkLevel('select', entries, quals)
      } else if (key === 'UpdateStmt' || key === 'DeleteStmt') {
        const entries: Entry[] = [relationEntry(value.relation as Node)]
        const quals: Node[] = []
        fromItems((key === 'UpdateStmt' ? value.fromClause : value.usingClause) as unknown[], entries, quals)
        conjuncts(value.whereClause, quals)
        checkLevel(key === 'UpdateStmt' ? 'update' : 'delete', entries, quals)
      } else if (key === 'InsertStmt') checkInsert(value, isTenantEntry, analysis)
      visit(value)
    }
  }
  visit(tree)
  return analysis
}

function collectCtes(node: unknown, names: Set<string>) {
  if (Array.isArray(node)) for (const n of node) collectCtes(n, names)
  else if (isObject(node)) {
    if (isObject(node.CommonTableExpr)) names.add(node.CommonTableExpr.ctename as string)
    for (const v of Object.values(node)) collectCtes(v, names)
  }
}

function checkInsert(stmt: Node, isTenantEntry: (e: Entry) => boolean, analysis: Analysis) {
  const entry = relationEntry(stmt.relation as Node)
  if (!isTenantEntry(entry)) return
  const columns = ((stmt.cols as Node[] | undefined) ?? []).map((c) => (c.ResTarget as Node).name as string)
  const at = columns.indexOf('tenant_id')
  if (at < 0) {
    analysis.violations.push(`insert into ${entry.table} without a tenant_id column`)
    return
  }
  const select = isObject(stmt.selectStmt) ? (stmt.selectStmt.SelectStmt as Node | undefined) : undefined
  const rows = (select?.valuesLists as Node[] | undefined) ?? []
  for (const row of rows) {
    const value = tenantValue(((row.List as Node).items as unknown[])[at])
    if (!value) analysis.violations.push(`insert into ${entry.table} whose tenant_id is neither a parameter nor a constant`)
    else if ('param' in value) analysis.tenantParams.push(value.param)
    else analysis.tenantConstants.push(value.constant)
  }
}
