import { expect, hostUrl, openPage, signInAs, test } from './fixtures'

test('the landing page sends a visitor to their workspace', async ({ page }) => {
  await openPage(page, hostUrl(null))
  await page.getByLabel('Workspace').fill('acme')
  await page.getByRole('button', { name: 'Continue' }).click()
  await expect(page).toHaveURL(hostUrl('acme', '/sign-in'))
  await expect(page.getByRole('heading', { name: 'Sign in to Acme Inc.' })).toBeVisible()
})

test('the owner signs in at acme and sees the dashboard', async ({ page }) => {
  await signInAs(page, { tenant: 'acme', email: 'owner@acme.test' })
  await expect(page.getByRole('heading', { name: 'Welcome, Olivia' })).toBeVisible()
})
