import http from 'node:http'
import { readFileSync } from 'node:fs'
import { uniqueEmail } from './accounts'
import { DEMO_PASSWORD, expect, hostUrl, openPage, PORT, signInAs, signInGerman, test } from './fixtures'
import { callFromPage, callOverHttp, hostHeader, resultOf, sessionCookie } from './server-fn'

type Download = { status: number; text: string; total: string | undefined; type: string | undefined }

/** GET a download route (`/audit-export`, `/users-export`) at a host, from Node, with an optional session and headers. */
function downloadOverHttp(path: string, host: string, query: string, cookie?: string, extra: Record<string, string> = {}): Promise<Download> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: hostHeader(host), ...extra }
    if (cookie) headers.cookie = cookie
    http
      .get({ host: '127.0.0.1', port: PORT, path: `${path}?${query}`, headers }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            total: res.headers['x-total-count'] as string | undefined,
            type: res.headers['content-type'],
          }),
        )
        res.on('error', reject)
      })
      .on('error', reject)
  })
}

const exportOverHttp = (host: string, query: string, cookie?: string, extra?: Record<string, string>) => downloadOverHttp('/audit-export', host, query, cookie, extra)

test('an admin renames a person, finds the event by filtering on themselves, reads the diff, exports it and verifies the chain', async ({
  page,
  browser,
}) => {
  test.slow()
  await signInAs(page, { tenant: 'acme', email: 'admin@acme.test' })
  const before = `Audit Person ${Date.now().toString(36)}`
  const after = `${before} Renamed`
  const created = resultOf<{ id: string }>(await callFromPage(page, 'POST', 'users.createUser', { email: uniqueEmail('audit-e2e'), fullName: before }))

  await openPage(page, hostUrl('acme', `/admin/users/${created.id}`))
  await page.getByLabel('Full name').fill(after)
  await page.getByRole('button', { name: 'Save changes' }).click()
  await expect(page.getByText('Changes saved')).toBeVisible()

  // The person's History tab shows the change with the same rendering as the log.
  await page.getByRole('tab', { name: 'History' }).click()
  await expect(page.getByRole('tabpanel').getByText(`changed name of person ${before}`)).toBeVisible()

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click()
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible()
  // Two choices in quick succession: both are kept.
  await page.getByLabel('Person', { exact: true }).selectOption({ label: 'Adam Admin (admin@acme.test)' })
  await page.getByLabel('Kind of record').selectOption({ label: 'People' })
  await expect(page).toHaveURL(/actor=.*entity=users|entity=users.*actor=/)
  const today = new Date().toLocaleDateString('sv')
  // Typed key by key (month, day, year in this en-US browser): the year's first digits are not taken for years 2,
  // 20 and 202 (which would filter, or clear the field); the day applies once its year is complete.
  const [year, month, day] = today.split('-')
  await page.getByLabel('From (day)').focus()
  await page.keyboard.type(`${month}${day}${year}`)
  await expect(page.getByLabel('From (day)')).toHaveValue(today)
  await expect(page).toHaveURL(new RegExp(`from=${today}T00%3A00%3A00`))
  await page.getByLabel('To (day)').fill(today)
  await expect(page).toHaveURL(/to=/)
  await expect(page.getByLabel('To (day)')).toHaveValue(today)
  const row = page.getByRole('listitem').filter({ hasText: `changed name of person ${before}` })
  await expect(row).toHaveCount(1)
  await expect(row).toContainText('Adam Admin')
  // The link names where it goes.
  await expect(row.getByRole('link', { name: `Open ${after}` })).toBeVisible()
  await expect(page.getByRole('listitem').filter({ hasText: 'Olivia Owner' })).toHaveCount(0)

  await row.getByRole('button', { name: /^Details of/ }).click()
  const detail = page.getByRole('dialog')
  await expect(detail.getByRole('heading', { name: 'Changed · People' })).toBeVisible()
  await expect(detail.getByRole('heading', { name: 'Changed fields' })).toBeVisible()
  const nameRow = detail.getByRole('row', { name: /^name/ })
  await expect(nameRow.getByRole('cell').nth(0)).toHaveText(before)
  await expect(nameRow.getByRole('cell').nth(1)).toHaveText(after)
  await expect(detail.getByRole('row', { name: /updated at/ })).toHaveCount(0)
  await detail.getByLabel('Show all fields').check()
  await expect(detail.getByRole('rowheader', { name: 'email', exact: true })).toBeVisible()
  await expect(page).toHaveURL(/event=/)
  const shared = page.url()
  await detail.getByRole('button', { name: 'Close' }).click()
  await expect(page).not.toHaveURL(/event=/)

  // The owner opens the shared link and sees the same view.
  const ownerContext = await browser.newContext()
  const ownerPage = await ownerContext.newPage()
  await signInAs(ownerPage, { tenant: 'acme', email: 'owner@acme.test' })
  await openPage(ownerPage, shared)
  await expect(ownerPage.getByRole('dialog').getByText(`changed name of person ${before}`)).toBeVisible()
  await expect(ownerPage.getByLabel('Person', { exact: true })).toHaveValue(/[0-9a-f-]{36}/)
  await ownerContext.close()

  const downloading = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Export CSV' }).click()
  const download = await downloading
  const csv = readFileSync(await download.path(), 'utf8')
  const lines = csv.trim().split('\n')
  expect(lines[0]).toBe(
    'event_id,time,actor,actor_email,impersonator,action,entity_type,record_id,record_name,description,changes,ip_address,user_agent,request_id,chain_seq,chain_hash',
  )
  expect(csv).toContain(`changed name of person ${before}`)
  expect(lines.slice(1).every((l) => l.includes('Adam Admin'))).toBe(true)
  // The browser's own word that the file arrived; the log itself says only that the server sent it.
  await expect(page.getByText(/^Download complete: \d+ events?$/)).toBeVisible()

  await page.getByRole('button', { name: 'Verify' }).click()
  await expect(page.getByRole('status').filter({ hasText: /Intact through event \d+/ })).toBeVisible()
})

