// Starts the built server for the end-to-end suite on a database of its own: a fresh PGlite folder, or, when
// DATABASE_URL names a PostgreSQL server, a fresh database there (dropped on exit).
// With E2E_MAIL_LOG set, the password reset links the server logs (there is no mail transport) are also appended
// to that file, which the tests read as their mailbox.
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { appendFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'

const root = path.resolve(import.meta.dirname, '..')
const port = process.env.E2E_PORT ?? '3100'
// Under CI the request log keeps warnings and errors only: one JSON line per request made most of the CI output.
const env = {
  ...process.env,
  PORT: port,
  HAVEN_ROOT_DOMAIN: `localhost:${port}`,
  HAVEN_SEED: 'auto',
  HAVEN_LOG_LEVEL: process.env.HAVEN_LOG_LEVEL ?? (process.env.CI ? 'warn' : 'info'),
}
let cleanup = () => {}

if (process.env.DATABASE_URL) {
  const name = `haven_e2e_${randomBytes(4).toString('hex')}`
  const admin = new URL(process.env.DATABASE_URL)
  admin.pathname = '/postgres'
  const psql = (sql) => spawnSync('psql', [admin.toString(), '-qAtc', sql], { stdio: 'inherit' })
  if (psql(`create database ${name}`).status !== 0) process.exit(1)
  const url = new URL(process.env.DATABASE_URL)
  url.pathname = `/${name}`
  env.HAVEN_OWNER_DATABASE_URL = url.toString()
  url.username = 'haven_app'
  url.password = ''
  env.DATABASE_URL = url.toString()
  cleanup = () => psql(`drop database if exists ${name} with (force)`)
} else {
  const dir = mkdtempSync(path.join(tmpdir(), 'haven-e2e-'))
  env.HAVEN_DATA_DIR = path.join(dir, 'data')
  cleanup = () => rmSync(dir, { recursive: true, force: true })
}

const mailLog = process.env.E2E_MAIL_LOG
if (mailLog) writeFileSync(mailLog, '')

const buildDir = process.env.HAVEN_BUILD_DIR ? path.resolve(process.env.HAVEN_BUILD_DIR) : path.join(root, '.output')
const server = spawn(process.execPath, [path.join(buildDir, 'server/index.mjs')], {
  cwd: root,
  env,
  // The IPC channel ties the server to this launcher: killed without a chance to stop it (SIGKILL), the launcher
  // does not leave it holding the port (app/server/boot.server.ts stops when the channel closes).
  stdio: ['inherit', 'pipe', 'inherit', 'ipc'],
})
createInterface({ input: server.stdout, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
  process.stdout.write(`${line}\n`)
  if (mailLog && line.includes('[haven] password reset link')) appendFileSync(mailLog, `${line}\n`)
})
let stopping = false
const stop = (signal) => {
  if (stopping) return
  stopping = true
  server.kill(signal)
}
process.on('SIGINT', () => stop('SIGINT'))
process.on('SIGTERM', () => stop('SIGTERM'))
server.on('exit', (code) => {
  cleanup()
  if (mailLog) rmSync(mailLog, { force: true })
  // Root's authenticator key from the console-setup project (playwright.config.ts), its dispenser's last step and
  // the stored console sessions beside it (tests/e2e/totp.ts).
  const totpFile = process.env.E2E_TOTP_FILE
  if (totpFile) {
    for (const name of readdirSync(path.dirname(totpFile))) {
      if (name.startsWith(path.basename(totpFile))) rmSync(path.join(path.dirname(totpFile), name), { force: true, recursive: true })
    }
  }
  process.exit(code ?? 0)
})
