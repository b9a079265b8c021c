import AxeBuilder from '@axe-core/playwright'
import type { Page } from '@playwright/test'
import { expect, hostUrl, openPage, signInAs, signInGerman, test } from './fixtures'
import { consoleSessionFile } from './totp'

// A phone: 390 px wide, as an iPhone 12–15 in portrait.
test.use({ viewport: { width: 390, height: 844 } })

/** The document never scrolls sideways: whatever is wide scrolls inside its own box. */
async function expectNoSidewaysScroll(page: Page, what: string) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }))
  expect(scrollWidth, `${what} is ${scrollWidth} px wide in a ${clientWidth} px window`).toBeLessThanOrEqual(clientWidth)
}

/**
 * Nothing in the page's <main> runs into its side margins or past the window: an element that does not fit may
 * scroll or clip inside a box of its own, but a button wider than the room left in its row does not count as that.
 */
async function expectWithinMargins(page: Page, what: string) {
  const outside = await page.evaluate(() => {
    const main = document.querySelector('main')
    if (!main) return ['no <main>']
    const style = getComputedStyle(main)
    const box = main.getBoundingClientRect()
    const left = box.left + Number.parseFloat(style.paddingLeft)
    const right = Math.min(box.right - Number.parseFloat(style.paddingRight), document.documentElement.clientWidth)
    const clipped = (el: Element) => {
      for (let p = el.parentElement; p && p !== main; p = p.parentElement) if (getComputedStyle(p).overflowX !== 'visible') return true
      return false
    }
    return [...main.querySelectorAll('*')]
      .filter((el) => {
        const r = el.getBoundingClientRect()
        return r.width > 1 && r.height > 1 && (r.right > right + 0.5 || r.left < left - 0.5) && !clipped(el)
      })
      .map((el) => `${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().slice(0, 40)}" spans ${Math.round(el.getBoundingClientRect().left)}–${Math.round(el.getBoundingClientRect().right)} px, room ${Math.round(left)}–${Math.round(right)} px`)
  })
  expect(outside, `${what}: elements outside the page margins`).toEqual([])
}

/**
 * Every box in the page's <main> that scrolls sideways, and how it tells a person so: a named region a keyboard can
 * focus (and then scroll), and a visible shadow on each edge with more behind it.
 */
async function sidewaysScrollers(page: Page) {
  return page.evaluate(() =>
    [...(document.querySelector('main')?.querySelectorAll<HTMLElement>('*') ?? [])]
      .filter((el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX) && el.scrollWidth > el.clientWidth + 1)
      .map((el) => {
        const cue = (side: 'start' | 'end') => {
          const shadow = el.parentElement?.querySelector(`:scope > [data-scroll-cue="${side}"]`)
          return !!shadow && shadow.getBoundingClientRect().width > 0 && Number(getComputedStyle(shadow).opacity) > 0
        }
        return {
          what: (el.textContent ?? '').trim().slice(0, 40),
          role: el.getAttribute('role'),
          label: el.getAttribute('aria-label'),
          tabIndex: el.tabIndex,
          startCue: cue('start'),
          endCue: cue('end'),
        }
      }),
  )
}

async function expectScrollersSaySo(page: Page, where: string) {
  // The cues appear once the page has measured its tables (after hydration), and fade in.
  await expect
    .poll(async () => (await sidewaysScrollers(page)).filter((s) => !(s.role === 'region' && s.label && s.tabIndex === 0 && s.endCue && !s.startCue)), {
      message: `${where}: a box that scrolls sideways without a named, focusable region or a shadow at its end`,
    })
    .toEqual([])
}

test('every page of an admin fits a phone, with the navigation behind a menu button', async ({ page }) => {
  await signInAs(page, { tenant: 'acme', email: 'owner@acme.test' })
  const pages: [string, string | RegExp][] = [
    ['/', /Welcome/],
    ['/profile', /Profile/],
    ['/categories', 'Categories'],
    ['/admin/users', 'Users'],
    ['/admin/roles', 'Roles and permissions'],
    ['/admin/teams', 'Organizations and teams'],
    ['/admin/audit', 'Audit log'],
    ['/admin/trash', 'Trash'],
    ['/admin/settings', 'Settings'],
  ]
  for (const [path, heading] of pages) {
    await openPage(page, hostUrl('acme', path))
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible({ timeout: 30_000 })
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden()
    await expect(page.getByRole('button', { name: 'Open navigation' })).toBeVisible()
    await expectNoSidewaysScroll(page, path)
    await expectWithinMargins(page, path)
  }
})

