import { and, eq, like } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { config } from '../../app.config'
import { acceptInvitation, createInvitation, findPendingInvitation, issueResetLink, requestResetLink } from '~/features/auth/auth.server'
import { purgeItem } from '~/features/trash/trash.server'
import { createUser, lockOut, updateUserRow } from '~/features/users/users.server'
import { HttpError } from '~/lib/errors'
import { auth } from '~/server/auth.server'
import { backgroundIdle } from '~/server/background.server'
import type { Tx } from '~/server/db/client.server'
import { accounts, invitations, users, verifications } from '~/server/db/schema'
import { type TenantContext, withTenant } from '~/server/db/scope.server'
import { openTestDatabase, type TestDatabase } from '../support/db'
import { createTestTenant, testPasswordHash } from '../support/fixtures'
import { unique } from '../support/tenant-data'

type Tenant = { tenantId: string; slug: string; ownerId: string }

let t: TestDatabase
let a: Tenant
let b: Tenant

async function tenant(): Promise<Tenant> {
  const { tenant, owner } = await createTestTenant()
  return { tenantId: tenant.id, slug: tenant.slug, ownerId: owner.id }
}

beforeAll(async () => {
  t = await openTestDatabase()
  a = await tenant()
  b = await tenant()
}, 60_000)
afterAll(() => t.close())

const host = (f: Tenant) => `${f.slug}.${config().rootDomain}`
const ctx = (f: Tenant, ip = '203.0.113.1'): TenantContext => ({ tenantId: f.tenantId, ip, userAgent: 'vitest', requestId: unique('req') })
const as = <T>(f: Tenant, work: (tx: Tx) => Promise<T>) => withTenant({ tenantId: f.tenantId, userId: f.ownerId, requestId: 'links' }, work)

async function addUser(f: Tenant, email = `${unique('person')}@example.test`) {
  const hash = await testPasswordHash()
  const user = await as(f, (tx) => createUser(tx, { tenantId: f.tenantId, email, fullName: 'Link Person', password: { hash } }))
  return { id: user.id, email }
}

/** Issues a reset link the way a "forgot password" request does (the background part, awaited) and returns its token. */
async function issue(f: Tenant, email: string): Promise<string | undefined> {
  const before = new Set((await liveTokens(f)).map((r) => r.token))
  await issueResetLink(ctx(f), { email, host: host(f) })
  return (await liveTokens(f)).find((r) => !before.has(r.token))?.token
}

async function liveTokens(f: Tenant, userId?: string) {
  const rows = await t.owner.db
    .select({ identifier: verifications.identifier, value: verifications.value })
    .from(verifications)
    .where(and(eq(verifications.tenantId, f.tenantId), like(verifications.identifier, 'reset-password:%')))
  return rows.filter((r) => !userId || r.value === userId).map((r) => ({ token: r.identifier.slice('reset-password:'.length), userId: r.value }))
}

/** Redeems a reset link through better-auth inside the tenant's transaction, as resetPassword's server function does. */
async function redeem(f: Tenant, token: string, newPassword = `new-${unique('pw')}`) {
  return withTenant(ctx(f), () => auth().api.resetPassword({ body: { token, newPassword }, headers: new Headers({ host: host(f) }) })).then(
    () => 'ok' as const,
    () => 'refused' as const,
  )
}

