import type { Page } from '@playwright/test'
import { SYSTEM_ROLES } from '~/lib/permissions'
import { createAcmeAccount, inviteAsAdmin, resetLinkFor, uniqueEmail } from './accounts'
import { DEMO_PASSWORD, expect, hostUrl, openPage, PORT, signInAs, test } from './fixtures'
import { callOverHttp, resultOf, sessionCookie } from './server-fn'

const INCORRECT = 'The email or password is incorrect.'

/** Fills and submits the sign-in form and returns the HTTP status of the auth.signIn call it made. */
async function submitSignIn(page: Page, email: string, password: string): Promise<number> {
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(password)
  const response = page.waitForResponse((r) => new URL(r.url()).pathname === '/_serverFn/auth.signIn')
  await page.getByRole('button', { name: 'Sign in' }).click()
  return (await response).status()
}

function permissionsListed(page: Page) {
  return page.getByRole('list', { name: 'Shortcuts' }).getByRole('listitem')
}

/** The dashboard's shortcuts per system role: what each may do, in words (issue 12). */
const SHORTCUTS = {
  owner: ['Invite a person', 'Find a person', 'Organizations and teams', 'Browse the categories', 'Roles and permissions', 'Audit log', 'Workspace settings', 'Your profile'],
  admin: ['Invite a person', 'Find a person', 'Organizations and teams', 'Browse the categories', 'Roles and permissions', 'Audit log', 'Your profile'],
  member: ['Find a person', 'Organizations and teams', 'Browse the categories', 'Your profile'],
} as const

test.describe('signing in at a tenant', () => {
  const roles = [
    { role: 'owner', email: 'owner@acme.test', firstName: 'Olivia' },
    { role: 'admin', email: 'admin@acme.test', firstName: 'Adam' },
    { role: 'member', email: 'member@acme.test', firstName: 'Mia' },
  ] as const

  for (const { role, email, firstName } of roles) {
    test(`the ${role} lands on the dashboard and sees the shortcuts of a ${role}, never a permission key`, async ({ page }) => {
      await signInAs(page, { tenant: 'acme', email })
      await expect(page).toHaveURL(hostUrl('acme', '/'))
      await expect(page.getByRole('heading', { name: `Welcome, ${firstName}` })).toBeVisible()
      await expect(page.getByText('You are signed in to Acme Inc.')).toBeVisible()
      const items = permissionsListed(page)
      await expect(items.getByRole('link')).toHaveText([...SHORTCUTS[role]].map((label) => new RegExp(`^${label}`)))
      const text = (await page.getByRole('main').textContent()) ?? ''
      for (const permission of SYSTEM_ROLES.owner.permissions) expect(text, 'no permission key on the dashboard').not.toContain(permission)
    })
  }

  test('the member sees fewer permissions than the admin', async ({ page, browser }) => {
    await signInAs(page, { tenant: 'acme', email: 'member@acme.test' })
    await expect(permissionsListed(page).first()).toBeVisible()
    const memberCount = await permissionsListed(page).count()
    const adminContext = await browser.newContext()
    const adminPage = await adminContext.newPage()
    await signInAs(adminPage, { tenant: 'acme', email: 'admin@acme.test' })
    await expect(permissionsListed(adminPage).first()).toBeVisible()
    const adminCount = await permissionsListed(adminPage).count()
    await adminContext.close()
    expect(memberCount).toBeGreaterThan(0)
    expect(memberCount).toBeLessThan(adminCount)
  })

  test('the same email is two different people at acme and at globex', async ({ page }) => {
    await signInAs(page, { tenant: 'acme', email: 'same@example.test' })
    await expect(page.getByRole('button', { name: 'Account menu' })).toContainText('Sam Acme')
    await expect(page.getByText('You are signed in to Acme Inc.')).toBeVisible()

    await signInAs(page, { tenant: 'globex', email: 'same@example.test' })
    await expect(page.getByRole('button', { name: 'Account menu' })).toContainText('Sam Globex')
    await expect(page.getByText('You are signed in to Globex Corp.')).toBeVisible()

    // Two sessions side by side in one browser, one per host; acme's is still Sam Acme.
    await page.goto(hostUrl('acme', '/'))
    await expect(page.getByRole('button', { name: 'Account menu' })).toContainText('Sam Acme')
  })

  test("an acme account's credentials do not work at globex", async ({ page }) => {
    await openPage(page, hostUrl('globex', '/sign-in'))
    expect(await submitSignIn(page, 'owner@acme.test', DEMO_PASSWORD)).toBe(401)
    await expect(page.getByRole('alert')).toHaveText(INCORRECT)
    await expect(page).toHaveURL(hostUrl('globex', '/sign-in'))
  })
})