test('every page of an admin fits a phone in German, the longer language: nothing runs past the margin', async ({ browser }) => {
  const { context, page } = await signInGerman(browser, 'owner@acme.test', { viewport: { width: 390, height: 844 } })
  for (const path of ['/', '/profile', '/categories', '/admin/users', '/admin/roles', '/admin/teams', '/admin/audit', '/admin/trash', '/admin/settings']) {
    await openPage(page, hostUrl('acme', path))
    await expect(page.locator('html')).toHaveAttribute('lang', 'de')
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible({ timeout: 30_000 })
    if (path === '/admin/audit') await expect(page.getByRole('button', { name: 'Als NDJSON exportieren' })).toBeVisible()
    await expectNoSidewaysScroll(page, `${path} in German`)
    await expectWithinMargins(page, `${path} in German`)
  }
  await context.close()
})

test.describe('the console', () => {
  // Root's stored session (console-setup): the check is about the pages, and a fresh sign-in waits for a TOTP step.
  test.use({ storageState: consoleSessionFile('browse') })
  test('the console fits a phone', async ({ page }) => {
    for (const [path, heading] of [
      ['/', /Overview|Console/],
      ['/tenants', 'Tenants'],
      ['/users', /People/],
      ['/audit', /Audit/],
    ] as const) {
      await openPage(page, hostUrl('console', path))
      await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible({ timeout: 30_000 })
      await expectNoSidewaysScroll(page, `console ${path}`)
      await expectWithinMargins(page, `console ${path}`)
    }
  })
})

test('the navigation drawer works by keyboard: focus stays inside, Escape closes it, choosing a page closes it', async ({ page }) => {
  await signInAs(page, { tenant: 'acme', email: 'admin@acme.test' })
  const menuButton = page.getByRole('button', { name: 'Open navigation' })
  const drawer = page.getByRole('dialog', { name: 'Navigation' })

  // The open drawer passes axe in both themes (the page picks the system theme when it loads).
  for (const colorScheme of ['dark', 'light'] as const) {
    await page.emulateMedia({ colorScheme })
    await page.reload()
    await expect(page.locator('html[data-hydrated]')).toBeAttached({ timeout: 30_000 })
    await expect(page.locator('html')).toHaveClass(colorScheme === 'dark' ? /\bdark\b/ : /^(?!.*\bdark\b)/)
    await menuButton.click()
    await expect(drawer).toBeVisible()
    const { violations } = await new AxeBuilder({ page }).include('dialog').withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice']).analyze()
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id), `the open drawer in ${colorScheme}`).toEqual([])
    await page.keyboard.press('Escape')
    await expect(drawer).toBeHidden()
  }

  await menuButton.focus()
  await page.keyboard.press('Enter')
  await expect(drawer).toBeVisible()
  await expect(drawer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toBeVisible()
  // Tabbing more times than the drawer has controls never leaves it.
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab')
    expect(await drawer.evaluate((d) => d.contains(document.activeElement)), `focus after ${i + 1} tabs`).toBe(true)
  }
  await page.keyboard.press('Escape')
  await expect(drawer).toBeHidden()
  await expect(menuButton).toBeFocused()

  await page.keyboard.press('Enter')
  await expect(drawer).toBeVisible()
  await drawer.getByRole('link', { name: 'Users' }).focus()
  await page.keyboard.press('Enter')
  await expect(page).toHaveURL(hostUrl('acme', '/admin/users'))
  await expect(drawer).toBeHidden()
  // Focus lands on the new page's heading, not on a button of a drawer that is gone.
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeFocused()
})