describe('password-reset links', () => {
  it('all of a person’s links end when one of them is used', async () => {
    const person = await addUser(a)
    const older = await issue(a, person.email)
    const newer = await issue(a, person.email)
    expect(older && newer).toBeTruthy()
    expect(await liveTokens(a, person.id)).toHaveLength(2)
    expect(await redeem(a, newer ?? '')).toBe('ok')
    expect(await liveTokens(a, person.id)).toEqual([])
    // The issue's example: the older link must not replace the password just chosen.
    expect(await redeem(a, older ?? '')).toBe('refused')
  })

  it('end when the password is changed some other way (better-auth changePassword writes accounts.password)', async () => {
    const person = await addUser(a)
    const token = await issue(a, person.email)
    const otherPerson = await addUser(a)
    const othersToken = await issue(a, otherPerson.email)
    await as(a, (tx) =>
      tx
        .update(accounts)
        .set({ password: `changed-${unique('hash')}` })
        .where(and(eq(accounts.tenantId, a.tenantId), eq(accounts.userId, person.id))),
    )
    expect(await redeem(a, token ?? '')).toBe('refused')
    expect((await liveTokens(a, otherPerson.id)).map((r) => r.token)).toEqual([othersToken])
  })

  it('end when an admin changes the email, deactivates, deletes or purges the person', async () => {
    const cases: Array<[string, (tx: Tx, id: string) => Promise<unknown>]> = [
      ['email change', (tx, id) => updateUserRow(tx, id, { email: `${unique('moved')}@example.test` })],
      ['deactivation', (tx, id) => lockOut(tx, id, a.ownerId, 'deactivate')],
      ['deletion', (tx, id) => lockOut(tx, id, a.ownerId, 'delete')],
      [
        'purge',
        async (tx, id) => {
          await lockOut(tx, id, a.ownerId, 'delete')
          await purgeItem(tx, 'user', id)
        },
      ],
    ]
    for (const [label, change] of cases) {
      const person = await addUser(a)
      const first = await issue(a, person.email)
      const second = await issue(a, person.email)
      await as(a, (tx) => change(tx, person.id))
      expect(await liveTokens(a, person.id), label).toEqual([])
      expect(await redeem(a, first ?? ''), label).toBe('refused')
      expect(await redeem(a, second ?? ''), label).toBe('refused')
    }
  })

  it('a deactivated or deleted person, like an unknown address, is sent no link', async () => {
    const deactivated = await addUser(a)
    const deleted = await addUser(a)
    await as(a, async (tx) => {
      await lockOut(tx, deactivated.id, a.ownerId, 'deactivate')
      await lockOut(tx, deleted.id, a.ownerId, 'delete')
    })
    expect(await issue(a, deactivated.email)).toBeUndefined()
    expect(await issue(a, deleted.email)).toBeUndefined()
    expect(await issue(a, `${unique('nobody')}@example.test`)).toBeUndefined()
    const live = await addUser(a)
    expect(await issue(a, live.email)).toEqual(expect.any(String))
  })

  it("another tenant's person with the same address gets no link here, and B's links survive A's changes", async () => {
    const email = `${unique('both')}@example.test`
    const inA = await addUser(a, email)
    const inB = await addUser(b, email)
    const tokenB = await issue(b, email)
    await as(a, (tx) => lockOut(tx, inA.id, a.ownerId, 'deactivate'))
    expect(await issue(a, email)).toBeUndefined()
    expect((await liveTokens(b, inB.id)).map((r) => r.token)).toEqual([tokenB])
    expect(await redeem(a, tokenB ?? '')).toBe('refused')
    expect(await redeem(b, tokenB ?? '')).toBe('ok')
  })

  it('the request path does the same work for a known and an unknown address: no timing oracle', async () => {
    // Known addresses rotate (three requests per account per window), every request comes from its own IP.
    const known = await Promise.all(Array.from({ length: 10 }, () => addUser(a)))
    const samples: Record<'known' | 'unknown', number[]> = { known: [], unknown: [] }
    let ip = 0
    const once = async (kind: 'known' | 'unknown', email: string) => {
      ip += 1
      const started = performance.now()
      await withTenant(ctx(a, `198.18.${Math.floor(ip / 250)}.${ip % 250}`), (tx) => requestResetLink(tx, ctx(a), { email, host: host(a) }))
      samples[kind].push(performance.now() - started)
      // The background work (lookup, link) is off the request path; let it finish so it does not bleed into the next sample.
      await backgroundIdle()
    }
    for (let round = 0; round < 30; round++) {
      const pair: Array<['known' | 'unknown', string]> = [
        ['known', known[round % known.length]?.email ?? ''],
        ['unknown', `${unique('nobody')}@example.test`],
      ]
      if (round % 2 === 1) pair.reverse()
      for (const [kind, email] of pair) await once(kind, email)
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0
    const quantile = (xs: number[], q: number) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) * q)] ?? 0
    const all = [...samples.known, ...samples.unknown]
    const spread = quantile(all, 0.75) - quantile(all, 0.25)
    const gap = Math.abs(median(samples.known) - median(samples.unknown))
    // The two paths run the same statements, so their medians differ by noise only: well under the interquartile
    // range of all samples (and under a millisecond when the machine is quiet and the spread tiny).
    expect(gap, `known ${median(samples.known).toFixed(2)} ms, unknown ${median(samples.unknown).toFixed(2)} ms, IQR ${spread.toFixed(2)} ms`).toBeLessThan(
      Math.max(spread, 1),
    )
    // And the known addresses really were sent links (off the path).
    expect((await liveTokens(a)).filter((r) => known.some((k) => k.id === r.userId)).length).toBeGreaterThanOrEqual(10)
  }, 120_000)
})

