import { randomUUID } from 'node:crypto'
import type { Page } from '@playwright/test'
import { DEMO_PASSWORD, enterRootPassword, expect as baseExpect, hostUrl, openPage, test } from './fixtures'
import { callFromPage, resultOf } from './server-fn'
import { type ConsoleSession, consoleSessionFile, recoveryCode, withTotpCode } from './totp'

// Whole flows across several hosts and browsers, each step a few round trips, on a machine shared with other work.
test.describe.configure({ timeout: 180_000 })
const expect = baseExpect.configure({ timeout: 30_000 })

/** signInAs at a tenant's host with this file's patience. */
async function signIn(page: Page, host: string, email: string, password = DEMO_PASSWORD) {
  await openPage(page, hostUrl(host, '/sign-in'))
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('button', { name: 'Account menu' })).toBeVisible()
}

/**
 * Root, signed in at the console with a session console-setup stored (`name`: one per test, since a step-up belongs
 * to its session). The sign-in itself, with a TOTP code and with a recovery code, is the first test's subject.
 */
function signedInRoot(name: ConsoleSession) {
  test.use({ storageState: consoleSessionFile(name) })
}

async function openConsole(page: Page) {
  await openPage(page, hostUrl('console', '/'))
  await expect(page.getByRole('button', { name: 'Account menu' })).toBeVisible()
}

/** Answers the step-up dialog that a sensitive action opens. */
async function confirmWithCode(page: Page) {
  const dialog = page.getByRole('dialog', { name: 'Confirm it is you' })
  await expect(dialog).toBeVisible()
  await withTotpCode(async (code) => {
    await dialog.getByLabel('Authentication code').fill(code)
    await dialog.getByRole('button', { name: 'Verify and continue' }).click()
    await expect(dialog).toBeHidden()
  })
}

async function tenantIdOf(page: Page, slug: string): Promise<string> {
  const response = await callFromPage(page, 'GET', 'console.listTenants', { q: slug })
  const tenant = resultOf<{ items: { id: string; slug: string }[] }>(response).items.find((t) => t.slug === slug)
  if (!tenant) throw new Error(`${slug} not listed: ${response.text}`)
  return tenant.id
}

test.describe('console sign-in with TOTP', () => {
  test('a code signs root in; a wrong code does not; a recovery code works once', async ({ browser }) => {
    const first = await browser.newContext()
    const page = await first.newPage()
    await enterRootPassword(page)
    await page.getByLabel('Authentication code').fill('zzzzz-zzzzz')
    await page.getByRole('button', { name: 'Verify' }).click()
    await expect(page.getByText('That code is not right')).toBeVisible()
    expect((await first.cookies(hostUrl('console'))).map((c) => c.name)).not.toContain('haven.session_token')
    await withTotpCode(async (code) => {
      await page.getByLabel('Authentication code').fill(code)
      await page.getByRole('button', { name: 'Verify' }).click()
      await expect(page.getByRole('button', { name: 'Account menu' })).toBeVisible()
    })
    await first.close()

    const recovery = recoveryCode('sign-in test')
    for (const expected of ['signed in', 'refused'] as const) {
      const context = await browser.newContext()
      const p = await context.newPage()
      await enterRootPassword(p)
      await p.getByLabel('Authentication code').fill(recovery)
      await p.getByRole('button', { name: 'Verify' }).click()
      if (expected === 'signed in') await expect(p.getByRole('button', { name: 'Account menu' })).toBeVisible()
      else await expect(p.getByText('That code is not right')).toBeVisible()
      await context.close()
    }
  })
})