test.describe('sessions belong to one host', () => {
  test('an acme session is not valid at globex, not even with its cookie copied onto the globex host', async ({ page, context }) => {
    await signInAs(page, { tenant: 'acme', email: 'owner@acme.test' })

    await page.goto(hostUrl('globex', '/'))
    await expect(page).toHaveURL(/^http:\/\/globex\.localhost:\d+\/sign-in/)
    await expect(page.getByRole('heading', { name: 'Sign in to Globex Corp.' })).toBeVisible()

    const [session] = (await context.cookies(hostUrl('acme'))).filter((c) => c.name === 'haven.session_token')
    if (!session) throw new Error('no session cookie after signing in at acme')
    // Host-only: Playwright reports a Domain cookie with a leading dot.
    expect(session.domain).toBe('acme.localhost')
    expect(session.httpOnly).toBe(true)
    expect(session.sameSite).toBe('Lax')

    await context.addCookies([{ ...session, domain: 'globex.localhost', path: '/' }])
    expect((await context.cookies(hostUrl('globex'))).map((c) => c.name)).toContain('haven.session_token')
    await page.goto(hostUrl('globex', '/'))
    await expect(page).toHaveURL(/^http:\/\/globex\.localhost:\d+\/sign-in/)
    await expect(page.getByRole('heading', { name: 'Sign in to Globex Corp.' })).toBeVisible()
    await expect(page.getByRole('button', { name: 'Account menu' })).toHaveCount(0)

    // The cookie still works where it came from.
    await page.goto(hostUrl('acme', '/'))
    await expect(page.getByRole('heading', { name: 'Welcome, Olivia' })).toBeVisible()
  })

  test('signing out returns to the sign-in page and the dashboard then asks to sign in', async ({ page }) => {
    await signInAs(page, { tenant: 'acme', email: 'member@acme.test' })
    await page.getByRole('button', { name: 'Account menu' }).click()
    await page.getByRole('menuitem', { name: 'Sign out' }).click()
    await expect(page).toHaveURL(hostUrl('acme', '/sign-in'))
    await expect(page.getByRole('heading', { name: 'Sign in to Acme Inc.' })).toBeVisible()

    await page.goto(hostUrl('acme', '/'))
    await expect(page).toHaveURL(/^http:\/\/acme\.localhost:\d+\/sign-in\?redirect=/)
    await expect(page.getByLabel('Email')).toBeVisible()
  })
})

test.describe('workspaces that cannot be used', () => {
  test('a suspended workspace says so, on its sign-in page too, and offers no form', async ({ page }) => {
    for (const path of ['/', '/sign-in']) {
      await page.goto(hostUrl('initech', path))
      await expect(page.getByRole('heading', { name: 'This workspace is suspended' })).toBeVisible()
      await expect(page.getByText('Initech is suspended')).toBeVisible()
      await expect(page.getByLabel('Password')).toHaveCount(0)
      await expect(page.getByRole('button', { name: 'Sign in' })).toHaveCount(0)
    }
  })

  for (const slug of ['nope', 'www']) {
    test(`${slug}.localhost is no workspace`, async ({ page }) => {
      for (const path of ['/', '/sign-in']) {
        await page.goto(hostUrl(slug, path))
        await expect(page.getByRole('heading', { name: 'No workspace here' })).toBeVisible()
        await expect(page.getByLabel('Password')).toHaveCount(0)
      }
    })
  }
})