test('the export endpoint authorizes like the viewer and records itself', async ({ page }) => {
  test.slow()
  const admin = await sessionCookie('acme', 'admin@acme.test', DEMO_PASSWORD)
  const member = await sessionCookie('acme', 'member@acme.test', DEMO_PASSWORD)
  const globex = await sessionCookie('globex', 'owner@globex.test', DEMO_PASSWORD)
  expect((await exportOverHttp('acme', 'format=csv')).status).toBe(401)
  expect((await exportOverHttp('acme', 'format=csv', member)).status).toBe(403)
  expect((await exportOverHttp('acme', 'format=csv', globex)).status).toBe(401)
  expect((await exportOverHttp('acme', 'format=xml', admin)).status).toBe(400)
  expect((await exportOverHttp('acme', 'format=csv&entity=nope', admin)).status).toBe(400)
  expect((await exportOverHttp('console', 'format=csv', admin)).status).toBe(404)

  // Who asks is checked before what they ask: bad parameters do not tell a stranger or a member anything.
  expect((await exportOverHttp('acme', 'format=xml&entity=nope')).status).toBe(401)
  expect((await exportOverHttp('acme', 'format=xml&entity=nope', member)).status).toBe(403)

  const ndjson = await exportOverHttp('acme', 'format=ndjson&entity=teams', admin)
  expect(ndjson.status).toBe(200)
  const events = ndjson.text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { entityType: string; chainHash: string | null })
  expect(events.length).toBe(Number(ndjson.total))
  expect(events.every((e) => e.entityType === 'teams')).toBe(true)
  // An export of the exports: the file holds what was counted, not also the "started" event this export records.
  const exportsFile = await exportOverHttp('acme', 'format=ndjson&action=EXPORT', admin)
  expect(exportsFile.text.trim().split('\n').filter(Boolean).length).toBe(Number(exportsFile.total))

  await signInAs(page, { tenant: 'acme', email: 'admin@acme.test' })
  await openPage(page, hostUrl('acme', '/admin/audit?action=EXPORT'))
  await expect(page.getByRole('listitem').filter({ hasText: 'exported the audit log as NDJSON' }).first()).toBeVisible()
})

