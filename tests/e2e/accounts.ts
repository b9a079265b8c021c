import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Browser } from '@playwright/test'
import { hostUrl, openPage, signInAs } from './fixtures'
import { callFromPage, resultOf } from './server-fn'

/** An address no other test uses, so tests that lock, reset or sign out an account stay independent. */
export function uniqueEmail(label: string, tenant = 'acme'): string {
  return `${label}-${randomUUID().slice(0, 8)}@${tenant}.test`
}

/** The admin invites `email` by calling auth.inviteUser from the signed-in admin page (there is no invite UI yet). */
export async function inviteAsAdmin(browser: Browser, email: string, fullName = ''): Promise<string> {
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    await signInAs(page, { tenant: 'acme', email: 'admin@acme.test' })
    const response = await callFromPage(page, 'POST', 'auth.inviteUser', { email, fullName })
    if (response.status !== 200) throw new Error(`auth.inviteUser answered ${response.status}: ${response.text}`)
    return resultOf<{ link: string }>(response).link
  } finally {
    await context.close()
  }
}

/** A fresh acme account made through the invitation flow's server functions; returns its credentials. */
export async function createAcmeAccount(browser: Browser, label: string) {
  const email = uniqueEmail(label)
  const password = `pw-${randomUUID()}`
  const link = await inviteAsAdmin(browser, email)
  const token = new URL(link).pathname.split('/').pop()
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    await openPage(page, hostUrl('acme', '/sign-in'))
    const response = await callFromPage(page, 'POST', 'auth.acceptInvitation', { token, fullName: `Test ${label}`, password })
    if (response.status !== 200) throw new Error(`auth.acceptInvitation answered ${response.status}: ${response.text}`)
  } finally {
    await context.close()
  }
  return { email, password }
}

/**
 * The newest reset link the server logged for `email`, read from the mailbox file the e2e launcher keeps
 * (E2E_MAIL_LOG), or undefined while none has arrived.
 */
export function resetLinkFor(email: string): string | undefined {
  const file = process.env.E2E_MAIL_LOG
  if (!file) throw new Error('E2E_MAIL_LOG is not set (playwright.config.ts sets it)')
  const marker = `[haven] password reset link for ${email} at `
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes(marker))
    .at(-1)
  return line?.slice(line.lastIndexOf(' ') + 1)
}
