/**
 * Root's authenticator in the end-to-end suite. The console-setup project enrols root through the browser and
 * saves the key (and a recovery code) to E2E_TOTP_FILE; every later console sign-in computes its code from it with
 * the same TOTP library the server uses.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { Secret, TOTP } from 'otpauth'

type Saved = { secret: string; recoveryCodes: string[] }

function file(): string {
  const path = process.env.E2E_TOTP_FILE
  if (!path) throw new Error('E2E_TOTP_FILE is not set (playwright.config.ts sets it)')
  return path
}

export function saveRootFactor(saved: Saved) {
  writeFileSync(file(), JSON.stringify(saved))
}

export function rootFactor(): Saved {
  return JSON.parse(readFileSync(file(), 'utf8')) as Saved
}

export function totpCode(secret = rootFactor().secret): string {
  return new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) }).generate()
}