test.describe('tenants', () => {
  signedInRoot('tenants')
  test('provision with an owner invitation, suspend (sign-in refused, sessions gone), reactivate', async ({ browser, page }) => {
    const slug = `e2e-${randomUUID().slice(0, 8)}`
    await openConsole(page)
    await page.getByRole('link', { name: 'Tenants' }).first().click()
    await expect(page.getByRole('heading', { name: 'Tenants' })).toBeVisible()
    await expect(page.getByRole('link', { name: 'Acme Inc.' })).toBeVisible()

    await page.getByRole('button', { name: 'Provision tenant' }).click()
    const dialog = page.getByRole('dialog', { name: 'Provision a tenant' })
    await dialog.getByLabel('Workspace name').fill('E2E Works')
    await dialog.getByLabel('Owner email').fill(`boss@${slug}.test`)
    for (const [taken, message] of [
      ['www', 'This name is reserved'],
      ['acme', 'This name is taken'],
    ] as const) {
      await dialog.getByLabel('Slug').fill(taken)
      await dialog.getByRole('button', { name: 'Provision' }).click()
      await expect(dialog.getByText(message, { exact: true })).toBeVisible()
    }
    await dialog.getByLabel('Slug').fill(slug)
    await dialog.getByRole('button', { name: 'Provision' }).click()
    const link = ((await page.getByTestId('owner-invitation-link').textContent()) ?? '').trim()
    expect(link).toContain(`http://${slug}.localhost:`)

    // The owner accepts at the new subdomain, at once.
    const ownerContext = await browser.newContext()
    const owner = await ownerContext.newPage()
    await openPage(owner, link)
    await owner.getByLabel('Full name').fill('Bea Boss')
    await owner.getByLabel('Password', { exact: true }).fill('owner-password-1')
    await owner.getByLabel('Repeat the password').fill('owner-password-1')
    await owner.getByRole('button', { name: 'Create my account' }).click()
    await expect(owner.getByRole('button', { name: 'Account menu' })).toBeVisible()
    const settings = await callFromPage(owner, 'GET', 'settings.getSettings')
    expect(settings.status, 'the invited owner holds the owner role').toBe(200)

    // Suspend, with a reason and a fresh code.
    await page.goto(hostUrl('console', '/tenants'))
    await page.getByRole('link', { name: 'E2E Works' }).click()
    await expect(page.getByRole('heading', { name: 'E2E Works' })).toBeVisible()
    await page.getByRole('button', { name: 'Suspend' }).click()
    const suspend = page.getByRole('dialog', { name: 'Suspend E2E Works' })
    await suspend.getByLabel('Reason').fill('Unpaid invoices')
    await suspend.getByRole('button', { name: 'Suspend' }).click()
    await confirmWithCode(page)
    await expect(page.getByText('Suspended', { exact: true })).toBeVisible()
    await expect(page.getByText(/Unpaid invoices/)).toBeVisible()

    await owner.reload()
    await expect(owner.getByRole('heading', { name: 'This workspace is suspended' })).toBeVisible()
    await openPage(owner, hostUrl(slug, '/sign-in'))
    await expect(owner.getByRole('heading', { name: 'This workspace is suspended' })).toBeVisible()
    await expect(owner.getByLabel('Password')).toHaveCount(0)

    await page.getByRole('button', { name: 'Reactivate' }).click()
    await expect(page.getByRole('button', { name: 'Suspend' })).toBeVisible()
    await expect(page.getByText(/Unpaid invoices/)).toHaveCount(0)
    // The session from before the suspension is gone: the owner has to sign in again.
    await openPage(owner, hostUrl(slug, '/'))
    await expect(owner).toHaveURL(new RegExp(`^http://${slug}\\.localhost:\\d+/sign-in`))
    await signIn(owner, slug, `boss@${slug}.test`, 'owner-password-1')
    await ownerContext.close()
  })
})

