import { type Browser, type BrowserContextOptions, expect, type Locator, type Page, test as base } from '@playwright/test'
import { withTotpCode } from './totp'

export const PORT = Number(process.env.E2E_PORT ?? 3100)
export const DEMO_PASSWORD = process.env.HAVEN_DEMO_PASSWORD ?? 'demo-password'

/** The public URL of a path on a tenant's (or the console's) host. */
export function hostUrl(slug: string | null, path = '/'): string {
  return `http://${slug ? `${slug}.` : ''}localhost:${PORT}${path}`
}

/**
 * Opens a URL and waits until React has hydrated the page (the root marks <html data-hydrated>): a form used
 * before that would be submitted by the browser itself instead of by the app.
 */
export async function openPage(page: Page, url: string) {
  await page.goto(url)
  await expect(page.locator('html[data-hydrated]')).toBeAttached()
}

/** Root's first step at the console: email and password, after which the console asks for a code. */
export async function enterRootPassword(page: Page) {
  await openPage(page, hostUrl('console', '/sign-in'))
  await page.getByLabel('Email').fill('root@haven.test')
  await page.getByLabel('Password').fill(DEMO_PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

export async function signInAs(page: Page, { tenant, email, password = DEMO_PASSWORD }: { tenant: string; email: string; password?: string }) {
  await openPage(page, hostUrl(tenant, '/sign-in'))
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  if (tenant === 'console') {
    // The console asks for root's authenticator code (enrolled by the console-setup project).
    await withTotpCode(async (code) => {
      await page.getByLabel('Authentication code').fill(code)
      await page.getByRole('button', { name: 'Verify' }).click()
      await expect(page.getByRole('button', { name: 'Account menu' })).toBeVisible()
    })
  }
  // The first page after signing in loads the shell's data; on a busy machine that is more than the default 10 s.
  await expect(page.getByRole('button', { name: 'Account menu' })).toBeVisible({ timeout: 30_000 })
}

/** A new browser context whose browser asks for German, signed in at acme through the German sign-in form. */
export async function signInGerman(browser: Browser, email: string, options: BrowserContextOptions = {}) {
  const context = await browser.newContext({ locale: 'de-DE', ...options })
  const page = await context.newPage()
  await openPage(page, hostUrl('acme', '/sign-in'))
  await page.getByLabel('E-Mail').fill(email)
  await page.getByLabel('Passwort').fill(DEMO_PASSWORD)
  await page.getByRole('button', { name: 'Anmelden' }).click()
  await expect(page.getByRole('button', { name: /Kontomenü/ })).toBeVisible({ timeout: 30_000 })
  return { context, page }
}

/**
 * Fails the test on a browser console error. The browser's own "Failed to load resource" lines for 4xx answers
 * are expected in negative tests and ignored; a test that expects another error empties `consoleErrors`.
 */
export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = []
      page.on('console', (m) => {
        if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text())
      })
      page.on('pageerror', (e) => errors.push(e.message))
      await use(errors)
      expect(errors, 'console errors in the browser').toEqual([])
    },
    { auto: true },
  ],
})
export { expect }

/**
 * The discard guard of a dialog: untouched, Escape just closes it; edited, Escape asks "Discard your changes?" with
 * "Keep editing" focused, so Enter keeps the edit; every further Escape asks again, also right after the question was
 * answered by Escape (Chrome groups dialogs opened with no click or key other than Escape in between, and one close
 * request used to close both); the backdrop and Cancel ask too, and "Discard changes" closes the dialog.
 */
export async function guardAsksBeforeDiscarding(page: Page, opener: Locator, dialog: Locator, field: Locator, value: string) {
  const discard = page.getByRole('dialog', { name: 'Discard your changes?' })
  await opener.click()
  await expect(field).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(dialog).toHaveCount(0)
  await expect(discard).toHaveCount(0)

  await opener.click()
  await field.fill(value)
  await page.keyboard.press('Escape')
  await expect(discard.getByRole('button', { name: 'Keep editing' })).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(discard).toHaveCount(0)
  await expect(field).toHaveValue(value)
  for (let round = 0; round < 3; round++) {
    await page.keyboard.press('Escape')
    await expect(discard).toBeVisible()
    await page.keyboard.press('Escape')
    await expect(discard).toHaveCount(0)
    await expect(dialog).toBeVisible()
    await expect(field).toHaveValue(value)
  }
  await page.mouse.click(4, 4)
  await expect(discard).toBeVisible()
  await discard.getByRole('button', { name: 'Keep editing' }).click()
  await dialog.getByRole('button', { name: 'Cancel' }).click()
  await discard.getByRole('button', { name: 'Discard changes' }).click()
  await expect(dialog).toHaveCount(0)
}
