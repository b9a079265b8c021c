import { randomUUID } from 'node:crypto'
import type { Page } from '@playwright/test'
import { expect as baseExpect, hostUrl, openPage, signInAs, test } from './fixtures'

// Each step waits on a server round trip or two; on a loaded machine that can take longer than the default 10 s.
const expect = baseExpect.configure({ timeout: 30_000 })

const tree = (page: Page) => page.getByRole('treegrid', { name: 'Categories' })
const row = (page: Page, name: string) => tree(page).getByRole('row', { name, exact: true })
const details = (page: Page) => page.getByRole('region', { name: 'Category details' }).getByRole('heading', { level: 2 }).first()

test('a member browses the tree, searches and deep-links with the keyboard only', async ({ page }) => {
  test.setTimeout(90_000)
  await signInAs(page, { tenant: 'acme', email: 'member@acme.test' })
  await openPage(page, hostUrl('acme', '/categories'))
  await expect(page.getByRole('button', { name: 'New top-level category' })).toHaveCount(0)

  // From the search box, Tab enters the tree on its first row.
  await page.getByLabel('Search categories').focus()
  await page.keyboard.press('Tab')
  await expect(row(page, 'Electronics')).toBeFocused()
  await expect(row(page, 'Electronics')).toHaveAttribute('aria-level', '1')

  await page.keyboard.press('ArrowRight')
  await expect(row(page, 'Electronics')).toHaveAttribute('aria-expanded', 'true')
  await expect(row(page, 'Phones')).toBeVisible()
  await page.keyboard.press('ArrowDown')
  await expect(row(page, 'Phones')).toBeFocused()
  await expect(row(page, 'Phones')).toHaveAttribute('aria-level', '2')
  await page.keyboard.press('ArrowLeft')
  await expect(row(page, 'Electronics')).toBeFocused()
  await page.keyboard.press('ArrowLeft')
  await expect(row(page, 'Phones')).toHaveCount(0)

  // Type-ahead, then Enter opens the details panel.
  await page.keyboard.type('gar')
  await expect(row(page, 'Garden')).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(details(page)).toHaveText('Garden')
  await expect(page).toHaveURL(/\/categories\/[0-9a-f-]{36}$/)
  const gardenUrl = page.url()

  // `*` expands every sibling that has children.
  await row(page, 'Garden').focus()
  await page.keyboard.press('*')
  await expect(row(page, 'Garden')).toHaveAttribute('aria-expanded', 'true')
  await expect(row(page, 'Tools')).toBeVisible()
  await page.keyboard.press('End')
  await expect(tree(page).getByRole('row').last()).toBeFocused()
  await page.keyboard.press('Home')
  await expect(row(page, 'Electronics')).toBeFocused()
  await expect(row(page, 'Electronics')).toHaveAttribute('aria-expanded', 'true')
  await expect(row(page, 'Phones')).toBeVisible()

  // Search: each hit shows its path; choosing one opens it and reveals it in the tree.
  await page.getByLabel('Search categories').focus()
  await page.keyboard.type('14-in')
  const hit = page.getByRole('link', { name: /14-inch/ })
  await expect(hit).toContainText('Electronics › Laptops')
  await page.keyboard.press('ArrowDown')
  await expect(hit).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(details(page)).toHaveText('14-inch')
  const breadcrumb = page.getByRole('navigation', { name: 'Breadcrumb' })
  await expect(breadcrumb.getByRole('link', { name: 'Laptops' })).toBeVisible()
  await expect(row(page, '14-inch')).toBeVisible()
  await expect(row(page, '14-inch')).toHaveAttribute('aria-level', '3')

  // The URL is a deep link: a fresh load opens the tree down to it. Back returns to the previous category.
  const deepLink = page.url()
  await openPage(page, deepLink)
  await expect(details(page)).toHaveText('14-inch')
  await expect(row(page, 'Laptops')).toHaveAttribute('aria-expanded', 'true')
  await expect(row(page, '14-inch')).toBeVisible()
  await page.goBack()
  await expect(page).toHaveURL(gardenUrl)
  await expect(details(page)).toHaveText('Garden')
})