test.describe('tenants sorted by their figures', () => {
  signedInRoot('sorting')
  test('each figure sorts from its header button, both ways; the URL carries the sort and aria-sort says it', async ({ browser, page }) => {
    await openPage(page, hostUrl('console', '/tenants'))
    // The figures are counted by a job, not per request: the page says when.
    await expect(page.getByTestId('figures-as-of')).toContainText(/^Figures as of /)
    const table = page.getByRole('table')
    const header = (name: string) => table.getByRole('columnheader', { name, exact: true })
    /** The figures in a column, top to bottom (the table's columns: name, slug, status, then the four counts). */
    const column = async (index: number) =>
      (await table.locator(`tbody tr td:nth-child(${index})`).allTextContents()).map((text) => Number(text.replace(/\D/g, '')))
    const columns = [
      { name: 'People', sort: 'people', index: 4 },
      { name: 'Active 30 d', sort: 'active30', index: 5 },
      { name: 'Categories', sort: 'categories', index: 6 },
      { name: 'Events 30 d', sort: 'events30', index: 7 },
    ]
    for (const { name, sort, index } of columns) {
      await header(name).getByRole('button').click()
      await expect(page).toHaveURL(new RegExp(`[?&]sort=${sort}(&|$)`))
      await expect(page).toHaveURL(/[?&]dir=desc(&|$)/)
      await expect(header(name)).toHaveAttribute('aria-sort', 'descending')
      await expect(header('Created')).toHaveAttribute('aria-sort', 'none')
      const down = await column(index)
      expect(down, `${name}, largest first`).toEqual([...down].sort((x, y) => y - x))
      await header(name).getByRole('button').click()
      await expect(page).toHaveURL(/[?&]dir=asc(&|$)/)
      await expect(header(name)).toHaveAttribute('aria-sort', 'ascending')
      const up = await column(index)
      expect(up, `${name}, smallest first`).toEqual([...up].sort((x, y) => x - y))
    }
    await header('People').getByRole('button').click()
    await expect(header('People')).toHaveAttribute('aria-sort', 'descending')
    // Acme, the demo's largest workspace, leads by people.
    await expect(table.locator('tbody tr').first()).toContainText('Acme Inc.')

    // The address is the sort: opened in another browser, the same column and direction (other tests keep changing
    // the figures meanwhile, so the order is checked, not compared row by row).
    const other = await browser.newContext({ storageState: consoleSessionFile('sorting') })
    const again = await other.newPage()
    await openPage(again, page.url())
    const sharedTable = again.getByRole('table')
    await expect(sharedTable.getByRole('columnheader', { name: 'People', exact: true })).toHaveAttribute('aria-sort', 'descending')
    await expect(sharedTable.locator('tbody tr').first()).toContainText('Acme Inc.')
    const shared = (await sharedTable.locator('tbody tr td:nth-child(4)').allTextContents()).map((text) => Number(text.replace(/\D/g, '')))
    expect(shared).toEqual([...shared].sort((x, y) => y - x))
    await other.close()

    await header('Last activity').getByRole('button').click()
    await expect(page).toHaveURL(/[?&]sort=lastActivity(&|$)/)
    await expect(header('Last activity')).toHaveAttribute('aria-sort', 'descending')
  })
})

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 } })
  signedInRoot('phone')
  test("the tenant page's people and the people search fit the screen: wide tables scroll inside their card", async ({ page }) => {
    await openConsole(page)
    const acme = await tenantIdOf(page, 'acme')
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    await openPage(page, hostUrl('console', `/tenants/${acme}`))
    await expect(page.getByRole('button', { name: /^Impersonate / }).first()).toBeAttached()
    // Polled: the chart measures its width after the first paint.
    await expect.poll(overflow).toBe(0)
    await openPage(page, hostUrl('console', '/users?q=member@acme'))
    await expect(page.getByRole('cell', { name: 'member@acme.test' })).toBeAttached()
    await expect.poll(overflow).toBe(0)
  })
})

test.describe('toasts', () => {
  test('are drawn in the page’s dark theme', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'dark' })
    await enterRootPassword(page)
    const toaster = page.locator('[data-sonner-toaster]')
    // A recovery code signs in like a TOTP code (the first test checks both) without waiting for a time step.
    await page.getByLabel('Authentication code').fill(recoveryCode('toasts'))
    await page.getByRole('button', { name: 'Verify' }).click()
    // "Signed in" shows for a few seconds while the overview loads.
    await expect(page.getByText('Signed in', { exact: true })).toBeVisible()
    await expect(toaster).toHaveAttribute('data-sonner-theme', 'dark')
  })
})

