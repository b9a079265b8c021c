/**
 * Root's authenticator in the end-to-end suite. The console-setup project enrols root through the browser and
 * saves the key (and a recovery code) to E2E_TOTP_FILE; every later console sign-in computes its code from it with
 * the same TOTP library the server uses.
 *
 * The server takes each 30-second time step once (a replayed code is refused), one step either side of its clock.
 * So the workers share one dispenser: under a lock (a directory, created atomically) each code gets the next unused
 * step, and the lock is held until the code has been submitted, so the server sees the steps in order. When the
 * next step is more than one ahead of the clock, the dispenser waits for the clock: that is the authenticator's
 * own pace, not a guess.
 */
import { mkdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs'
import { Secret, TOTP } from 'otpauth'

type Saved = { secret: string; recoveryCodes: string[] }
const PERIOD_MS = 30_000

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

/**
 * Root's signed-in console sessions that console-setup stores (Playwright storageState), one per name: a test that
 * only needs to be signed in opens the console with one instead of waiting for a time step. One per test, because a
 * step-up belongs to its session.
 */
// 'browse' is shared by the page checks (a11y, phones), which neither step up nor sign out.
export const CONSOLE_SESSIONS = ['tenants', 'phone', 'refused', 'consent', 'signOut', 'browse', 'sorting'] as const
export type ConsoleSession = (typeof CONSOLE_SESSIONS)[number]
export const consoleSessionFile = (name: ConsoleSession) => `${file()}.${name}.session.json`

/** Which of root's ten recovery codes each use takes: each works once, and none waits for the clock. */
const RECOVERY_USES = ['sign-in test', 'toasts', ...CONSOLE_SESSIONS] as const
export function recoveryCode(use: (typeof RECOVERY_USES)[number]): string {
  const code = rootFactor().recoveryCodes[RECOVERY_USES.indexOf(use)]
  if (!code) throw new Error(`no recovery code for ${use}: console-setup saves them`)
  return code
}

const currentStep = () => Math.floor(Date.now() / PERIOD_MS)
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function lastStep(): number {
  try {
    return Number(readFileSync(`${file()}.step`, 'utf8')) || 0
  } catch {
    return 0
  }
}

async function acquire(lock: string) {
  for (;;) {
    try {
      mkdirSync(lock)
      return
    } catch {
      // A lock older than any submission can take was left by a worker that died.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmdirSync(lock)
      } catch {}
      await pause(100)
    }
  }
}

/** Runs `use` with a code of root's authenticator that the server has not seen yet; `use` must submit it. */
export async function withTotpCode<T>(use: (code: string) => Promise<T>, secret = rootFactor().secret): Promise<T> {
  const lock = `${file()}.lock`
  await acquire(lock)
  try {
    const step = Math.max(currentStep(), lastStep() + 1)
    while (step > currentStep() + 1) await pause(Math.max(50, (currentStep() + 1) * PERIOD_MS - Date.now() + 50))
    writeFileSync(`${file()}.step`, String(step))
    const code = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) }).generate({ timestamp: step * PERIOD_MS })
    return await use(code)
  } finally {
    rmdirSync(lock)
  }
}
