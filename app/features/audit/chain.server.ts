/**
 * The per-tenant hash chain (ADR 013): sealing after commit, verification, and retention with a checkpoint.
 *
 * Sealing and retention write audit rows, which the runtime roles may not do, so they run on the owner connection
 * as haven_owner (the embedded database's one connection; on a server, `HAVEN_OWNER_DATABASE_URL`, else
 * `DATABASE_URL`). Like the migration runner, this connection is the one exception to "every access goes through a
 * scope": it runs nothing a request asks for except "seal now". Verification only reads, so it runs in the
 * tenant's own scope.
 */
import { createHash } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { type AppDb, rowsOf, type Tx } from '~/server/db/client.server'
import { withTenant } from '~/server/db/scope.server'
import { i18nFor, msg, translateRef } from '~/lib/i18n'

/** The hash before event 1 of every chain. */
export const GENESIS_HASH = '0'.repeat(64)
const SEAL_LOCK = 4_242_013
/** The canonical form of audit row `a` (migration 0016: by columns, as a whole-row argument does not reach a Citus shard). */
const canonical = sql.raw(
  'haven_audit_canonical(a.chain_seq, a.id, a.tenant_id, a.created_at, a.table_name, a.record_id, a.action, a.user_id, a.impersonator_id, a.ip_address, a.user_agent, a.request_id, a.old_values, a.new_values)',
)

const holder = globalThis as typeof globalThis & { __havenAuditOwnerDb?: AppDb }

/** Installs the connection sealing and retention run on (the server at start-up, scripts and tests). */
export function setAuditOwnerDatabase(db: AppDb | undefined) {
  holder.__havenAuditOwnerDb = db
}

export function hasAuditOwnerDatabase(): boolean {
  return holder.__havenAuditOwnerDb !== undefined
}

