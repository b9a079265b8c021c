/**
 * Issue 12's people journeys in Chromium: managing pending invitations, the accept page, bulk actions, the CSV
 * export and page size, the role page with its holders, the links between person, team and role pages, the
 * Directory heading and the dashboard.
 */
import { readFileSync } from 'node:fs'
import { uniqueEmail } from './accounts'
import { expect, hostUrl, openPage, signInAs, test } from './fixtures'
import { callFromPage, resultOf } from './server-fn'

test('an admin invites, is asked before replacing, resends, revokes; the old links die and the accept page says who and what', async ({
  page,
  browser,
}) => {
  // About forty steps across two browser contexts: more than the default budget on the shared 2-core machine.
  test.slow()
  const email = uniqueEmail('pending')
  await signInAs(page, { tenant: 'acme', email: 'admin@acme.test' })
  await openPage(page, hostUrl('acme', '/admin/users'))

  await page.getByRole('button', { name: 'Add person' }).click()
  const dialog = page.getByRole('dialog', { name: 'Add a person' })
  await dialog.getByLabel('Email').fill(email)
  await dialog.getByLabel('Full name').fill('Petra Pending')
  await dialog.getByRole('button', { name: 'Create invitation' }).click()
  const first = await dialog.getByLabel('Invitation link').inputValue()
  await dialog.getByRole('button', { name: 'Done' }).click()

  const panel = page.getByRole('table', { name: 'Pending invitations' })
  const row = panel.getByRole('row').filter({ hasText: email })
  await expect(row).toContainText('Member')
  await expect(row).toContainText('Adam Admin')

  // Searching finds the address and says it is pending.
  await page.getByLabel('Search name or email').fill(email)
  await page.getByRole('button', { name: 'Search' }).click()
  const invited = page.getByRole('region', { name: 'Invited, not yet joined' })
  await expect(invited).toContainText(email)
  await expect(invited).toContainText('Invitation pending')
  await page.getByLabel('Search name or email').fill('')
  await page.getByRole('button', { name: 'Search' }).click()

  // Inviting the address again asks first; keeping the pending one changes nothing.
  await page.getByRole('button', { name: 'Add person' }).click()
  await dialog.getByLabel('Email').fill(email)
  await dialog.getByRole('button', { name: 'Create invitation' }).click()
  await expect(dialog.getByRole('alert')).toContainText('already has a pending invitation')
  // The date in the question is the reader's (en-US here), never an ISO day.
  await expect(dialog.getByRole('alert')).toContainText(/\(sent \d{1,2}\/\d{1,2}\/\d{4}\)/)
  await dialog.getByRole('button', { name: 'Replace invitation' }).click()
  const second = await dialog.getByLabel('Invitation link').inputValue()
  await expect(dialog).toContainText('its link no longer works')
  expect(second).not.toBe(first)
  await dialog.getByRole('button', { name: 'Done' }).click()

  // Resend: a new link, the admin is told the old one died.
  await row.getByRole('button', { name: /^Resend/ }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Resend' }).click()
  await expect(page.getByText('The old link no longer works.')).toBeVisible()
  const listed = resultOf<{ id: string; email: string }[]>(await callFromPage(page, 'GET', 'users.listInvitations'))
  const current = listed.find((i) => i.email === email)
  if (!current) throw new Error('the resent invitation is not listed')
  const third = resultOf<{ link: string }>(await callFromPage(page, 'GET', 'users.getInvitationLink', { id: current.id })).link
  expect(new Set([first, second, third]).size).toBe(3)

  const guest = await browser.newContext()
  const guestPage = await guest.newPage()
  for (const dead of [first, second]) {
    await openPage(guestPage, dead)
    await expect(guestPage.getByRole('heading', { name: 'This invitation cannot be used' })).toBeVisible()
  }
  await openPage(guestPage, third)
  await expect(guestPage.getByRole('heading', { name: 'Join Acme Inc.' })).toBeVisible()
  await expect(guestPage.getByText(`Adam Admin invited you (${email}) to the Acme Inc. workspace as Member.`)).toBeVisible()
  await expect(guestPage.getByLabel('Full name')).toHaveValue('Petra Pending')

  // Revoke: the row goes, and the link dies.
  await row.getByRole('button', { name: /^Revoke/ }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click()
  await expect(page.getByText(`Invitation to ${email} revoked.`)).toBeVisible()
  await expect(row).toHaveCount(0)
  await openPage(guestPage, third)
  await expect(guestPage.getByRole('heading', { name: 'This invitation cannot be used' })).toBeVisible()
  await guest.close()
})

test('an admin selects people for bulk actions, exports the filtered list and picks a page size', async ({ page }) => {
  const tag = `bulk${Date.now().toString(36)}`
  await signInAs(page, { tenant: 'acme', email: 'admin@acme.test' })
  for (const name of ['Ann', 'Ben', 'Cai']) {
    const created = await callFromPage(page, 'POST', 'users.createUser', { email: uniqueEmail(`${tag}-${name}`), fullName: `${name} ${tag}` })
    expect(created.status).toBe(200)
  }
  await openPage(page, hostUrl('acme', `/admin/users?q=${tag}`))
  await expect(page.getByRole('link', { name: `Ann ${tag}` })).toBeVisible()
  await expect(page.getByRole('columnheader', { name: 'Last active' })).toBeVisible()
  await expect(page.getByRole('row').filter({ hasText: `Ann ${tag}` })).toContainText('Never')

  // The export is the filtered list: exactly these three, with a header.
  const download = page.waitForEvent('download')
  await page.getByRole('link', { name: 'Export CSV' }).click()
  const file = await (await download).path()
  const lines = readFileSync(file, 'utf8').trim().split('\n')
  expect(lines[0]).toBe('name,email,status,roles,last_active,added,id')
  expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual([`Ann ${tag}`, `Ben ${tag}`, `Cai ${tag}`])

  // Two of them get the Admin role, then are deactivated; the third is untouched.
  await page.getByRole('checkbox', { name: `Select Ann ${tag}` }).check()
  await page.getByRole('checkbox', { name: `Select Ben ${tag}` }).check()
  const bar = page.getByRole('region', { name: 'Bulk actions' })
  await expect(bar).toContainText('2 selected')
  await bar.getByLabel('Role to assign').selectOption({ label: 'Member' })
  await bar.getByRole('button', { name: 'Assign role' }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Assign role' }).click()
  await expect(page.getByText('Member assigned to 2 people')).toBeVisible()
  await expect(page.getByRole('row').filter({ hasText: `Ann ${tag}` })).toContainText('Member')
  await expect(page.getByRole('row').filter({ hasText: `Cai ${tag}` })).not.toContainText('Member')

  await page.getByRole('checkbox', { name: `Select Ann ${tag}` }).check()
  await page.getByRole('checkbox', { name: `Select Ben ${tag}` }).check()
  await bar.getByRole('button', { name: 'Deactivate' }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Deactivate' }).click()
  await expect(page.getByText('2 people deactivated')).toBeVisible()
  await expect(page.getByRole('row').filter({ hasText: `Ben ${tag}` })).toContainText('Deactivated')
  await expect(page.getByRole('row').filter({ hasText: `Cai ${tag}` })).toContainText('Active')

  // Select all on the page, move to trash: the list is empty after.
  await page.getByRole('checkbox', { name: 'Select everyone on this page' }).check()
  await expect(bar).toContainText('3 selected')
  await bar.getByRole('button', { name: 'Move to trash' }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Move to trash' }).click()
  await expect(page.getByText('3 people moved to the trash')).toBeVisible()
  await expect(page.getByText('No one matches these filters')).toBeVisible()

  // Page size.
  await openPage(page, hostUrl('acme', '/admin/users'))
  await page.getByLabel('Rows per page').selectOption('10')
  await expect(page).toHaveURL(/pageSize=10/)
  await expect(page.getByRole('navigation', { name: 'Pages' })).toContainText('10 of')
})

test('a role page lists holders with who granted it; person, role and team pages link to each other', async ({ page }) => {
  await signInAs(page, { tenant: 'acme', email: 'owner@acme.test' })
  const email = uniqueEmail('granted')
  const created = resultOf<{ id: string }>(await callFromPage(page, 'POST', 'users.createUser', { email, fullName: 'Gus Granted' }))
  const options = resultOf<{ roles: { id: string; name: string }[] }>(await callFromPage(page, 'GET', 'users.getUserFilterOptions'))
  const admin = options.roles.find((r) => r.name === 'Admin')
  if (!admin) throw new Error('no Admin role')
  expect((await callFromPage(page, 'POST', 'users.setUserRoles', { id: created.id, roleIds: [admin.id] })).status).toBe(200)

  await openPage(page, hostUrl('acme', '/admin/roles'))
  await page.getByRole('link', { name: 'Admin', exact: true }).click()
  await expect(page.getByRole('heading', { name: 'Admin', level: 1 })).toBeVisible()
  const holders = page.getByRole('table', { name: 'People holding the Admin role' })
  const gus = holders.getByRole('row').filter({ hasText: 'Gus Granted' })
  await expect(gus.getByRole('link', { name: 'Olivia Owner' })).toBeVisible()
  await expect(page.getByText('Create and edit organizations and teams, manage team members')).toBeVisible()

  await gus.getByRole('link', { name: 'Gus Granted' }).click()
  await expect(page.getByRole('heading', { name: 'Gus Granted' })).toBeVisible()
  await page.getByRole('link', { name: 'Admin: Who holds it' }).click()
  await expect(page.getByRole('heading', { name: 'Admin', level: 1 })).toBeVisible()

  // A team page links its members to their person pages, and a person page links their teams.
  const teams = resultOf<{ items: { id: string; name: string }[] }>(await callFromPage(page, 'GET', 'teams.listTeams', {}))
  const team = teams.items[0]
  if (!team) throw new Error('the demo has no team')
  expect((await callFromPage(page, 'POST', 'teams.addTeamMember', { teamId: team.id, userId: created.id })).status).toBe(200)
  await openPage(page, hostUrl('acme', `/admin/teams/${team.id}`))
  await page.getByRole('link', { name: 'Gus Granted' }).click()
  await expect(page.getByRole('heading', { name: 'Gus Granted' })).toBeVisible()
  await page.getByRole('link', { name: team.name, exact: true }).click()
  await expect(page.getByRole('heading', { name: team.name })).toBeVisible()
})

test('a member sees a Directory and a dashboard of what they may do; the owner sees the workspace at a glance', async ({ page, browser }) => {
  await signInAs(page, { tenant: 'acme', email: 'member@acme.test' })
  const nav = page.getByRole('navigation', { name: 'Main' })
  await expect(nav.getByText('Directory', { exact: true })).toBeVisible()
  await expect(nav.getByText('Administration', { exact: true })).toHaveCount(0)
  const glance = page.getByRole('region', { name: 'At a glance' })
  await expect(glance.getByRole('link', { name: /^People/ })).toBeVisible()
  await expect(glance.getByRole('link', { name: /^Pending invitations/ })).toHaveCount(0)
  await expect(page.getByRole('heading', { name: 'Recent activity' })).toHaveCount(0)

  const ownerContext = await browser.newContext()
  const owner = await ownerContext.newPage()
  await signInAs(owner, { tenant: 'acme', email: 'owner@acme.test' })
  await expect(owner.getByRole('navigation', { name: 'Main' }).getByText('Administration', { exact: true })).toBeVisible()
  await expect(owner.getByRole('region', { name: 'At a glance' }).getByRole('link', { name: /^Pending invitations/ })).toBeVisible()
  await expect(owner.getByRole('heading', { name: 'Recent activity' })).toBeVisible()
  await expect(owner.getByRole('list', { name: 'Audit events' }).getByRole('listitem').first()).toBeVisible()
  await owner.getByRole('region', { name: 'At a glance' }).getByRole('link', { name: /^People/ }).click()
  await expect(owner.getByRole('heading', { name: 'Users' })).toBeVisible()
  await ownerContext.close()
})
