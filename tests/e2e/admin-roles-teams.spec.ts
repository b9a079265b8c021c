import { randomUUID } from 'node:crypto'
import type { Page } from '@playwright/test'
import { expect, hostUrl, openPage, signInAs, test } from './fixtures'

/** A record page's History tab, reached with the keyboard: focus the first tab, ArrowRight. Returns the panel. */
async function historyByKeyboard(page: Page, mainLabel: string) {
  const tabs = page.getByRole('tablist', { name: `${mainLabel} and history` })
  await expect(tabs.getByRole('tab', { name: mainLabel })).toHaveAttribute('aria-selected', 'true')
  const history = tabs.getByRole('tab', { name: 'History' })
  // Again if a reload of the page (the record just created or selected) replaced the tab while it had focus.
  await expect(async () => {
    await tabs.getByRole('tab', { name: mainLabel }).focus()
    await page.keyboard.press('ArrowRight')
    await expect(history).toBeFocused({ timeout: 2_000 })
  }).toPass({ timeout: 20_000 })
  await expect(history).toHaveAttribute('aria-selected', 'true')
  return page.getByRole('tabpanel')
}

test('an owner creates a custom role and grants it a permission in the matrix, which an admin cannot extend', async ({ page, browser }) => {
  // Two people sign in (two real password checks) on a 2-core machine shared with the server.
  test.slow()
  const role = `E2E Editor ${randomUUID().slice(0, 6)}`
  await signInAs(page, { tenant: 'acme', email: 'owner@acme.test' })
  await openPage(page, hostUrl('acme', '/admin/roles'))
  await page.getByLabel('Name').fill(role)
  await page.getByLabel('Description').fill('Made by the end-to-end suite')
  await page.getByRole('button', { name: 'Create role' }).click()
  await expect(page.getByText(`Created “${role}”`)).toBeVisible()

  const teamsWrite = page.getByRole('checkbox', { name: `teams:write for ${role}` })
  await expect(teamsWrite).not.toBeChecked()
  await teamsWrite.check()
  await page.getByRole('button', { name: 'Save changes' }).click()
  await expect(page.getByText('Saved permissions of 1 role')).toBeVisible()
  await page.reload()
  await expect(page.getByRole('checkbox', { name: `teams:write for ${role}` })).toBeChecked()
  await expect(page.getByRole('checkbox', { name: 'users:write for Owner' })).toBeDisabled()

  // The role's page has a History tab, like a person's, a team's and a category's.
  await page.getByRole('link', { name: role, exact: true }).click()
  await expect(page.getByRole('heading', { level: 1, name: role })).toBeVisible()
  const roleHistory = await historyByKeyboard(page, 'Details')
  await expect(roleHistory).toContainText(`created role ${role}`)
  await page.keyboard.press('ArrowLeft')
  await expect(page.getByRole('tab', { name: 'Details' })).toBeFocused()
  await expect(page.getByRole('tabpanel')).toContainText('Who holds it')

  const adminContext = await browser.newContext()
  const adminPage = await adminContext.newPage()
  await signInAs(adminPage, { tenant: 'acme', email: 'admin@acme.test' })
  await openPage(adminPage, hostUrl('acme', '/admin/roles'))
  await expect(adminPage.getByRole('checkbox', { name: `trash:purge for ${role}` })).toBeDisabled()
  await expect(adminPage.getByRole('checkbox', { name: `users:read for ${role}` })).toBeEnabled()
  await adminContext.close()
})

test('an owner creates an organization and a team, and adds a member with a team role', async ({ page }) => {
  const suffix = randomUUID().slice(0, 6)
  const organization = `E2E Org ${suffix}`
  const team = `E2E Team ${suffix}`
  await signInAs(page, { tenant: 'acme', email: 'owner@acme.test' })
  await openPage(page, hostUrl('acme', '/admin/teams'))
  await page.getByRole('button', { name: 'New organization' }).first().click()
  const orgDialog = page.getByRole('dialog')
  await orgDialog.getByLabel('Name').fill(organization)
  await orgDialog.getByRole('button', { name: 'Create organization' }).click()
  await expect(page.getByText(`Created ${organization}`)).toBeVisible()

  await page.getByRole('link', { name: new RegExp(organization) }).click()
  await page.getByRole('button', { name: /^(New team|Create the first team)$/ }).first().click()
  const teamDialog = page.getByRole('dialog')
  await teamDialog.getByLabel('Name').fill(team)
  await teamDialog.getByRole('button', { name: 'Create team' }).click()
  await expect(page.getByText(`Created team ${team}`)).toBeVisible()

  // The organization's History is a tab beside its teams: its own changes and its teams'.
  const orgHistory = await historyByKeyboard(page, 'Teams')
  await expect(orgHistory).toContainText(`created organization ${organization}`)
  await expect(orgHistory).toContainText(`created team ${team}`)
  await page.keyboard.press('ArrowLeft')

  await page.getByRole('link', { name: team }).click()
  await expect(page.getByRole('heading', { name: team })).toBeVisible()
  await page.getByLabel('Find a person').fill('mia')
  await page.getByRole('button', { name: 'Add Mia Member' }).click()
  await expect(page.getByText(`Added Mia Member to ${team} as member`)).toBeVisible()
  await expect(page.getByRole('row', { name: /Mia Member/ })).toBeVisible()
})