test.describe('invitations', () => {
  test('an invited person sets a name and password, lands signed in, and the link then stops working', async ({ page, browser }) => {
    // An admin signs in to invite, then the new person's password is hashed: two slow steps on a shared 2-core machine.
    test.slow()
    const email = uniqueEmail('invitee')
    const link = await inviteAsAdmin(browser, email)
    expect(link).toMatch(new RegExp(`^http://acme\\.localhost:${PORT}/invite/[\\w-]{20,}$`))

    await openPage(page, link)
    await expect(page.getByRole('heading', { name: 'Join Acme Inc.' })).toBeVisible()
    // The inviter is named (issue 12): "Adam Admin invited you (<email>) to the Acme Inc. workspace …".
    await expect(page.getByText(`invited you (${email}) to the Acme Inc. workspace`)).toBeVisible()
    await page.getByLabel('Full name').fill('Vera Invitee')
    // Too short: the server's field message appears next to the field.
    await page.getByLabel('Password', { exact: true }).fill('short')
    await page.getByLabel('Repeat the password').fill('short')
    await page.getByRole('button', { name: 'Create my account' }).click()
    await expect(page.getByLabel('Password', { exact: true })).toHaveAccessibleDescription('Use at least 8 characters')

    await page.getByLabel('Password', { exact: true }).fill('a-good-password')
    await page.getByLabel('Repeat the password').fill('a-good-password')
    await page.getByRole('button', { name: 'Create my account' }).click()
    await expect(page).toHaveURL(hostUrl('acme', '/'))
    await expect(page.getByRole('heading', { name: 'Welcome, Vera' })).toBeVisible()
    await expect(page.getByRole('button', { name: 'Account menu' })).toContainText('Vera Invitee')

    await page.goto(link)
    await expect(page.getByRole('heading', { name: 'This invitation cannot be used' })).toBeVisible()
    await expect(page.getByRole('alert')).toHaveText('This invitation link is invalid, expired or already used.')
    await expect(page.getByRole('button', { name: 'Create my account' })).toHaveCount(0)
  })
})

test.describe('password reset', () => {
  test('a reset link from the mailbox sets a new password; the old one stops working and sessions end', async ({ page, browser }) => {
    test.slow() // three accounts' worth of sign-ins and an invitation
    const account = await createAcmeAccount(browser, 'reset')
    const elsewhere = await browser.newContext()
    const elsewherePage = await elsewhere.newPage()
    await signInAs(elsewherePage, { tenant: 'acme', ...account })

    await openPage(page, hostUrl('acme', '/sign-in'))
    await page.getByRole('link', { name: 'Forgot your password?' }).click()
    await expect(page.getByRole('heading', { name: 'Reset your password' })).toBeVisible()
    await page.getByLabel('Email').fill(account.email)
    await page.getByRole('button', { name: 'Send reset link' }).click()
    await expect(page.getByRole('status')).toContainText('If an account with that email exists in this workspace')

    await expect.poll(() => resetLinkFor(account.email), { message: 'reset link in the mailbox' }).toBeDefined()
    const link = resetLinkFor(account.email) ?? ''
    expect(link).toMatch(new RegExp(`^http://acme\\.localhost:${PORT}/reset-password\\?token=`))

    await openPage(page, link)
    await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible()
    const newPassword = `${account.password}-new`
    await page.getByLabel('New password', { exact: true }).fill(newPassword)
    await page.getByLabel('Repeat the new password').fill(newPassword)
    await page.getByRole('button', { name: 'Set new password' }).click()
    await expect(page.getByRole('status')).toHaveText('Your password was changed, and you were signed out everywhere else.')

    await page.getByRole('link', { name: 'Sign in with your new password' }).click()
    await expect(page.getByRole('heading', { name: 'Sign in to Acme Inc.' })).toBeVisible()
    expect(await submitSignIn(page, account.email, newPassword)).toBe(200)
    await expect(page.getByRole('heading', { name: 'Welcome, Test' })).toBeVisible()

    // The session that was open during the reset has ended.
    await openPage(elsewherePage, hostUrl('acme', '/'))
    await expect(elsewherePage).toHaveURL(/\/sign-in\?redirect=/)
    expect(await submitSignIn(elsewherePage, account.email, account.password)).toBe(401)
    await expect(elsewherePage.getByRole('alert')).toHaveText(INCORRECT)
    await elsewhere.close()

    // A used link is recognised on arrival, before anyone types a password, and a new one is offered.
    await openPage(page, link)
    await expect(page.getByRole('heading', { name: 'This reset link no longer works' })).toBeVisible()
    await expect(page.getByLabel('New password', { exact: true })).toHaveCount(0)
    await page.getByRole('link', { name: 'Send me a new reset link' }).click()
    await expect(page.getByRole('heading', { name: 'Reset your password' })).toBeVisible()
  })
})