/** A transaction as haven_owner on the owner connection. */
export async function asOwner<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
  const db = holder.__havenAuditOwnerDb
  if (!db) throw new Error('No owner connection for the audit chain: call setAuditOwnerDatabase() first.')
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local role haven_owner`)
    return work(tx)
  })
}

export function chainHash(previous: string, canonical: string): string {
  return createHash('sha256').update(previous + canonical, 'utf8').digest('hex')
}

/**
 * Seals up to `batch` of a tenant's unsealed events, oldest first: each gets the next sequence number and
 * sha256(previous hash ‖ canonical form). Two sealers never interleave on one tenant (an advisory lock; the
 * second one skips). Returns how many it sealed.
 */
export async function sealTenantBatch(tenantId: string, batch = 1000): Promise<number> {
  return asOwner(async (tx) => {
    const [lock] = rowsOf<{ ok: boolean }>(await tx.execute(sql`select pg_try_advisory_xact_lock(${SEAL_LOCK}, hashtext(${tenantId}::text)) as ok`))
    if (!lock?.ok) return 0
    const [head] = rowsOf<{ seq: string; hash: string }>(
      await tx.execute(sql`
        select chain_seq::text as seq, chain_hash as hash from audit_log
        where tenant_id = ${tenantId} and chain_seq is not null order by chain_seq desc limit 1`),
    )
    // A retention run may have removed every sealed event, the head among them: the chain then goes on from its
    // checkpoint (the number and hash of the last removed event), never from event 1 again.
    const [checkpoint] = rowsOf<{ seq: string; hash: string }>(await tx.execute(checkpointQuery(tenantId)))
    const fromCheckpoint = checkpoint !== undefined && Number(checkpoint.seq) > Number(head?.seq ?? 0)
    const headSeq = fromCheckpoint ? Number(checkpoint.seq) : head ? Number(head.seq) : 0
    let previous = (fromCheckpoint ? checkpoint.hash : head?.hash) ?? GENESIS_HASH
    const numbered = rowsOf<{ seq: string }>(
      await tx.execute(sql`
        update audit_log a set chain_seq = ${headSeq}::bigint + b.n
        from (
          select id, row_number() over (order by created_at, id) as n from audit_log
          where tenant_id = ${tenantId} and chain_seq is null
          order by created_at, id limit ${batch}::int
        ) b
        where a.tenant_id = ${tenantId} and a.id = b.id
        returning a.chain_seq::text as seq`),
    )
    if (numbered.length === 0) return 0
    const canon = rowsOf<{ seq: string; canonical: string }>(
      await tx.execute(sql`
        select chain_seq::text as seq, ${canonical} as canonical from audit_log a
        where tenant_id = ${tenantId} and chain_seq > ${headSeq}::bigint order by chain_seq`),
    )
    const hashes = canon.map((c) => {
      previous = chainHash(previous, c.canonical)
      return { s: Number(c.seq), h: previous }
    })
    await tx.execute(sql`
      update audit_log a set chain_hash = v.h
      from jsonb_to_recordset(${JSON.stringify(hashes)}::jsonb) as v(s bigint, h text)
      where a.tenant_id = ${tenantId} and a.chain_seq = v.s`)
    return hashes.length
  })
}

/** The newest retention checkpoint of a tenant: the number and hash of the last event a run removed. */
function checkpointQuery(tenantId: string) {
  return sql`
    select new_values ->> 'throughSeq' as seq, new_values ->> 'throughHash' as hash, created_at::text as at from audit_log
    where tenant_id = ${tenantId} and action = 'RETENTION' and new_values ? 'throughSeq'
    order by (new_values ->> 'throughSeq')::bigint desc limit 1`
}

/** The tenants with unsealed events. */
async function tenantsWithUnsealed(): Promise<string[]> {
  return asOwner(async (tx) =>
    rowsOf<{ id: string }>(await tx.execute(sql`select distinct tenant_id::text as id from audit_log where chain_seq is null`)).map((r) => r.id),
  )
}

/** Seals every tenant's pending events (or one tenant's), batch after batch. Returns the number sealed. */
export async function sealPending(options: { tenantId?: string; batch?: number; maxBatches?: number } = {}): Promise<number> {
  const tenantIds = options.tenantId ? [options.tenantId] : await tenantsWithUnsealed()
  let total = 0
  for (const tenantId of tenantIds) {
    for (let i = 0; i < (options.maxBatches ?? 1000); i++) {
      const n = await sealTenantBatch(tenantId, options.batch ?? 1000)
      total += n
      if (n < (options.batch ?? 1000)) break
    }
  }
  return total
}

export type ChainReport = {
  /** `intact`: every sealed event checks out. */
  status: 'intact' | 'broken'
  checked: number
  /** The last event (sequence number) verified before the break, or the head when intact. */
  intactThrough: number
  /** Time of the last sealed event. */
  sealedUpTo: string | null
  headHash: string | null
  unsealed: number
  checkpoint: { seq: number; at: string } | null
  /** `reason` in English for the command line; `reasonRef` for the screen to translate. */
  break: { seq: number; eventId: string | null; reason: string; reasonRef: string } | null
}

/**
 * Recomputes every sealed event's hash from its predecessor, in one set-based query in the tenant's scope, and
 * reports the first event that does not match: an edited row (its hash), a deleted one (a gap in the sequence) or an
 * inserted one (a repeated number or a wrong hash), whoever made the change.
 *
 * Every sealed row present is verified, from the lowest number present: event 1 chains on the genesis hash; any
 * other event chains on the row before it, or, where the rows before it are gone, on a retention checkpoint that
 * ends exactly before it (`throughSeq` = its number − 1; `throughHash`). A checkpoint never exempts a row that is
 * still present, so a forged checkpoint above edited rows hides nothing (what no in-database chain can catch is in
 * ADR 013).
 */
export async function verifyChain(tx: Tx, tenantId: string): Promise<ChainReport> {
  const checkpoints = sql`
    select distinct on ((new_values ->> 'throughSeq')::bigint) (new_values ->> 'throughSeq')::bigint as seq,
      new_values ->> 'throughHash' as hash, created_at
    from audit_log
    where tenant_id = ${tenantId} and action = 'RETENTION' and new_values ? 'throughSeq' and new_values ->> 'throughSeq' ~ '^[0-9]{1,18}$'
    order by (new_values ->> 'throughSeq')::bigint, created_at`
  const [summary] = rowsOf<{
    checked: string
    head: string | null
    bad: string | null
    anchor: string | null
    anchor_at: string | null
    head_at: string | null
    head_hash: string | null
    unsealed: string
  }>(
    await tx.execute(sql`
      with cp as (${checkpoints}),
      r as (
        select a.chain_seq, a.chain_hash, ${canonical} as canonical,
          lag(a.chain_seq) over w as prev_seq, lag(a.chain_hash) over w as prev_hash
        from audit_log a
        where a.tenant_id = ${tenantId} and a.chain_seq is not null
        window w as (order by a.chain_seq, a.id)
      ),
      c as (
        select r.chain_seq, r.chain_hash, r.prev_seq, cp.seq as anchor_seq, cp.created_at as anchor_at,
          encode(sha256(convert_to(
            case when r.prev_seq = r.chain_seq - 1 then r.prev_hash
              when r.chain_seq = 1 and r.prev_seq is null then ${GENESIS_HASH}
              when r.prev_seq is null or r.prev_seq < r.chain_seq - 1 then cp.hash end || r.canonical, 'UTF8')), 'hex') as expected
        from r left join cp on cp.seq = r.chain_seq - 1
      )
      select count(*)::text as checked, max(chain_seq)::text as head,
        min(chain_seq) filter (where expected is null or chain_hash is distinct from expected or prev_seq = chain_seq)::text as bad,
        max(anchor_seq) filter (where anchor_seq is not null and (prev_seq is null or prev_seq < chain_seq - 1))::text as anchor,
        (array_agg(anchor_at::text order by anchor_seq desc) filter (where anchor_seq is not null and (prev_seq is null or prev_seq < chain_seq - 1)))[1] as anchor_at,
        (select created_at::text from audit_log where tenant_id = ${tenantId} and chain_seq is not null order by chain_seq desc limit 1) as head_at,
        (select chain_hash from audit_log where tenant_id = ${tenantId} and chain_seq is not null order by chain_seq desc limit 1) as head_hash,
        (select count(*)::text from audit_log where tenant_id = ${tenantId} and chain_seq is null) as unsealed
      from c`),
  )
  const checked = Number(summary?.checked ?? 0)
  const anchorSeq = summary?.anchor ? Number(summary.anchor) : 0
  const head = summary?.head ? Number(summary.head) : anchorSeq
  const report: ChainReport = {
    status: 'intact',
    checked,
    intactThrough: head,
    sealedUpTo: summary?.head_at ? new Date(summary.head_at).toISOString() : null,
    headHash: summary?.head_hash ?? null,
    unsealed: Number(summary?.unsealed ?? 0),
    checkpoint: summary?.anchor && summary.anchor_at ? { seq: anchorSeq, at: new Date(summary.anchor_at).toISOString() } : null,
    break: null,
  }
  if (!summary?.bad) return report
  const badSeq = Number(summary.bad)
  const around = rowsOf<{ id: string; seq: string; prev: string | null; dup: string; covered: boolean }>(
    await tx.execute(sql`
      select id::text, chain_seq::text as seq,
        (select max(chain_seq)::text from audit_log where tenant_id = ${tenantId} and chain_seq < ${badSeq}::bigint) as prev,
        (select count(*)::text from audit_log where tenant_id = ${tenantId} and chain_seq = ${badSeq}::bigint) as dup,
        exists (select 1 from (${checkpoints}) cp where cp.seq = ${badSeq}::bigint - 1) as covered
      from audit_log where tenant_id = ${tenantId} and chain_seq = ${badSeq}::bigint order by id limit 1`),
  )
  const row = around[0]
  const prev = row?.prev ? Number(row.prev) : 0
  let reasonRef: string
  if (badSeq > prev + 1 && !row?.covered) {
    reasonRef = badSeq === prev + 2 ? msg('auditVerify.missingOne', { seq: prev + 1 }) : msg('auditVerify.missingRange', { from: prev + 1, to: badSeq - 1 })
  } else if (Number(row?.dup ?? 1) > 1) reasonRef = msg('auditVerify.repeated', { seq: badSeq })
  else reasonRef = msg('auditVerify.mismatch', { seq: badSeq })
  const reason = translateRef(i18nFor('en'), reasonRef)
  return { ...report, status: 'broken', intactThrough: prev, break: { seq: badSeq, eventId: row?.id ?? null, reason, reasonRef } }
}

/** "intact through event N, sealed up to T" or the first break, for the CLI and the UI. */
export function describeReport(r: ChainReport): string {
  if (r.status === 'broken' && r.break) return `Chain broken at event ${r.break.seq}: ${r.break.reason}. Intact through event ${r.intactThrough}.`
  if (r.checked === 0 && !r.checkpoint) return `Nothing sealed yet (${r.unsealed} event${r.unsealed === 1 ? '' : 's'} waiting to be sealed).`
  const sealed = r.sealedUpTo ? `, sealed up to ${r.sealedUpTo}` : ''
  const pending = r.unsealed > 0 ? ` ${r.unsealed} newer event${r.unsealed === 1 ? '' : 's'} not sealed yet.` : ''
  return `Intact through event ${r.intactThrough}${sealed}.${pending}`
}

/** Verification outside a request (CLI, tests): the tenant's own scope. */
export function verifyTenant(tenantId: string): Promise<ChainReport> {
  return withTenant({ tenantId, requestId: 'audit-verify' }, (tx) => verifyChain(tx, tenantId))
}

export type RetentionResult = {
  tenantId: string
  outcome: 'deleted' | 'nothing_old' | 'legal_hold' | 'keep_forever'
  deleted: number
  throughSeq?: number
}

/** The tenants whose settings ask for retention (or one tenant), with their setting and hold. */
async function retentionSettings(tenantId?: string) {
  return asOwner(async (tx) =>
    rowsOf<{ id: string; days: number | null; hold: boolean }>(
      await tx.execute(sql`
        select id::text, (settings ->> 'auditRetentionDays')::int as days, coalesce((settings ->> 'auditLegalHold')::boolean, false) as hold
        from tenants
        where not is_deleted and ${tenantId ? sql`id = ${tenantId}` : sql`settings ? 'auditRetentionDays'`}`),
    ),
  )
}

/**
 * Enforces each tenant's retention setting: seals what is pending, then removes the sealed events older than the
 * setting, in batches, as the owner. Before anything is removed it records its run as an event holding the
 * checkpoint (the number and hash of the last event it removes), so what remains still verifies, even if the run
 * stops half-way. A legal hold suspends it.
 */
export async function runRetention(options: { tenantId?: string; now?: Date; batch?: number } = {}): Promise<RetentionResult[]> {
  const now = options.now ?? new Date()
  const batch = options.batch ?? 5000
  const results: RetentionResult[] = []
  for (const t of await retentionSettings(options.tenantId)) {
    if (!t.days) {
      results.push({ tenantId: t.id, outcome: 'keep_forever', deleted: 0 })
      continue
    }
    if (t.hold) {
      results.push({ tenantId: t.id, outcome: 'legal_hold', deleted: 0 })
      continue
    }
    await sealPending({ tenantId: t.id })
    const cutoff = new Date(now.getTime() - t.days * 86_400_000)
    const plan = await asOwner(async (tx) => {
      const [row] = rowsOf<{ through: string | null; anchor: string | null }>(
        await tx.execute(sql`
          select coalesce(
              (select min(chain_seq) - 1 from audit_log where tenant_id = ${t.id} and chain_seq is not null and created_at >= ${cutoff.toISOString()}::timestamptz),
              (select max(chain_seq) from audit_log where tenant_id = ${t.id} and chain_seq is not null))::text as through,
            (select min(chain_seq) - 1 from audit_log where tenant_id = ${t.id} and chain_seq is not null)::text as anchor`),
      )
      const through = row?.through ? Number(row.through) : 0
      const first = row?.anchor ? Number(row.anchor) : 0
      if (through <= first) return null
      const [at] = rowsOf<{ hash: string }>(
        await tx.execute(sql`select chain_hash as hash from audit_log where tenant_id = ${t.id} and chain_seq = ${through}::bigint`),
      )
      return at ? { through, hash: at.hash, events: through - first } : null
    })
    if (!plan) {
      results.push({ tenantId: t.id, outcome: 'nothing_old', deleted: 0 })
      continue
    }
    const details = { retentionDays: t.days, cutoff: cutoff.toISOString(), events: plan.events, throughSeq: plan.through, throughHash: plan.hash }
    // Written as the owner: a checkpoint anchors verification, so the runtime roles may not write one (decision 009).
    await asOwner((tx) =>
      tx.execute(sql`insert into audit_log (tenant_id, table_name, action, new_values, request_id)
        values (${t.id}, 'audit_log', 'RETENTION', ${JSON.stringify(details)}::jsonb, 'audit-retention')`),
    )
    // Newest first: a run that stops half-way leaves the oldest events, which still chain from event 1 (or from the
    // previous checkpoint), and a gap that ends exactly at this checkpoint; never a first row without a predecessor.
    let deleted = 0
    for (;;) {
      const n = await asOwner(async (tx) =>
        rowsOf<{ id: string }>(
          await tx.execute(sql`
            delete from audit_log where tenant_id = ${t.id} and id in (
              select id from audit_log where tenant_id = ${t.id} and chain_seq <= ${plan.through}::bigint order by chain_seq desc limit ${batch}::int)
            returning id::text`),
        ).length,
      )
      deleted += n
      if (n < batch) break
    }
    results.push({ tenantId: t.id, outcome: 'deleted', deleted, throughSeq: plan.through })
  }
  return results
}