test('every download route refuses in a sentence of the request\'s language, never a message key', async () => {
  const admin = await sessionCookie('acme', 'admin@acme.test', DEMO_PASSWORD)
  const german = { 'accept-language': 'de-DE,de;q=0.9' }
  for (const path of ['/audit-export', '/users-export']) {
    const signedOut = await downloadOverHttp(path, 'acme', 'format=xml&status=nope')
    expect(signedOut.status, path).toBe(401)
    expect(signedOut.type, path).toMatch(/^text\/plain/)
    expect(signedOut.text, path).toBe('Please sign in to continue.')
    const signedOutDe = await downloadOverHttp(path, 'acme', 'format=xml&status=nope', undefined, german)
    expect(signedOutDe.text, path).toBe('Bitte melden Sie sich an, um fortzufahren.')
    const bad = await downloadOverHttp(path, 'acme', path === '/audit-export' ? 'format=xml' : 'status=nope', admin)
    expect(bad.status, path).toBe(400)
    expect(bad.text, path).toMatch(/^The link’s “(format|status)” is not valid: Choose one of the offered values\.$/)
    const badDe = await downloadOverHttp(path, 'acme', path === '/audit-export' ? 'format=xml' : 'status=nope', admin, german)
    expect(badDe.text, path).toMatch(/^Der Wert „(format|status)“ im Link ist ungültig: Wählen Sie einen der angebotenen Werte\.$/)
    expect((await downloadOverHttp(path, 'unknown-workspace', 'format=csv', admin)).text, path).toBe('This workspace was not found.')
  }
})

test('a "to" day before the "from" day is refused by the viewer\'s server function and by the export, and not applied when typed', async ({ page }) => {
  const admin = await sessionCookie('acme', 'admin@acme.test', DEMO_PASSWORD)
  const range = { from: '2026-03-10T00:00:00+01:00', to: '2026-03-09T00:00:00+01:00' }
  const listed = await callOverHttp({ host: 'acme', method: 'GET', id: 'audit.listAudit', data: { ...range, pageSize: 50 }, cookie: admin })
  expect(listed.status).toBe(400)
  expect(listed.text).toContain('validation.toBeforeFrom')
  const exported = await exportOverHttp('acme', `format=csv&${new URLSearchParams(range)}`, admin)
  expect(exported.status).toBe(400)
  expect(exported.text).toBe('The link’s “to” is not valid: Choose a “To” day on or after the “From” day.')
  const sameDay = await exportOverHttp('acme', `format=csv&${new URLSearchParams({ from: range.to, to: range.from })}`, admin)
  expect(sameDay.status).toBe(200)

  // Typed past the fields' min/max: the page says why, and neither leaving the field nor Apply changes the URL (and
  // so the list). The "From" day's list has loaded before "To" is typed (a future day: nothing matches).
  await signInAs(page, { tenant: 'acme', email: 'admin@acme.test' })
  await openPage(page, hostUrl('acme', '/admin/audit'))
  await page.getByLabel('From (day)').fill('2099-03-10')
  await expect(page).toHaveURL(/from=2099-03-10/)
  await expect(page.getByText('No events match these filters')).toBeVisible()
  await page.getByLabel('To (day)').fill('2099-03-09')
  await expect(page.getByText('Choose a “To” day on or after the “From” day')).toBeVisible()
  await page.getByLabel('IP address').focus()
  await page.getByRole('button', { name: 'Apply' }).click()
  await expect(page).toHaveURL(/from=2099-03-10/)
  await expect(page).not.toHaveURL(/to=/)
  await expect(page.getByLabel('To (day)')).toHaveValue('2099-03-09')
  await page.getByLabel('To (day)').fill('2099-03-10')
  await expect(page).toHaveURL(/to=2099-03-11/)
  await expect(page.getByText('Choose a “To” day on or after the “From” day')).toHaveCount(0)
})

