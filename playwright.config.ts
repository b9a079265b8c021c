import { defineConfig } from '@playwright/test'
import { randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import path from 'node:path'

const port = Number(process.env.E2E_PORT ?? 3100)
// The test mailbox: the launcher appends the reset links the server logs. Set on process.env so the workers, which
// inherit the runner's environment, read the same file the server writes.
const mailLog = process.env.E2E_MAIL_LOG ?? path.join(tmpdir(), `haven-e2e-mail-${randomUUID()}.log`)
process.env.E2E_MAIL_LOG = mailLog
// Root's authenticator key, written by the console-setup project (root enrols TOTP) and read by every console sign-in.
process.env.E2E_TOTP_FILE ??= path.join(tmpdir(), `haven-e2e-totp-${randomUUID()}.json`)

/**
 * Specs about what the browser shows whatever the database (axe, phone layouts, languages, offline and loading
 * states). `E2E_SKIP_PRESENTATION=1` leaves them out: CI runs them in the embedded-database pass and the rest in both
 * (.ci/run), since running them twice checks the same pages twice. A plain `npm test` runs everything.
 */
const PRESENTATION_SPECS = /(a11y|phones|i18n|states)\.spec\.ts$/

export default defineConfig({
  testDir: 'tests/e2e',
  // A console sign-in takes the next unused TOTP time step from the shared dispenser (tests/e2e/totp.ts), which waits
  // for the clock when the suite has used the current steps: up to about one 30 s step, by design (a code works once).
  timeout: 90_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  projects: [
    { name: 'console-setup', testMatch: /console\.setup\.ts$/ },
    {
      name: 'chromium',
      testIgnore: process.env.E2E_SKIP_PRESENTATION === '1' ? [/console\.setup\.ts$/, PRESENTATION_SPECS] : /console\.setup\.ts$/,
      dependencies: ['console-setup'],
    },
  ],
  use: {
    baseURL: `http://localhost:${port}`,
    // A failed test keeps its trace (actions and DOM snapshots) but not the screencast: recording a frame stream for
    // every test cost about 60 % more CPU over the whole run (user+sys of a 8-test sample: 16–17 s with it, 10–11 s
    // without), which on two cores is most of the end-to-end wall time.
    trace: { mode: 'retain-on-failure', screenshots: false },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    },
  },
  webServer: {
    command: 'node scripts/e2e-server.mjs',
    url: `http://localhost:${port}/`,
    timeout: 90_000,
    reuseExistingServer: false,
    env: { E2E_MAIL_LOG: mailLog },
    // Without it Playwright SIGKILLs the launcher, which then never drops its database, data folder or mailbox.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
    stdout: 'pipe',
    stderr: 'pipe',
  },
})