test('an admin creates, renames, moves (by the dialog), reorders, deletes and restores categories', async ({ page }) => {
  test.setTimeout(300_000)
  const suffix = randomUUID().slice(0, 6)
  const root = `E2E Root ${suffix}`
  const target = `E2E Target ${suffix}`
  await signInAs(page, { tenant: 'acme', email: 'admin@acme.test' })
  await openPage(page, hostUrl('acme', '/categories'))

  const createTopLevel = async (name: string) => {
    await page.getByRole('button', { name: 'New top-level category' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('Name').fill(name)
    await dialog.getByRole('button', { name: 'Create' }).click()
    await expect(page.getByText(`Created ${name}`)).toBeVisible()
    await expect(details(page)).toHaveText(name)
  }
  await createTopLevel(target)
  await createTopLevel(root)

  const addChild = async (name: string) => {
    await page.getByRole('button', { name: 'Add subcategory' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('Name').fill(name)
    await dialog.getByRole('button', { name: 'Create' }).click()
    await expect(page.getByText(`Created ${name} in`)).toBeVisible()
    await expect(details(page)).toHaveText(name)
  }
  const open = async (name: string) => {
    await page.getByLabel('Search categories').fill(name)
    await page.getByRole('link', { name: new RegExp(`^${name}`) }).first().click()
    await expect(details(page)).toHaveText(name)
  }
  await addChild('Alpha')
  await open(root)
  await addChild('Beta')

  // A sibling's name is a field error in the dialog, not a toast.
  await page.getByRole('button', { name: 'Edit' }).click()
  const edit = page.getByRole('dialog')
  await edit.getByLabel('Name').fill('alpha')
  await edit.getByRole('button', { name: 'Save' }).click()
  await expect(edit.getByText(`Another category in ${root} has this name`)).toBeVisible()
  await edit.getByLabel('Name').fill('Gamma')
  await edit.getByLabel('Description').fill('Renamed by the suite')
  await edit.getByLabel('Metadata (JSON object)').fill('{"sku": "G-1"}')
  await edit.getByRole('button', { name: 'Save' }).click()
  await expect(page.getByText('Category saved')).toBeVisible()
  await expect(details(page)).toHaveText('Gamma')
  await expect(page.getByText('G-1')).toBeVisible()

  // Reorder: Gamma moves up above Alpha.
  await page.getByRole('button', { name: 'Move up' }).click()
  await expect(page.getByText('Moved Gamma up')).toBeVisible()
  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: root }).click()
  await expect(details(page)).toHaveText(root)
  await expect(page.getByRole('region', { name: 'Subcategories' }).getByRole('link')).toHaveText(['Gamma', 'Alpha'])

  // Move by the dialog: Alpha into Gamma. Then Gamma into its own child is refused with the reason.
  await page.getByRole('region', { name: 'Subcategories' }).getByRole('link', { name: 'Alpha' }).click()
  await expect(details(page)).toHaveText('Alpha')
  await page.getByRole('button', { name: 'Move to…' }).click()
  let dialog = page.getByRole('dialog')
  await dialog.getByLabel('Find the new parent').fill('gamma')
  await dialog.getByRole('radio', { name: new RegExp(`Gamma.*${root}`) }).check()
  await dialog.getByRole('button', { name: 'Move here' }).click()
  await expect(page.getByText('Moved Alpha into Gamma')).toBeVisible()
  await expect(page.getByRole('navigation', { name: 'Breadcrumb' })).toContainText(`${root}›Gamma›Alpha`)

  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Gamma' }).click()
  await expect(details(page)).toHaveText('Gamma')
  await page.getByRole('button', { name: 'Move to…' }).click()
  dialog = page.getByRole('dialog')
  await dialog.getByLabel('Find the new parent').fill('alpha')
  await dialog.getByRole('radio', { name: /Alpha.*Gamma/ }).check()
  await dialog.getByRole('button', { name: 'Move here' }).click()
  await expect(dialog.getByRole('alert')).toContainText('cannot be moved into itself or into one of its own subcategories')
  await dialog.getByRole('button', { name: 'Cancel' }).click()

  // Gamma (with Alpha) into the target, by the dialog again.
  await page.getByRole('button', { name: 'Move to…' }).click()
  dialog = page.getByRole('dialog')
  await dialog.getByLabel('Find the new parent').fill(target.toLowerCase())
  await dialog.getByRole('radio', { name: new RegExp(target) }).check()
  await dialog.getByRole('button', { name: 'Move here' }).click()
  await expect(page.getByText(`Moved Gamma into ${target}`)).toBeVisible()
  await open('Alpha')
  await expect(page.getByRole('navigation', { name: 'Breadcrumb' })).toContainText(`${target}›Gamma›Alpha`)

  // Delete the target with its subtree: the confirmation counts what goes with it; the trash brings it all back.
  await open(target)
  await page.getByRole('button', { name: 'Delete' }).click()
  const confirm = page.getByRole('dialog')
  await expect(confirm).toContainText('the 2 categories below it')
  await confirm.getByRole('button', { name: 'Delete 3 categories' }).click()
  await expect(page.getByText(`Moved ${target} and 2 subcategories to the trash`)).toBeVisible()
  await expect(row(page, target)).toHaveCount(0)

  await openPage(page, hostUrl('acme', '/admin/trash'))
  const item = page.getByRole('row', { name: new RegExp(target) })
  await expect(item).toBeVisible()
  await expect(page.getByRole('row', { name: /Gamma/ })).toHaveCount(0)
  await item.getByRole('button', { name: /Restore/ }).click()
  await expect(page.getByText(`${target} was restored`)).toBeVisible()

  await openPage(page, hostUrl('acme', '/categories'))
  await open('Alpha')
  await expect(page.getByRole('navigation', { name: 'Breadcrumb' })).toContainText(`${target}›Gamma›Alpha`)
})