test('a member has no audit log: no menu entry, and the page is forbidden', async ({ page }) => {
  await signInAs(page, { tenant: 'acme', email: 'member@acme.test' })
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' })).toHaveCount(0)
  await openPage(page, hostUrl('acme', '/admin/audit'))
  await expect(page.getByRole('heading', { name: 'Audit log' })).toHaveCount(0)
})

test('Apply adds a history entry only for a new filter: Back returns to the previous distinct view', async ({ page }) => {
  await signInAs(page, { tenant: 'acme', email: 'admin@acme.test' })
  await openPage(page, hostUrl('acme', '/admin/audit'))
  await page.getByLabel('Kind of record').selectOption({ label: 'People' })
  await expect(page).toHaveURL(/entity=users/)
  await page.getByLabel('IP address').fill('203.0.113.7')
  await page.getByRole('button', { name: 'Apply' }).click()
  await expect(page).toHaveURL(/ip=203\.0\.113\.7/)
  await page.getByRole('button', { name: 'Apply' }).click()
  await page.getByRole('button', { name: 'Apply' }).click()
  await page.goBack()
  await expect(page).toHaveURL(/entity=users/)
  await expect(page).not.toHaveURL(/ip=/)
  await expect(page.getByLabel('IP address')).toHaveValue('')
  await page.goBack()
  await expect(page).not.toHaveURL(/entity=/)
})

test('a link whose "to" day is before its "from" day opens the log without the "to" day, not an error page', async ({ page }) => {
  await signInAs(page, { tenant: 'acme', email: 'admin@acme.test' })
  const response = await page.goto(hostUrl('acme', '/admin/audit?from=2026-12-02T00:00:00%2B01:00&to=2026-12-01T00:00:00%2B01:00'))
  expect(response?.status()).toBe(200)
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible()
  await expect(page.getByLabel('To (day)')).toHaveValue('')
})

test('Back while an applied filter is still loading shows the earlier entry\'s filter, not the typed one', async ({ page }) => {
  await signInAs(page, { tenant: 'acme', email: 'admin@acme.test' })
  await openPage(page, hostUrl('acme', '/admin/audit?entity=users'))
  // The list answers slowly, so Back comes while the IP filter's page is still loading.
  await page.route('**/_serverFn/audit.listAudit*', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    await route.continue()
  })
  await page.getByLabel('IP address').fill('203.0.113.7')
  await page.getByRole('button', { name: 'Apply' }).click()
  await expect(page).toHaveURL(/ip=203\.0\.113\.7/)
  await page.goBack()
  await expect(page).toHaveURL(/entity=users/)
  await expect(page).not.toHaveURL(/ip=/)
  await expect(page.getByLabel('IP address')).toHaveValue('')
})

