import { enterRootPassword, expect, hostUrl, test } from './fixtures'
import { CONSOLE_SESSIONS, consoleSessionFile, recoveryCode, saveRootFactor, withTotpCode } from './totp'

/**
 * Runs before every other project: root's first console sign-in enrols an authenticator (QR code, the key as
 * text, recovery codes shown once). The key is saved for the other tests' sign-ins, and signed-in sessions are
 * stored for the console tests that only need to be signed in (in order: they need the recovery codes).
 */
test.describe.configure({ timeout: 90_000, mode: 'serial' })

test('root enrols TOTP at the first console sign-in, and no session exists before the code', async ({ page, context }) => {
  await enterRootPassword(page)

  await expect(page.getByRole('heading', { name: 'Set up two-factor authentication' })).toBeVisible()
  await expect(page.getByRole('img', { name: /QR code for the authenticator key of root@haven\.test/ })).toBeVisible()
  const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').trim()
  expect(secret).toMatch(/^[A-Z2-7]{32}$/)
  // Half signed in: a challenge cookie, no session cookie.
  const names = (await context.cookies(hostUrl('console'))).map((c) => c.name)
  expect(names).toContain('haven.console_mfa')
  expect(names).not.toContain('haven.session_token')

  await page.getByLabel('Code from your authenticator').fill('zzzzz-zzzzz')
  await page.getByRole('button', { name: 'Turn on and sign in' }).click()
  await expect(page.getByText('That code is not right')).toBeVisible()

  const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem')
  saveRootFactor({ secret, recoveryCodes: [] })
  await withTotpCode(async (code) => {
    await page.getByLabel('Code from your authenticator').fill(code)
    await page.getByRole('button', { name: 'Turn on and sign in' }).click()
    await expect(codes).toHaveCount(10)
  }, secret)
  const recoveryCodes = await codes.allTextContents()
  saveRootFactor({ secret, recoveryCodes })
  await page.getByRole('button', { name: 'I have saved them — continue' }).click()
  await expect(page.getByRole('button', { name: 'Account menu' })).toBeVisible({ timeout: 30_000 })
  await expect(page.getByRole('heading', { name: 'Console' })).toBeVisible({ timeout: 30_000 })
})

test('signed-in console sessions are stored for the tests that only need one, each signed in with a recovery code', async ({ browser }) => {
  // A recovery code waits for no time step. One after the other: every code attempt counts against root's limit of
  // five per 15 minutes until a right one clears it, and side by side they would all count before any cleared.
  for (const name of CONSOLE_SESSIONS) {
    const context = await browser.newContext()
    const page = await context.newPage()
    await enterRootPassword(page)
    await page.getByLabel('Authentication code').fill(recoveryCode(name))
    await page.getByRole('button', { name: 'Verify' }).click()
    await expect(page.getByRole('button', { name: 'Account menu' })).toBeVisible({ timeout: 30_000 })
    await context.storageState({ path: consoleSessionFile(name) })
    await context.close()
  }
})
