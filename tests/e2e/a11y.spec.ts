import AxeBuilder from '@axe-core/playwright'
import type { Page } from '@playwright/test'
import { DEMO_PASSWORD, expect, hostUrl, openPage, signInAs, test } from './fixtures'
import { callFromPage, pageOverHttp, resultOf, sessionCookie } from './server-fn'
import { consoleSessionFile } from './totp'

// Every page in both themes, each an axe run of its own, on a machine shared with other work.
test.describe.configure({ timeout: 480_000 })

const THEMES = ['light', 'dark'] as const

/**
 * Runs axe on the page as it is now, in light and in dark (the app follows the system theme unless the person chose
 * one, and the demo people have not), and fails on any serious or critical violation, naming the rule and the nodes.
 */
async function expectAccessible(page: Page, what: string) {
  for (const colorScheme of THEMES) {
    await page.emulateMedia({ colorScheme })
    const isDark = await page.evaluate(() => document.documentElement.classList.contains('dark'))
    if (isDark !== (colorScheme === 'dark')) {
      // The page picks the system theme before its first paint; a reload lets it pick the other one.
      await page.reload()
      await expect(page.locator('html[data-hydrated]')).toBeAttached({ timeout: 30_000 })
      await expect(page.locator('h1').first()).toBeVisible({ timeout: 30_000 })
    }
    await expect(page.locator('html')).toHaveClass(colorScheme === 'dark' ? /\bdark\b/ : /^(?!.*\bdark\b)/)
    const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']).analyze()
    const serious = violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`)
    expect(serious, `${what} in ${colorScheme}`).toEqual([])
  }
}

/** Opens a page, waits for its heading, checks it has a <main> and a title that names it, and runs axe. */
async function visit(page: Page, url: string, heading: string | RegExp, title: RegExp) {
  await page.emulateMedia({ colorScheme: 'light' })
  await openPage(page, url)
  await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible({ timeout: 30_000 })
  await expect(page.getByRole('main')).toHaveCount(1)
  await expect(page).toHaveTitle(title)
  await expectAccessible(page, url)
}

test('status pages and the pages before signing in', async ({ page }) => {
  await visit(page, hostUrl(null), 'Go to your workspace', /Haven/)
  await visit(page, hostUrl('acme', '/sign-in'), 'Sign in to Acme Inc.', /Sign in/)
  await visit(page, hostUrl('acme', '/forgot-password'), /password/i, /password/i)
  await visit(page, hostUrl('nope', '/'), 'No workspace here', /No workspace here/)
  await visit(page, hostUrl('initech', '/'), 'This workspace is suspended', /suspended/)
  await visit(page, hostUrl('console', '/sign-in'), /Sign in/, /Sign in|console/i)
})

// One test per page: each runs axe twice, and ten pages in one test outlast any sane timeout on a busy machine.
const ADMIN_PAGES: [string, string | RegExp, RegExp][] = [
  ['/', /Welcome/, /Dashboard|Haven/],
  ['/profile', /Profile/, /Profile/],
  ['/categories', 'Categories', /Categories/],
  ['/admin/users', 'Users', /Users/],
  ['/admin/roles', 'Roles and permissions', /Roles/],
  ['/admin/teams', 'Organizations and teams', /Organizations and teams/],
  ['/admin/audit', 'Audit log', /Audit log/],
  ['/admin/trash', 'Trash', /Trash/],
  ['/admin/settings', 'Settings', /Settings/],
  ['/no-such-page', 'Page not found', /Page not found/],
]
for (const [path, heading, title] of ADMIN_PAGES) {
  test(`an admin of acme: ${path}`, async ({ page }) => {
    await signInAs(page, { tenant: 'acme', email: 'owner@acme.test' })
    await visit(page, hostUrl('acme', path), heading, title)
  })
}

test("an admin of acme: a person's page and a category's", async ({ page }) => {
  await signInAs(page, { tenant: 'acme', email: 'owner@acme.test' })
  await openPage(page, hostUrl('acme', '/admin/users'))
  await page.getByRole('table').getByRole('link').first().click()
  await expect(page.getByRole('tab', { name: 'Details' })).toBeVisible({ timeout: 30_000 })
  await expectAccessible(page, 'a person')

  await openPage(page, hostUrl('acme', '/categories'))
  // The tree is react-aria's treegrid (decision 012): its items are rows.
  await page.getByRole('treegrid', { name: 'Categories' }).getByRole('row').first().click()
  await expect(page).toHaveURL(/\/categories\/[0-9a-f-]{36}/)
  await expectAccessible(page, 'a category')
})

test('every page a member of acme sees, and the pages they may not', async ({ page }) => {
  await signInAs(page, { tenant: 'acme', email: 'member@acme.test' })
  await visit(page, hostUrl('acme', '/'), /Welcome/, /Dashboard|Haven/)
  await visit(page, hostUrl('acme', '/profile'), /Profile/, /Profile/)
  await visit(page, hostUrl('acme', '/categories'), 'Categories', /Categories/)
  await visit(page, hostUrl('acme', '/admin/settings'), 'Not allowed', /Not allowed/)
})

test.describe('the console', () => {
  // Root's stored session (console-setup): these checks are about the pages, and a fresh sign-in waits for a TOTP step.
  test.use({ storageState: consoleSessionFile('browse') })
  test('every page of the console', async ({ page }) => {
    const pages: [string, string | RegExp, RegExp][] = [
      ['/', /Overview|Console/, /console/i],
      ['/tenants', 'Tenants', /Tenants/],
      ['/users', /People/, /console/i],
      ['/audit', /Audit/, /console/i],
      ['/no-such-page', 'Page not found', /Page not found/],
    ]
    for (const [path, heading, title] of pages) await visit(page, hostUrl('console', path), heading, title)
    await openPage(page, hostUrl('console', '/tenants'))
    await page.getByRole('link', { name: 'Acme Inc.' }).first().click()
    await expect(page.getByRole('heading', { level: 1, name: 'Acme Inc.' })).toBeVisible({ timeout: 30_000 })
    // Reached from the list inside the app, the tab names the tenant, not the list.
    await expect(page).toHaveTitle('Acme Inc. — Haven console')
    await expectAccessible(page, 'a tenant')
    // The chart library loads on demand (features/console/activity-bars.tsx): the tenant's activity is drawn as bars.
    await expect(page.getByRole('figure').locator('.recharts-bar-rectangle').first()).toBeVisible()
  })
})

test('an unknown path is a missing page inside the app, answered 404; a page one may not see is a 403', async ({ page }) => {
  await signInAs(page, { tenant: 'acme', email: 'member@acme.test' })
  const missing = await page.goto(hostUrl('acme', '/no-such-page'))
  expect(missing?.status()).toBe(404)
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible()
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible()
  await expect(page.getByRole('heading', { name: 'No workspace here' })).toHaveCount(0)

  const forbidden = await page.goto(hostUrl('acme', '/admin/settings'))
  expect(forbidden?.status()).toBe(403)
  await expect(page.getByRole('heading', { name: 'Not allowed' })).toBeVisible()

  const suspended = await page.goto(hostUrl('initech', '/'))
  expect(suspended?.status()).toBe(403)
  const unknown = await page.goto(hostUrl('nope', '/'))
  expect(unknown?.status()).toBe(404)
})

test('a status page names itself in the HTML the server sends, before any script runs, in the page language', async () => {
  const member = await sessionCookie('acme', 'member@acme.test', DEMO_PASSWORD)
  const cases: { host: string | null; path: string; headers?: Record<string, string>; status?: number; title: string }[] = [
    { host: 'acme', path: '/no-such-page', status: 404, title: 'Page not found — Haven' },
    { host: 'acme', path: '/no-such-page', headers: { cookie: member }, status: 404, title: 'Page not found — Haven' },
    { host: 'acme', path: '/admin/settings', headers: { cookie: member }, status: 403, title: 'Not allowed — Haven' },
    { host: 'nope', path: '/', status: 404, title: 'No workspace here — Haven' },
    { host: 'initech', path: '/', status: 403, title: 'This workspace is suspended — Haven' },
    { host: 'console', path: '/no-such-page', status: 404, title: 'Page not found — Haven' },
    { host: 'acme', path: '/invite/no-such-invitation-token', title: 'This invitation cannot be used — Haven' },
    { host: 'acme', path: '/reset-password?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', title: 'This reset link no longer works — Haven' },
    { host: 'acme', path: '/no-such-page', headers: { 'accept-language': 'de-DE,de;q=0.9' }, status: 404, title: 'Seite nicht gefunden — Haven' },
    { host: 'acme', path: '/admin/settings', headers: { cookie: member, 'accept-language': 'de-DE,de;q=0.9' }, status: 403, title: 'Kein Zugriff — Haven' },
  ]
  for (const { host, path, headers, status, title } of cases) {
    const response = await pageOverHttp(host, path, headers)
    const what = `${host} ${path}${headers ? ` (${Object.keys(headers).join(', ')})` : ''}`
    if (status) expect(response.status, what).toBe(status)
    expect([...response.html.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1]), what).toEqual([title])
  }
})

test('a person in the trash, opened by URL, says so and can be restored from there', async ({ page }) => {
  await signInAs(page, { tenant: 'acme', email: 'admin@acme.test' })
  const email = `trashed-${Date.now()}@acme.test`
  const { id } = resultOf<{ id: string }>(await callFromPage(page, 'POST', 'users.createUser', { email, fullName: 'Trudy Trashed', roleIds: [], metadata: {} }))
  expect((await callFromPage(page, 'POST', 'users.deleteUser', { id })).status).toBe(200)

  await visit(page, hostUrl('acme', `/admin/users/${id}`), 'Trudy Trashed', /Trudy Trashed \(in the trash\)/)
  await expect(page.getByText('This person is in the trash.')).toBeVisible()
  await page.getByRole('button', { name: 'Restore Trudy Trashed' }).click()
  await expect(page.getByRole('tab', { name: 'Details' })).toBeVisible({ timeout: 30_000 })
  await expect(page.getByText('This person is in the trash.')).toHaveCount(0)
})
