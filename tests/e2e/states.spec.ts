import { randomUUID } from 'node:crypto'
import { guardAsksBeforeDiscarding, expect, hostUrl, openPage, signInAs, test } from './fixtures'
import { callFromPage } from './server-fn'

const OFFLINE = "Couldn't reach Haven — check your connection"
const OFFLINE_KEPT = "Couldn't reach Haven — your changes are kept here. Check your connection and try again."

test('a lost connection says so in words and keeps the shell, for a page change and for an action', async ({ page, context, consoleErrors }) => {
  await signInAs(page, { tenant: 'acme', email: 'member@acme.test' })
  await openPage(page, hostUrl('acme', '/profile'))
  await expect(page.getByRole('heading', { level: 1, name: /Profile/ })).toBeVisible()

  await context.setOffline(true)
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Categories' }).click()
  await expect(page.getByRole('heading', { level: 1, name: "Couldn't reach Haven" })).toBeVisible()
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible()
  await expect(page.getByRole('button', { name: /Account menu/ })).toBeVisible()
  await expect(page.getByText('Failed to fetch')).toHaveCount(0)

  // An action that cannot reach the server: the theme switch saves a preference.
  await page.getByRole('button', { name: /^Theme:/ }).click()
  await expect(page.getByText(OFFLINE)).toBeVisible()

  await context.setOffline(false)
  await page.getByRole('button', { name: 'Try again' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Categories' })).toBeVisible()
  // The browser logs the failed requests; that is what this test is about.
  consoleErrors.length = 0
})

test('a save that cannot reach the server says so once for the form, not under a field, and keeps what was typed', async ({ page, context, consoleErrors }) => {
  await signInAs(page, { tenant: 'acme', email: 'member@acme.test' })
  await openPage(page, hostUrl('acme', '/profile'))
  const name = page.getByLabel('Full name')
  const current = page.getByLabel('Current password')
  await name.fill('Mia Offline')
  await context.setOffline(true)

  await page.getByRole('button', { name: 'Save name' }).click()
  await expect(page.getByText(OFFLINE_KEPT)).toBeVisible()
  await expect(name).toHaveValue('Mia Offline')
  await expect(name).not.toHaveAttribute('aria-invalid', 'true')
  await expect(page.getByText(OFFLINE, { exact: true })).toHaveCount(0)

  // The password form used to put any failure under "Current password".
  await current.fill('demo-password')
  await page.getByLabel('New password', { exact: true }).fill('another-password')
  await page.getByLabel('Repeat new password').fill('another-password')
  await page.getByRole('button', { name: 'Change password' }).click()
  await expect(page.getByRole('button', { name: 'Change password' })).toBeEnabled()
  await expect(current).not.toHaveAttribute('aria-invalid', 'true')
  await expect(current).toHaveValue('demo-password')
  // Saying it again replaces the message instead of stacking a second one.
  await expect(page.getByText(OFFLINE_KEPT)).toHaveCount(1)

  // Back online, the same form saves (the member's own name again, so that other tests still find her).
  await context.setOffline(false)
  await name.fill('Mia Member')
  await page.getByRole('button', { name: 'Save name' }).click()
  await expect(page.getByText('Name saved')).toBeVisible()
  // The browser logs the failed requests; that is what this test is about.
  consoleErrors.length = 0
})

test('a dialog whose save cannot reach the server stays open with what was typed', async ({ page, context, consoleErrors }) => {
  await signInAs(page, { tenant: 'acme', email: 'admin@acme.test' })
  await openPage(page, hostUrl('acme', '/admin/teams'))
  await page.getByRole('button', { name: 'New organization' }).first().click()
  const dialog = page.getByRole('dialog', { name: 'New organization' })
  await dialog.getByLabel('Name').fill('Offline Org')
  await context.setOffline(true)
  await dialog.getByRole('button', { name: 'Create organization' }).click()
  await expect(page.getByText(OFFLINE_KEPT)).toBeVisible()
  await expect(dialog).toBeVisible()
  await expect(dialog.getByLabel('Name')).toHaveValue('Offline Org')
  await expect(dialog.getByLabel('Name')).not.toHaveAttribute('aria-invalid', 'true')
  await expect(dialog.getByRole('alert')).toHaveCount(0)
  await context.setOffline(false)
  consoleErrors.length = 0
})

test('sign-in shows field errors under their fields, without a summary naming the field', async ({ page }) => {
  await openPage(page, hostUrl('acme', '/sign-in'))
  await page.getByLabel('Email').fill('not-an-address')
  await page.getByLabel('Password').fill('whatever-password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true')
  await expect(page.getByRole('alert')).toHaveCount(0)
  await expect(page.getByText(/^email:/i)).toHaveCount(0)
})

test('a reset link that does not work is recognised on arrival and a new one is offered', async ({ page }) => {
  await openPage(page, hostUrl('acme', '/reset-password?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'))
  await expect(page.getByRole('heading', { level: 1, name: 'This reset link no longer works' })).toBeVisible()
  await expect(page.getByLabel('New password', { exact: true })).toHaveCount(0)
  await page.getByRole('link', { name: 'Send me a new reset link' }).click()
  await expect(page.getByRole('heading', { name: 'Reset your password' })).toBeVisible()
})

test('leaving an edited form asks first; staying keeps the edit, leaving drops it', async ({ page }) => {
  await signInAs(page, { tenant: 'acme', email: 'member@acme.test' })
  await openPage(page, hostUrl('acme', '/profile'))
  await page.getByLabel('Full name').fill('Mia Half-typed')
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Categories' }).click()
  const ask = page.getByRole('dialog', { name: 'Leave without saving?' })
  await expect(ask).toBeVisible()
  // Staying is the default: Enter keeps the edit.
  await expect(ask.getByRole('button', { name: 'Cancel' })).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(ask).toHaveCount(0)
  await expect(page).toHaveURL(hostUrl('acme', '/profile'))
  await expect(page.getByLabel('Full name')).toHaveValue('Mia Half-typed')
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Categories' }).click()
  await ask.getByRole('button', { name: 'Cancel' }).click()
  await expect(page).toHaveURL(hostUrl('acme', '/profile'))
  await expect(page.getByLabel('Full name')).toHaveValue('Mia Half-typed')

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Categories' }).click()
  await ask.getByRole('button', { name: 'Leave without saving' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Categories' })).toBeVisible()

  // Once left, the edit is gone and the next page change does not ask.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click()
  await expect(page.getByRole('heading', { level: 1, name: /Welcome/ })).toBeVisible()
})

test('closing an edited dialog or inline editor asks first, by Escape, Cancel or the backdrop; an untouched one just closes', async ({ page }) => {
  // Three pages and a dozen dialogs on a 2-core machine shared with the server.
  test.slow()
  const role = `E2E Guarded ${randomUUID().slice(0, 6)}`
  await signInAs(page, { tenant: 'acme', email: 'owner@acme.test' })
  const discard = page.getByRole('dialog', { name: 'Discard your changes?' })

  await openPage(page, hostUrl('acme', '/admin/teams'))
  const newOrganization = page.getByRole('button', { name: 'New organization' }).first()
  const dialog = page.getByRole('dialog', { name: 'New organization' })
  await guardAsksBeforeDiscarding(page, newOrganization, dialog, dialog.getByLabel('Name'), 'Half-typed organization')
  await newOrganization.click()
  await expect(dialog.getByLabel('Name')).toHaveValue('')
  await dialog.getByRole('button', { name: 'Cancel' }).click()
  await expect(dialog).toHaveCount(0)

  await openPage(page, hostUrl('acme', '/admin/users'))
  await page.getByRole('button', { name: 'Add person' }).click()
  const addPerson = page.getByRole('dialog', { name: 'Add a person' })
  await addPerson.getByLabel('Email').fill('half-typed@acme.test')
  await addPerson.getByRole('button', { name: 'Cancel' }).click()
  await expect(discard).toBeVisible()
  await discard.getByRole('button', { name: 'Discard changes' }).click()
  await expect(addPerson).toHaveCount(0)

  // The create-role form asks before the page is left; the inline editor of a role before it closes.
  await openPage(page, hostUrl('acme', '/admin/roles'))
  await page.getByLabel('Name').fill(role)
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click()
  const leave = page.getByRole('dialog', { name: 'Leave without saving?' })
  await leave.getByRole('button', { name: 'Cancel' }).click()
  // Staying neither leaves nor submits the form the question sits in.
  await expect(page.getByLabel('Name')).toHaveValue(role)
  await expect(page.getByText(`Created “${role}”`)).toHaveCount(0)
  await page.getByRole('button', { name: 'Create role' }).click()
  await expect(page.getByText(`Created “${role}”`)).toBeVisible()
  await page.getByRole('button', { name: `Edit ${role}` }).click()
  const editor = page.getByRole('form', { name: `Edit ${role}` })
  await editor.getByLabel('Description').fill('Not saved')
  await editor.getByLabel('Description').press('Escape')
  await discard.getByRole('button', { name: 'Keep editing' }).click()
  await expect(editor.getByLabel('Description')).toHaveValue('Not saved')
  await editor.getByRole('button', { name: 'Cancel' }).click()
  await discard.getByRole('button', { name: 'Discard changes' }).click()
  await expect(editor).toHaveCount(0)
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click()
  await expect(page.getByRole('heading', { level: 1, name: /Welcome/ })).toBeVisible()
})

test('after a page change focus is on the new heading; toasts stay clear of the top bar', async ({ page }) => {
  await signInAs(page, { tenant: 'acme', email: 'member@acme.test' })
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Categories' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Categories' })).toBeFocused()

  await openPage(page, hostUrl('acme', '/profile'))
  await page.getByLabel('Full name').fill('Mia Member')
  await page.getByRole('button', { name: 'Save name' }).click()
  const toast = page.getByText('Name saved')
  await expect(toast).toBeVisible()
  const bar = await page.locator('header').boundingBox()
  // Measured once the toast has slid in (it enters from above).
  await expect.poll(async () => (await toast.boundingBox())?.y ?? 0).toBeGreaterThanOrEqual((bar?.y ?? 0) + (bar?.height ?? 0))
})

test('a person who may only read people sees their details as text, not as disabled inputs', async ({ page }) => {
  await signInAs(page, { tenant: 'acme', email: 'member@acme.test' })
  await openPage(page, hostUrl('acme', '/admin/users'))
  await page.getByRole('table').getByRole('link', { name: 'Adam Admin' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Adam Admin' })).toBeVisible()
  await expect(page.getByRole('term').filter({ hasText: 'Email' })).toBeVisible()
  await expect(page.getByRole('definition').filter({ hasText: 'admin@acme.test' })).toBeVisible()
  await expect(page.getByRole('textbox')).toHaveCount(0)
  await expect(page.getByRole('checkbox')).toHaveCount(0)
  await expect(page.getByRole('button', { name: 'Save changes' })).toHaveCount(0)
})

test('disabled buttons look disabled in both themes', async ({ page }) => {
  await signInAs(page, { tenant: 'acme', email: 'admin@acme.test' })
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    await openPage(page, hostUrl('acme', '/admin/users?pageSize=10'))
    const previous = page.getByRole('button', { name: 'Previous' })
    const next = page.getByRole('button', { name: 'Next' })
    await expect(previous).toBeDisabled()
    await expect(next).toBeEnabled()
    const look = (b: typeof next) => b.evaluate((el) => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor].join(' '))
    expect(await look(previous), colorScheme).not.toBe(await look(next))
  }
})

test("a workspace's default theme applies on its sign-in page for a browser that has not chosen one", async ({ page, browser }) => {
  await signInAs(page, { tenant: 'globex', email: 'owner@globex.test' })
  const set = (defaultTheme: string) => callFromPage(page, 'POST', 'settings.updateSettings', { settings: { defaultTheme } })
  expect((await set('dark')).status).toBe(200)
  try {
    const fresh = await browser.newContext({ colorScheme: 'light' })
    const visitor = await fresh.newPage()
    await openPage(visitor, hostUrl('globex', '/sign-in'))
    await expect(visitor.locator('html')).toHaveClass(/\bdark\b/)
    await openPage(visitor, hostUrl('acme', '/sign-in'))
    await expect(visitor.locator('html')).not.toHaveClass(/\bdark\b/)
    await fresh.close()
  } finally {
    expect((await set('system')).status).toBe(200)
  }
})

test('a slow page shows a thin progress bar while it loads', async ({ page }) => {
  await signInAs(page, { tenant: 'acme', email: 'member@acme.test' })
  let release = () => {}
  const held = new Promise<void>((resolve) => {
    release = resolve
  })
  await page.route('**/_serverFn/**', async (route) => {
    await held
    await route.continue()
  })
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Categories' }).click()
  await expect(page.getByRole('progressbar', { name: 'Loading page' })).toBeVisible()
  release()
  await expect(page.getByRole('heading', { level: 1, name: 'Categories' })).toBeVisible()
  await expect(page.getByRole('progressbar', { name: 'Loading page' })).toHaveCount(0)
})