describe('invitations', () => {
  const invite = (f: Tenant, email: string) =>
    as(f, (tx) => createInvitation(tx, { tenantId: f.tenantId, email, fullName: 'Invited', roleId: null, invitedById: f.ownerId }))
  const accept = (f: Tenant, token: string) =>
    withTenant(ctx(f), (tx) => acceptInvitation(tx, { tenantId: f.tenantId, token, fullName: 'Accepted', password: 'invited-password-1' }))
  const find = (f: Tenant, token: string) => withTenant(ctx(f), (tx) => findPendingInvitation(tx, f.tenantId, token))
  const statusOf = async (id: string) =>
    (await t.owner.db.select({ status: invitations.status }).from(invitations).where(eq(invitations.id, id)))[0]?.status

  it('a re-sent invitation says the earlier link stops working, and it does', async () => {
    const email = `${unique('resend')}@example.test`
    const first = await invite(a, email)
    const second = await invite(a, email)
    expect([first.replacedPending, second.replacedPending]).toEqual([false, true])
    expect(await accept(a, first.token).catch((e: HttpError) => e.status)).toBe(410)
    expect(await accept(a, second.token)).toMatchObject({ email })
  })

  it('ends when its address becomes a live person some other way (added, email changed to it, restored)', async () => {
    const added = `${unique('added')}@example.test`
    const addedInvite = await invite(a, added)
    await addUser(a, added)
    expect(await statusOf(addedInvite.invitation.id)).toBe('revoked')
    expect(await find(a, addedInvite.token)).toBeNull()

    const renamedTo = `${unique('renamed')}@example.test`
    const renameInvite = await invite(a, renamedTo)
    const person = await addUser(a)
    await as(a, (tx) => updateUserRow(tx, person.id, { email: renamedTo }))
    expect(await statusOf(renameInvite.invitation.id)).toBe('revoked')

    const restoredEmail = `${unique('restored')}@example.test`
    const gone = await addUser(a, restoredEmail)
    await as(a, (tx) => lockOut(tx, gone.id, a.ownerId, 'delete'))
    const restoreInvite = await invite(a, restoredEmail)
    await as(a, (tx) => tx.update(users).set({ isDeleted: false, deletedAt: null }).where(and(eq(users.tenantId, a.tenantId), eq(users.id, gone.id))))
    expect(await statusOf(restoreInvite.invitation.id)).toBe('revoked')

    // The same address at another tenant is another person: B's invitation stays pending.
    const inB = await invite(b, added)
    expect(await statusOf(inB.invitation.id)).toBe('pending')
  })

  it('accepting one link twice at the same moment creates one person; the other gets 410', async () => {
    const email = `${unique('race')}@example.test`
    const { token } = await invite(a, email)
    const results = await Promise.allSettled([accept(a, token), accept(a, token)])
    const statuses = results.map((r) => (r.status === 'fulfilled' ? 200 : r.reason instanceof HttpError ? r.reason.status : String(r.reason)))
    expect(statuses.sort()).toEqual([200, 410])
    const rows = await t.owner.db.select({ id: users.id }).from(users).where(and(eq(users.tenantId, a.tenantId), eq(users.email, email)))
    expect(rows).toHaveLength(1)
  })

  it('an invitation and a person created for one address at the same moment: never both live', async () => {
    // Without the address lock (migration 0015) each side checked for the other before either committed.
    const emails = Array.from({ length: 8 }, () => `${unique('both')}@example.test`)
    const outcomes = await Promise.allSettled(emails.flatMap((email) => [invite(a, email), addUser(a, email)]))
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ status: 409, code: 'email_taken' })
    }
    for (const email of emails) {
      const live = await t.owner.db.select({ id: users.id }).from(users).where(and(eq(users.tenantId, a.tenantId), eq(users.email, email), eq(users.isDeleted, false)))
      const pending = await t.owner.db
        .select({ id: invitations.id })
        .from(invitations)
        .where(and(eq(invitations.tenantId, a.tenantId), eq(invitations.email, email), eq(invitations.status, 'pending')))
      expect([live.length, pending.length], email).toEqual([1, 0])
    }
  })

  it('cannot be accepted at another tenant (410), and stays pending', async () => {
    const { invitation, token } = await invite(a, `${unique('foreign')}@example.test`)
    expect(await accept(b, token).catch((e: HttpError) => e.status)).toBe(410)
    expect(await statusOf(invitation.id)).toBe('pending')
  })
})