test('the permission matrix scrolls sideways with its permission column fixed', async ({ page }) => {
  await signInAs(page, { tenant: 'acme', email: 'owner@acme.test' })
  await openPage(page, hostUrl('acme', '/admin/roles'))
  const matrix = page.getByRole('table', { name: 'Permission matrix' })
  const scroller = matrix.locator('xpath=..')
  const firstColumn = matrix.getByRole('rowheader').first()
  const ownerColumn = matrix.getByRole('columnheader', { name: /Owner/ })
  await expect(firstColumn).toBeVisible()

  const wide = await scroller.evaluate((el) => el.scrollWidth > el.clientWidth)
  expect(wide, 'the matrix is wider than a phone, so it scrolls').toBe(true)
  const before = { permission: await firstColumn.boundingBox(), owner: await ownerColumn.boundingBox() }
  await scroller.evaluate((el) => el.scrollBy({ left: 150 }))
  await expect.poll(async () => (await ownerColumn.boundingBox())?.x).toBeLessThan((before.owner?.x ?? 0) - 100)
  expect((await firstColumn.boundingBox())?.x).toBe(before.permission?.x)
})

test('tables show chosen columns and dialogs fit', async ({ page }) => {
  await signInAs(page, { tenant: 'acme', email: 'admin@acme.test' })
  await openPage(page, hostUrl('acme', '/admin/users'))
  // The people table (pending invitations, when other tests left some, are a table of their own).
  const table = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Status' }) })
  await expect(table.getByRole('columnheader', { name: /Name/ })).toBeVisible()
  await expect(table.getByRole('columnheader', { name: 'Status' })).toBeVisible()
  await expect(table.getByRole('columnheader', { name: 'Email' })).toBeHidden()
  // The email the hidden column held is under the name.
  await expect(table.getByText('admin@acme.test').filter({ visible: true })).toHaveCount(1)
  const box = await table.boundingBox()
  expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(390)

  await page.getByRole('button', { name: 'Add person' }).click()
  const dialog = page.getByRole('dialog')
  await expect(dialog).toBeVisible()
  const d = await dialog.boundingBox()
  expect(d?.x).toBeGreaterThan(0)
  expect((d?.x ?? 0) + (d?.width ?? 0)).toBeLessThan(390)
  expect((d?.y ?? 0) + (d?.height ?? 0)).toBeLessThanOrEqual(844)
})

test('a table wider than a phone says it scrolls and scrolls by keyboard, in German, on every admin page', async ({ browser }) => {
  const { context, page } = await signInGerman(browser, 'owner@acme.test', { viewport: { width: 390, height: 844 } })
  for (const path of ['/admin/users', '/admin/roles', '/admin/teams', '/admin/audit', '/admin/trash', '/admin/settings']) {
    await openPage(page, hostUrl('acme', path))
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible({ timeout: 30_000 })
    await expectScrollersSaySo(page, path)
  }

  // The role page's holders: "Vergeben am" (granted on) is the column a phone cut off without a word.
  await openPage(page, hostUrl('acme', '/admin/roles'))
  await page.getByRole('link', { name: 'Inhaber', exact: true }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Inhaber' })).toBeVisible({ timeout: 30_000 })
  const holders = page.getByRole('region', { name: 'Personen mit der Rolle Inhaber' })
  await expect(holders).toBeVisible()
  await expectScrollersSaySo(page, 'the role page')
  const grantedOn = holders.getByRole('columnheader', { name: 'Vergeben am' })
  const inView = async () => {
    const [region, column] = [await holders.boundingBox(), await grantedOn.boundingBox()]
    return !!region && !!column && column.x + column.width <= region.x + region.width + 1
  }
  expect(await inView(), 'the last column starts out of view').toBe(false)

  // The scroller takes keyboard focus (tabindex 0); the arrow keys then scroll it until the last column is in view.
  await holders.focus()
  await expect(holders).toBeFocused()
  for (let i = 0; i < 20 && !(await inView()); i++) await page.keyboard.press('ArrowRight')
  expect(await inView(), 'the arrow keys bring the last column into view').toBe(true)
  // At the end, the shadow moves to the start: there is more to the left now, nothing to the right.
  await expect
    .poll(async () => (await sidewaysScrollers(page)).map(({ startCue, endCue }) => ({ startCue, endCue })))
    .toContainEqual({ startCue: true, endCue: false })
  await context.close()
})