test.describe('impersonation refused', () => {
  signedInRoot('refused')
  test("is refused without the tenant's consent; a step-up code works once", async ({ page }) => {
    await openConsole(page)
    const globex = await tenantIdOf(page, 'globex')
    await page.goto(hostUrl('console', `/tenants/${globex}`))
    await expect(page.getByText(/Impersonation is off/)).toBeVisible()
    // The page is the tenant's, and so is its title.
    await expect(page).toHaveTitle('Globex Corp. — Haven console')
    await expect(page.getByRole('button', { name: /^Impersonate / })).toHaveCount(0)

    // Even called directly, with a fresh code: the tenant has not allowed it.
    const people = resultOf<{ items: { id: string }[] }>(await callFromPage(page, 'GET', 'console.listTenantPeople', { id: globex }))
    const userId = people.items[0]?.id
    await withTotpCode(async (code) => {
      const stepped = await callFromPage(page, 'POST', 'mfa.stepUp', { code })
      expect(stepped.status, stepped.text).toBe(200)
      // The same code again at once, still inside its 30 seconds: refused, it was used.
      const replay = await callFromPage(page, 'POST', 'mfa.stepUp', { code })
      expect(replay.status, replay.text).toBe(401)
      expect(replay.text).toContain('console.errors.usedCode')
    })
    const refused = await callFromPage(page, 'POST', 'impersonation.startImpersonation', { tenantId: globex, userId, reason: 'Trying without consent' })
    expect(refused.status, refused.text).toBe(403)
    expect(refused.text).toContain('console.errors.impersonationNotAllowed')
  })

})

