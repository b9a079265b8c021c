import { uniqueEmail } from './accounts'
import { DEMO_PASSWORD, expect, hostUrl, openPage, signInAs, test } from './fixtures'
import { callFromPage } from './server-fn'

test('an admin finds people by name, role and metadata, and pages through them', async ({ page }) => {
  await signInAs(page, { tenant: 'acme', email: 'admin@acme.test' })
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click()
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible()
  await expect(page.getByRole('link', { name: 'Adam Admin' })).toBeVisible()

  await page.getByLabel('Search name or email').fill('sam')
  await page.getByRole('button', { name: 'Search' }).click()
  await expect(page).toHaveURL(/q=sam/)
  await expect(page.getByRole('link', { name: 'Sam Acme' })).toBeVisible()
  await expect(page.getByRole('link', { name: 'Adam Admin' })).toHaveCount(0)

  await page.getByLabel('Search name or email').fill('')
  await page.getByLabel('Metadata key').fill('department')
  await page.getByLabel('Metadata value').fill('finance')
  await page.getByRole('button', { name: 'Search' }).click()
  await expect(page).toHaveURL(/metaValue=finance/)
  await expect(page).not.toHaveURL(/q=sam/)
  await expect(page.getByRole('link', { name: 'Sam Acme' })).toBeVisible()
  await expect(page.getByRole('link', { name: 'Adam Admin' })).toHaveCount(0)

  await page.getByLabel('Metadata key').fill('')
  await page.getByLabel('Metadata value').fill('')
  await page.getByRole('button', { name: 'Search' }).click()
  await expect(page).not.toHaveURL(/metaKey/)
  await page.getByLabel('Role').selectOption({ label: 'Owner' })
  await expect(page).toHaveURL(/roleId=/)
  await expect(page.getByRole('link', { name: 'Olivia Owner' })).toBeVisible()
  await expect(page.getByRole('link', { name: 'Mia Member' })).toHaveCount(0)

  // Paging over people only this test makes (tagged with its own metadata value), so tests running alongside
  // cannot shift the pages.
  const batch = `batch-${Date.now().toString(36)}`
  for (let i = 0; i < 30; i++) {
    const created = await callFromPage(page, 'POST', 'users.createUser', {
      email: uniqueEmail(`page${i}`),
      fullName: `Paged Person ${String(i).padStart(2, '0')}`,
      roleIds: [],
      metadata: { batch },
    })
    expect(created.status).toBe(200)
  }
  await openPage(page, hostUrl('acme', `/admin/users?metaKey=batch&metaValue=${batch}`))
  await expect(page.getByText('30 matching people')).toBeVisible()
  const rows = page.getByRole('row')
  await expect(rows).toHaveCount(26)
  const page1 = await rows.allTextContents()
  expect(page1[1]).toContain('Paged Person 00')
  await page.getByRole('button', { name: 'Next' }).click()
  await expect(page).toHaveURL(/cursor=/)
  await expect(rows).toHaveCount(6)
  await expect(rows.nth(1)).toContainText('Paged Person 25')
  await expect(page.getByRole('button', { name: 'Next' })).toBeDisabled()
  await page.getByRole('button', { name: 'Previous' }).click()
  await expect(rows).toHaveCount(26)
  expect(await rows.allTextContents()).toEqual(page1)
  await expect(page.getByRole('button', { name: 'Previous' })).toBeDisabled()
})

