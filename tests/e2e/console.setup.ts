import { expect, hostUrl, openPage, DEMO_PASSWORD, test } from './fixtures'
import { saveRootFactor, withTotpCode } from './totp'

/**
 * Runs before every other project: root's first console sign-in enrols an authenticator (QR code, the key as
 * text, recovery codes shown once). The key is saved for the other tests' sign-ins.
 */
test.describe.configure({ timeout: 90_000 })

test('root enrols TOTP at the first console sign-in, and no session exists before the code', async ({ page, context }) => {
  await openPage(page, hostUrl('console', '/sign-in'))
  await page.getByLabel('Email').fill('root@haven.test')
  await page.getByLabel('Password').fill(DEMO_PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()

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
