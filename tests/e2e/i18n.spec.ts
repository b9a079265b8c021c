import { expect, test } from '@playwright/test'
import { uniqueEmail } from './accounts'
import { DEMO_PASSWORD, hostUrl, openPage, signInAs } from './fixtures'
import { callFromPage, resultOf } from './server-fn'

/** A fresh acme admin of its own, so switching its language cannot change what another test reads. */
async function freshAdmin(browser: import('@playwright/test').Browser) {
  const email = uniqueEmail('i18n')
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    await signInAs(page, { tenant: 'acme', email: 'admin@acme.test' })
    const roles = resultOf<{ id: string; systemKey: string | null }[]>(await callFromPage(page, 'GET', 'roles.listRoles'))
    const roleId = roles.find((r) => r.systemKey === 'admin')?.id
    const invited = await callFromPage(page, 'POST', 'auth.inviteUser', { email, fullName: 'Ida Intl', roleId })
    expect(invited.status).toBe(200)
    const token = new URL(resultOf<{ link: string }>(invited).link).pathname.split('/').pop()
    const accepted = await callFromPage(page, 'POST', 'auth.acceptInvitation', { token, fullName: 'Ida Intl', password: DEMO_PASSWORD })
    expect(accepted.status).toBe(200)
  } finally {
    await context.close()
  }
  return email
}

test('a person switches to Deutsch: shell, pages, <html lang> and dates are German, also after a reload, and back', async ({ browser }) => {
  const email = await freshAdmin(browser)
  const context = await browser.newContext()
  const page = await context.newPage()
  await signInAs(page, { tenant: 'acme', email })
  await expect(page.locator('html')).toHaveAttribute('lang', 'en')

  await page.getByRole('button', { name: 'Account menu' }).click()
  await page.getByRole('menuitem', { name: 'Profile and preferences' }).click()
  await page.getByLabel('Language').selectOption('de')

  // The whole UI changes at once, without a reload.
  await expect(page.locator('html')).toHaveAttribute('lang', 'de')
  await expect(page.getByRole('heading', { level: 1, name: 'Profil und Einstellungen' })).toBeVisible()
  const nav = page.getByRole('navigation', { name: 'Hauptnavigation' })
  await expect(nav.getByRole('link', { name: 'Personen' })).toBeVisible()
  await expect(nav.getByRole('link', { name: 'Rollen' })).toBeVisible()
  await expect(nav.getByText('Verwaltung', { exact: true })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Kontomenü, Ida Intl' })).toBeVisible()

  // A page and its dates: the people list shows when each person joined, as German writes a date.
  await nav.getByRole('link', { name: 'Personen' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Personen' })).toBeVisible()
  await expect(page).toHaveTitle('Personen — Haven')
  const germanDate = /\b\d{1,2}\.\d{1,2}\.\d{4}\b/
  await expect(page.getByRole('table').getByText(germanDate).first()).toBeVisible()

  // Rendered on the server in German: no English flash, and the title too.
  const response = await page.reload()
  expect(await response?.text()).toContain('<html lang="de"')
  await expect(page.getByRole('heading', { level: 1, name: 'Personen' })).toBeVisible()

  // A page the person may not open answers in their language too (an admin does not manage the workspace settings).
  await openPage(page, hostUrl('acme', '/admin/settings'))
  await expect(page.getByRole('heading', { level: 1, name: 'Kein Zugriff' })).toBeVisible()
  await expect(page.locator('html')).toHaveAttribute('lang', 'de')

  await openPage(page, hostUrl('acme', '/profile'))
  // Back to no language of one's own: the workspace's default applies (here the browser's, English).
  await page.getByLabel('Sprache').selectOption({ label: 'Standard des Arbeitsbereichs' })

  await expect(page.locator('html')).toHaveAttribute('lang', 'en')
  await expect(page.getByRole('heading', { level: 1, name: 'Profile and preferences' })).toBeVisible()
  await expect(page.getByLabel('Language')).toHaveValue('default')
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toBeVisible()
  await context.close()
})

test('the sign-in page follows the browser language when the workspace sets none', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'de-DE' })
  const page = await context.newPage()
  await openPage(page, hostUrl('acme', '/sign-in'))
  await expect(page.locator('html')).toHaveAttribute('lang', 'de')
  await expect(page.getByRole('heading', { name: 'Bei Acme Inc. anmelden' })).toBeVisible()
  await page.getByLabel('E-Mail').fill('nobody-i18n@acme.test')
  await page.getByLabel('Passwort').fill('wrong-password')
  await page.getByRole('button', { name: 'Anmelden' }).click()
  await expect(page.getByRole('alert')).toHaveText('E-Mail-Adresse oder Passwort ist falsch.')
  await context.close()
})