test('in German and in Berlin: sentences from the catalogue, no sign-in bookkeeping, times in the viewer\'s zone', async ({ browser }) => {
  const { context, page } = await signInGerman(browser, 'admin@acme.test', { timezoneId: 'Europe/Berlin' })
  await openPage(page, hostUrl('acme', '/admin/audit?entity=users'))
  // The actor with the email they had then, beside the name.
  const signIn = page.getByRole('listitem').filter({ hasText: 'Adam Admin (admin@acme.test) hat sich angemeldet' }).first()
  await expect(signIn).toBeVisible()
  await expect(page.getByText(/noted the sign-in time|signed in/)).toHaveCount(0)

  await signIn.getByRole('button', { name: /^Details zu/ }).click()
  const exact = page.getByRole('dialog').locator('dd time[title="Europe/Berlin"]')
  await expect(exact).toHaveText(/\d{2}:\d{2}:\d{2} MES?Z$/)
  // The sign-in's details in words, and no "Vorher" side it does not have.
  await expect(page.getByRole('dialog').getByRole('rowheader', { name: 'Anmeldemethode' })).toBeVisible()
  await expect(page.getByRole('dialog').getByRole('columnheader', { name: 'Vorher' })).toHaveCount(0)
  await expect(page.getByRole('dialog').getByRole('rowheader', { name: 'method', exact: true })).toHaveCount(0)
  // The method in words, not as stored ("password").
  await expect(page.getByRole('dialog').getByRole('row', { name: /^Anmeldemethode/ }).getByRole('cell')).toHaveText('Passwort')
  const iso = await exact.getAttribute('datetime')
  expect(new Date(iso ?? '').toISOString()).toBe(iso)
  // Every event of the sign-in's request: the sign-in once; the session row better-auth wrote (as the system's,
  // before the person was known) is folded into it.
  await page.getByRole('dialog').getByRole('link', { name: /^Alle Ereignisse der Anfrage/ }).click()
  await expect(page).toHaveURL(/requestId=/)
  const requestEvents = page.getByRole('list', { name: 'Protokollereignisse' }).getByRole('listitem')
  await expect(requestEvents).toHaveCount(1)
  await expect(requestEvents).toContainText('hat sich angemeldet')

  await page.getByRole('button', { name: 'Prüfen' }).click()
  await expect(page.getByRole('status').filter({ hasText: /Unversehrt bis Ereignis \d+/ })).toBeVisible()

  // The file is in German too: its column headers and its sentences.
  const downloading = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Als CSV exportieren' }).click()
  const csv = readFileSync(await (await downloading).path(), 'utf8')
  expect(csv.split('\n')[0]).toMatch(/^Ereignis-ID,Zeit,Person,E-Mail der Person,/)
  expect(csv).toContain('hat sich angemeldet')
  await context.close()
})

test('at 390 px in German a long field label wraps inside its column, never into the value beside it', async ({ browser }) => {
  const { context, page } = await signInGerman(browser, 'admin@acme.test', { viewport: { width: 390, height: 844 } })
  await openPage(page, hostUrl('acme', '/admin/audit?entity=users&action=SIGN_IN'))
  await page.getByRole('button', { name: /^Details zu/ }).first().click()
  const label = page.getByRole('dialog').getByRole('rowheader', { name: 'Anmeldemethode' })
  await expect(label).toBeVisible()
  const fits = await label.evaluate((cell) => cell.scrollWidth <= cell.clientWidth)
  expect(fits, 'the label stays inside its cell').toBe(true)
  await context.close()
})

test('at 390 px the filters fold behind a button that counts the active ones', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } })
  const page = await context.newPage()
  await signInAs(page, { tenant: 'acme', email: 'admin@acme.test' })
  await openPage(page, hostUrl('acme', '/admin/audit?entity=teams&action=UPDATE'))
  const toggle = page.getByRole('button', { name: 'Filters (2 active)' })
  await expect(toggle).toHaveAttribute('aria-expanded', 'false')
  await expect(page.getByRole('form', { name: 'Filters' })).toBeHidden()
  await expect(page.getByRole('list', { name: 'Audit events' }).or(page.getByText('No events match these filters'))).toBeInViewport()
  await toggle.click()
  await expect(page.getByRole('form', { name: 'Filters' })).toBeVisible()
  // The box follows the URL, so it is clicked, not checked.
  await page.getByLabel('Impersonated only').click()
  await expect(page).toHaveURL(/impersonated=true/)
  await expect(page.getByRole('button', { name: 'Filters (3 active)' })).toHaveAttribute('aria-expanded', 'true')
  await context.close()
})
