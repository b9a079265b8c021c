// Builds the server (`vite build`) unless the build folder was built from exactly the current sources: a second
// `npm run test:e2e` (CI runs the suite on both databases) or a re-run after a test-only change skips the ~1–2 min
// build. The fingerprint is a SHA-256 over every tracked or untracked (not ignored) file the build reads.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const buildDir = path.resolve(root, process.env.HAVEN_BUILD_DIR ?? '.output')
const stamp = path.join(buildDir, '.source-hash')
const inputs = ['app', 'public', 'drizzle', 'vite.config.ts', 'app.config.ts', 'tsconfig.json', 'package.json', 'package-lock.json']

const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...inputs], { cwd: root, encoding: 'utf8' })
let fingerprint = null
if (listed.status === 0) {
  const hash = createHash('sha256')
  for (const file of listed.stdout.split('\0').filter(Boolean).sort()) {
    const full = path.join(root, file)
    if (!existsSync(full)) continue // deleted but still in the index
    hash.update(`${file}\0`).update(readFileSync(full)).update('\0')
  }
  fingerprint = hash.digest('hex')
}

if (fingerprint && existsSync(stamp) && readFileSync(stamp, 'utf8') === fingerprint) {
  console.log(`build: ${path.relative(root, buildDir)} is current, not rebuilding`)
  process.exit(0)
}
const built = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' })
if (built.status !== 0) process.exit(built.status ?? 1)
if (fingerprint) writeFileSync(stamp, fingerprint)