test.describe('sign-in throttling', () => {
  test('five wrong passwords lock that account (429) whatever X-Forwarded-For says, and no other account', async ({ page, browser }) => {
    test.slow() // nine sign-in attempts and an invitation
    const account = await createAcmeAccount(browser, 'throttled')
    await openPage(page, hostUrl('acme', '/sign-in'))
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect(await submitSignIn(page, account.email, `wrong-${attempt}`), `attempt ${attempt}`).toBe(401)
      await expect(page.getByRole('alert')).toHaveText(INCORRECT)
    }

    expect(await submitSignIn(page, account.email, 'wrong-6')).toBe(429)
    await expect(page.getByRole('alert')).toContainText('Too many failed sign-in attempts. Try again in')

    // A client cannot pose as someone else by rotating X-Forwarded-For, and the right password does not help.
    for (const ip of ['203.0.113.7', '198.51.100.23']) {
      await page.setExtraHTTPHeaders({ 'X-Forwarded-For': ip })
      expect(await submitSignIn(page, account.email, account.password), `as ${ip}`).toBe(429)
      await expect(page.getByRole('alert')).toContainText('Try again in')
    }
    await expect(page).toHaveURL(hostUrl('acme', '/sign-in'))

    // Per account, not global: another account signs in from the same browser and address.
    expect(await submitSignIn(page, 'member@acme.test', DEMO_PASSWORD)).toBe(200)
    await expect(page.getByRole('heading', { name: 'Welcome, Mia' })).toBeVisible()
  })
})

test.describe('the console', () => {
  test('the superuser signs in at the console and sees it', async ({ page }) => {
    await signInAs(page, { tenant: 'console', email: 'root@haven.test' })
    await expect(page).toHaveURL(hostUrl('console', '/'))
    await expect(page.getByRole('heading', { name: 'Console', exact: true })).toBeVisible()
    await expect(page.getByText('Signed in as root@haven.test (superuser).')).toBeVisible()
  })

  test('a tenant owner cannot sign in at the console', async ({ page }) => {
    await openPage(page, hostUrl('console', '/sign-in'))
    await expect(page.getByRole('heading', { name: 'Haven console' })).toBeVisible()
    expect(await submitSignIn(page, 'owner@acme.test', DEMO_PASSWORD)).toBe(401)
    await expect(page.getByRole('alert')).toHaveText(INCORRECT)
    await page.goto(hostUrl('console', '/'))
    await expect(page).toHaveURL(/^http:\/\/console\.localhost:\d+\/sign-in/)
  })

  test('the superuser cannot sign in at a tenant', async ({ page }) => {
    await openPage(page, hostUrl('acme', '/sign-in'))
    expect(await submitSignIn(page, 'root@haven.test', DEMO_PASSWORD)).toBe(401)
    await expect(page.getByRole('alert')).toHaveText(INCORRECT)
    await expect(page.getByRole('button', { name: 'Account menu' })).toHaveCount(0)
  })
})

test.describe('cross-site request forgery', () => {
  test('a page on globex cannot make a signed-in acme browser sign out', async ({ page, context }) => {
    await signInAs(page, { tenant: 'acme', email: 'member@acme.test' })

    const globex = await context.newPage()
    await globex.goto(hostUrl('globex', '/sign-in'))
    const target = hostUrl('acme', '/_serverFn/auth.signOut')
    const response = globex.waitForResponse((r) => r.url() === target)
    // A "simple" request, so the browser sends it without a preflight and only the server can refuse it.
    await globex.evaluate(async (url) => {
      await fetch(url, { method: 'POST', credentials: 'include', mode: 'no-cors', headers: { 'content-type': 'text/plain' } })
    }, target)
    expect((await response).status()).toBe(403)
    expect((await (await response).request().allHeaders()).origin).toBe(hostUrl('globex', ''))

    await page.reload()
    await expect(page.getByRole('heading', { name: 'Welcome, Mia' })).toBeVisible()
  })

  test('a server-function POST carrying a valid session is refused with 403 unless it comes from the same origin', async () => {
    const cookie = await sessionCookie('acme', 'member@acme.test', DEMO_PASSWORD)
    const refused = [
      { origin: hostUrl('globex', '') },
      { origin: 'http://evil.example' },
      { origin: null },
      { origin: hostUrl('acme', ''), headers: { 'sec-fetch-site': 'same-site' } },
    ]
    for (const attempt of refused) {
      const response = await callOverHttp({ host: 'acme', method: 'POST', id: 'auth.signOut', cookie, ...attempt })
      expect(response.status, JSON.stringify(attempt)).toBe(403)
    }
    const session = await callOverHttp({ host: 'acme', method: 'GET', id: 'auth.getTenantSession', cookie })
    expect(resultOf<{ user: { email: string } | null }>(session).user?.email).toBe('member@acme.test')

    // The same call from acme's own origin passes, and ends the session.
    const own = await callOverHttp({ host: 'acme', method: 'POST', id: 'auth.signOut', cookie })
    expect(own.status).toBe(200)
    const after = await callOverHttp({ host: 'acme', method: 'GET', id: 'auth.getTenantSession', cookie })
    expect(resultOf<{ user: unknown }>(after).user).toBeNull()
  })
})