test.describe('impersonation with consent', () => {
  signedInRoot('consent')
  test('with consent: the banner, an edit attributed to both, no password change, stop; acme\'s admin sees it', async ({ browser, page }) => {
    const reason = `Ticket ${randomUUID().slice(0, 6)}: cannot see categories`
    await openConsole(page)
    const acme = await tenantIdOf(page, 'acme')
    await page.goto(hostUrl('console', `/tenants/${acme}`))
    await page.getByLabel('Search people').fill('Mia')
    await page.getByRole('button', { name: 'Search', exact: true }).click()
    await page.getByRole('button', { name: 'Impersonate Mia Member' }).click()
    const dialog = page.getByRole('dialog', { name: 'Impersonate Mia Member' })
    await dialog.getByLabel('Reason').fill(reason)
    await dialog.getByRole('button', { name: 'Start impersonating' }).click()
    await confirmWithCode(page)

    await expect(page).toHaveURL(/^http:\/\/acme\.localhost:\d+\/$/)
    const banner = page.getByRole('status', { name: 'Impersonation' })
    await expect(banner).toContainText('Viewing as Mia Member — Root Operator')
    await expect(banner).toContainText(reason)
    await expect(banner).toContainText(/ends in (30|29) min/)
    await page.goto(hostUrl('acme', '/profile'))
    await expect(banner).toBeVisible()
    // The password stays Mia's: no form to change it, and the server refuses whatever would outlive the impersonation.
    await expect(page.getByText('The password stays with Mia Member')).toBeVisible()
    await expect(page.getByLabel('Current password')).toHaveCount(0)
    // (Mia holds no users:write, so inviting and creating people are refused to her anyway; those checks are the
    // same call in their handlers.) A link that is only a shape here: the refusal comes before any lookup.
    const bogus = 'x'.repeat(43)
    const lasting = [
      await callFromPage(page, 'POST', 'auth.requestPasswordReset', { email: 'member@acme.test' }),
      await callFromPage(page, 'POST', 'auth.resetPassword', { token: bogus, password: 'a-door-for-later-1' }),
      await callFromPage(page, 'POST', 'auth.acceptInvitation', { token: bogus, fullName: 'Back Door', password: 'a-door-for-later-1' }),
    ]
    for (const refused of lasting) {
      expect(refused.status, refused.text).toBe(403)
      expect(refused.text).toContain('console.errors.lastingAccess')
    }

    const edit = await callFromPage(page, 'POST', 'profile.updatePreferences', { theme: 'system' })
    expect(edit.status, edit.text).toBe(200)
    const password = await callFromPage(page, 'POST', 'profile.changePassword', {
      currentPassword: DEMO_PASSWORD,
      newPassword: 'taken-over-123',
      signOutOthers: false,
    })
    expect(password.status, password.text).toBe(403)

    await banner.getByRole('button', { name: 'Stop' }).click()
    await expect(page).toHaveURL(/^http:\/\/console\.localhost:\d+\//)
    await openPage(page, hostUrl('acme', '/'))
    await expect(page).toHaveURL(/^http:\/\/acme\.localhost:\d+\/sign-in/)

    // acme's audit log: start, the edit as Mia by root, the end.
    const audit = resultOf<{ items: { action: string; tableName: string; userName: string | null; impersonatorName: string | null; details: string }[] }>(
      await (async () => {
        await openPage(page, hostUrl('console', '/'))
        return callFromPage(page, 'GET', 'console.listGlobalAudit', { tenantId: acme })
      })(),
    )
    const mine = audit.items.filter((e) => e.impersonatorName === 'Root Operator' && e.userName === 'Mia Member')
    const actions = mine.map((e) => `${e.action} ${e.tableName}`)
    expect(actions).toContain('IMPERSONATION_STARTED users')
    expect(actions).toContain('UPDATE users')
    expect(audit.items.some((e) => e.action === 'IMPERSONATION_ENDED' && e.details.includes('stopped'))).toBe(true)
    expect(audit.items.some((e) => e.action === 'CONSOLE_ACCESS' && e.details.includes(reason))).toBe(true)

    // acme's own admin reads it in acme's audit log, in words, with both people named.
    const adminContext = await browser.newContext()
    const admin = await adminContext.newPage()
    await signIn(admin, 'acme', 'admin@acme.test')
    await openPage(admin, hostUrl('acme', '/admin/audit?impersonated=true'))
    const events = admin.getByRole('list', { name: 'Audit events' }).getByRole('listitem')
    // Each name with the email it had at the time (issue 8): the operator as the operator, the person as the person.
    await expect(events.filter({ hasText: 'Root Operator (console) (root@haven.test) as Mia Member (member@acme.test)' }).first()).toBeVisible()
    await openPage(admin, hostUrl('acme', '/admin/audit?action=IMPERSONATION_STARTED'))
    await expect(events.filter({ hasText: `started impersonating Mia Member (${reason})` })).toHaveCount(1)
    await openPage(admin, hostUrl('acme', '/admin/audit?action=IMPERSONATION_ENDED'))
    await expect(events.filter({ hasText: 'impersonation stopped' }).first()).toBeVisible()
    await adminContext.close()
  })

})

test.describe('impersonating an admin', () => {
  signedInRoot('signOut')
  test('the Users page offers nothing the server refuses; signing out from the account menu names the operator, like Stop', async ({ browser, page }) => {
    const reason = `Ticket ${randomUUID().slice(0, 6)}: signs out from the menu`
    // A pending invitation, so that its controls can be looked for: acme's owner sends it, not impersonated.
    const ownerContext = await browser.newContext()
    const owner = await ownerContext.newPage()
    await signIn(owner, 'acme', 'owner@acme.test')
    const invitee = `pending-${randomUUID().slice(0, 6)}@acme.test`
    const invited = await callFromPage(owner, 'POST', 'auth.inviteUser', { email: invitee })
    expect(invited.status, invited.text).toBe(200)
    await ownerContext.close()

    await openConsole(page)
    const acme = await tenantIdOf(page, 'acme')
    const people = resultOf<{ items: { id: string; email: string }[] }>(await callFromPage(page, 'GET', 'console.listTenantPeople', { id: acme, q: 'admin@acme.test' }))
    const adam = people.items.find((p) => p.email === 'admin@acme.test')
    await withTotpCode(async (code) => {
      const stepped = await callFromPage(page, 'POST', 'mfa.stepUp', { code })
      expect(stepped.status, stepped.text).toBe(200)
    })
    const started = await callFromPage(page, 'POST', 'impersonation.startImpersonation', { tenantId: acme, userId: adam?.id, reason, minutes: 15 })
    expect(started.status, started.text).toBe(200)
    await page.goto(resultOf<{ url: string }>(started).url)
    await expect(page.getByRole('status', { name: 'Impersonation' })).toContainText(reason)
    // The browser keeps the impersonation's cookie for its 15 minutes, not for the week a sign-in gets.
    const cookie = (await page.context().cookies(hostUrl('acme'))).find((c) => c.name === 'haven.session_token')
    expect(cookie?.expires ?? -1).toBeGreaterThan(Date.now() / 1000 + 13 * 60)
    expect(cookie?.expires ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(Date.now() / 1000 + 15 * 60)

    // Adam may manage people, but nothing that would outlive the impersonation is offered: no adding (by invitation
    // or with a password), no invitation link shown or made again. Revoking stays; the page says why.
    await openPage(page, hostUrl('acme', '/admin/users'))
    await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible()
    await expect(page.getByRole('button', { name: `Revoke invitation to ${invitee}` })).toBeVisible()
    await expect(page.getByRole('button', { name: 'Add person' })).toHaveCount(0)
    await expect(page.getByRole('button', { name: `Copy link for ${invitee}` })).toHaveCount(0)
    await expect(page.getByRole('button', { name: `Resend invitation to ${invitee}` })).toHaveCount(0)
    await expect(page.getByText(/^Not possible while impersonating: adding, inviting/)).toBeVisible()
    // Not even a person without a password: the operator would ask for a reset link at that address afterwards.
    const door = `door-${randomUUID().slice(0, 6)}@acme.test`
    const created = await callFromPage(page, 'POST', 'users.createUser', { email: door, fullName: 'Back Door' })
    expect(created.status, created.text).toBe(403)
    expect(created.text).toContain('impersonating')
    // A person's roles show, but cannot be granted from here.
    await openPage(page, hostUrl('acme', `/admin/users/${adam?.id}`))
    await expect(page.getByRole('heading', { name: 'Roles' })).toBeVisible()
    await expect(page.getByRole('button', { name: 'Save roles' })).toHaveCount(0)
    // Nor can a permission be added to a role (it would reach an account the operator controls); taking one away can.
    await openPage(page, hostUrl('acme', '/admin/roles'))
    await expect(page.getByRole('checkbox', { name: 'audit:read for Catalog editor' })).toBeDisabled()
    await expect(page.getByRole('checkbox', { name: 'categories:write for Catalog editor' })).toBeEnabled()

    await page.getByRole('button', { name: 'Account menu' }).click()
    await page.getByRole('menuitem', { name: 'Sign out' }).click()
    await expect(page).toHaveURL(hostUrl('acme', '/sign-in'))

    // The sign-out, the session's deletion and the impersonation's end: Adam's, by root, all three.
    await openPage(page, hostUrl('console', '/'))
    const audit = resultOf<{ items: { action: string; tableName: string; userName: string | null; impersonatorName: string | null; requestId: string | null }[] }>(
      await callFromPage(page, 'GET', 'console.listGlobalAudit', { tenantId: acme }),
    )
    const ends = new Set(audit.items.filter((e) => e.action === 'IMPERSONATION_ENDED').map((e) => e.requestId))
    const signOut = audit.items.find((e) => e.action === 'SIGN_OUT' && ends.has(e.requestId))
    expect(signOut?.userName).toBe('Adam Admin')
    const sameRequest = audit.items.filter((e) => e.requestId === signOut?.requestId)
    expect(sameRequest.map((e) => `${e.action} ${e.tableName}`).sort()).toEqual(['DELETE sessions', 'IMPERSONATION_ENDED sessions', 'SIGN_OUT users'])
    for (const e of sameRequest) expect([e.userName, e.impersonatorName]).toEqual(['Adam Admin', 'Root Operator'])
    // The start's session row is Adam's, by root, like the start itself (not "System started a session").
    const start = audit.items.find((e) => e.action === 'IMPERSONATION_STARTED' && e.userName === 'Adam Admin')
    const startRequest = audit.items.filter((e) => e.requestId === start?.requestId && e.tableName === 'sessions')
    expect(startRequest.map((e) => [e.action, e.userName, e.impersonatorName])).toEqual([['CREATE', 'Adam Admin', 'Root Operator']])
  })
})