test('an admin adds a person, edits them, deactivates them, and they cannot sign in', async ({ page, browser }) => {
  test.slow()
  const email = uniqueEmail('lifecycle')
  const password = 'a-long-initial-password'
  await signInAs(page, { tenant: 'acme', email: 'admin@acme.test' })
  await openPage(page, hostUrl('acme', '/admin/users'))
  await page.getByRole('button', { name: 'Add person' }).click()
  const dialog = page.getByRole('dialog', { name: 'Add a person' })
  await dialog.getByLabel('Create with a password').check()
  await dialog.getByLabel('Email').fill('owner@acme.test')
  await dialog.getByLabel('Full name').fill('Duplicate Person')
  await dialog.getByLabel('Initial password').fill(password)
  await dialog.getByRole('button', { name: 'Add person' }).click()
  await expect(dialog.getByText('Already in use in this workspace')).toBeVisible()
  await expect(dialog.getByLabel('Full name')).toHaveValue('Duplicate Person')

  await dialog.getByLabel('Email').fill(email)
  await dialog.getByRole('button', { name: 'Add person' }).click()
  await expect(page.getByText('Duplicate Person was added')).toBeVisible()

  await page.getByLabel('Search name or email').fill(email)
  await page.getByRole('button', { name: 'Search' }).click()
  await page.getByRole('link', { name: 'Duplicate Person' }).click()
  await expect(page.getByRole('heading', { name: 'Duplicate Person' })).toBeVisible()
  await page.getByLabel('Full name').fill('Renamed Person')
  await page.getByRole('button', { name: 'Add metadata' }).click()
  await page.getByLabel('Key 1').fill('costCenter')
  await page.getByLabel('Value 1').fill('4711')
  await page.getByRole('button', { name: 'Save changes' }).click()
  await expect(page.getByText('Changes saved')).toBeVisible()
  await expect(page.getByRole('heading', { name: 'Renamed Person' })).toBeVisible()
  // The person's History tab: the audit log filtered to them, in words, with the changed fields.
  await page.getByRole('tab', { name: 'History' }).click()
  const history = page.getByRole('tabpanel')
  await expect(history.getByText('Adam Admin (admin@acme.test) changed details and name of person Duplicate Person')).toBeVisible()
  await expect(history.getByRole('listitem').filter({ hasText: /^name: Duplicate Person → Renamed Person$/ })).toBeVisible()
  await expect(history.getByRole('listitem').filter({ hasText: /^details › costCenter: \(none\) → 4711$/ })).toBeVisible()
  await page.getByRole('tab', { name: 'Details' }).click()

  await page.getByRole('button', { name: 'Deactivate' }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Deactivate' }).click()
  await expect(page.getByText('was deactivated and signed out')).toBeVisible()
  await expect(page.getByRole('button', { name: 'Reactivate' })).toBeVisible()

  const other = await browser.newContext()
  const theirPage = await other.newPage()
  await openPage(theirPage, hostUrl('acme', '/sign-in'))
  await theirPage.getByLabel('Email').fill(email)
  await theirPage.getByLabel('Password').fill(password)
  await theirPage.getByRole('button', { name: 'Sign in' }).click()
  await expect(theirPage.getByRole('alert')).toContainText('deactivated')
  await other.close()
})

test('a deleted person goes to the trash, and restoring them brings them back', async ({ page }) => {
  const email = uniqueEmail('trash')
  await signInAs(page, { tenant: 'acme', email: 'admin@acme.test' })
  const created = await callFromPage(page, 'POST', 'users.createUser', { email, fullName: 'Trashable Person', roleIds: [], metadata: {} })
  expect(created.status).toBe(200)
  await openPage(page, hostUrl('acme', `/admin/users?q=${encodeURIComponent(email)}`))
  await page.getByRole('link', { name: 'Trashable Person' }).click()
  await page.getByRole('button', { name: 'Delete' }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Move to trash' }).click()
  await expect(page.getByText('Trashable Person was moved to the trash')).toBeVisible()

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Trash' }).click()
  await expect(page.getByRole('heading', { name: 'Trash' })).toBeVisible()
  const row = page.getByRole('row', { name: /Trashable Person/ })
  await expect(row).toContainText('Adam Admin')
  await row.getByRole('button', { name: 'Restore Trashable Person' }).click()
  await expect(page.getByText('Trashable Person was restored')).toBeVisible()
  await expect(page.getByRole('row', { name: /Trashable Person/ })).toHaveCount(0)
  await openPage(page, hostUrl('acme', `/admin/users?q=${encodeURIComponent(email)}`))
  await expect(page.getByRole('link', { name: 'Trashable Person' })).toBeVisible()
})

test('a member sees no administration and cannot call its server functions', async ({ page }) => {
  await signInAs(page, { tenant: 'acme', email: 'member@acme.test', password: DEMO_PASSWORD })
  const nav = page.getByRole('navigation', { name: 'Main' })
  await expect(nav.getByRole('link', { name: 'Dashboard' })).toBeVisible()
  for (const name of ['Roles', 'Trash', 'Settings']) await expect(nav.getByRole('link', { name })).toHaveCount(0)

  await openPage(page, hostUrl('acme', '/admin/trash'))
  await expect(page.getByRole('heading', { name: 'Not allowed' })).toBeVisible()
  for (const [method, id, data] of [
    ['POST', 'users.createUser', { email: uniqueEmail('nope'), fullName: 'Nope', roleIds: [], metadata: {} }],
    ['GET', 'trash.listTrash', { pageSize: 25 }],
    ['POST', 'users.deactivateUser', { id: '00000000-0000-4000-8000-000000000000' }],
  ] as const) {
    const response = await callFromPage(page, method, id, data)
    expect({ id, status: response.status }).toEqual({ id, status: 403 })
  }
})
