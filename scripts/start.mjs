// `npm start`: build once (or when the sources are newer than the build), then run the server on the embedded
// database unless DATABASE_URL is set. The server migrates, seeds the demo when empty and prints where to sign in.
// It listens on localhost only unless HOST says otherwise (HOST=0.0.0.0 for every interface).
import { spawnSync, spawn } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const built = path.join(root, '.output/server/index.mjs')

function newest(dir) {
  let max = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    max = Math.max(max, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs)
  }
  return max
}

const sourcesChanged = () => {
  const buildTime = statSync(built).mtimeMs
  return ['app', 'public'].some((d) => newest(path.join(root, d)) > buildTime) || statSync(path.join(root, 'vite.config.ts')).mtimeMs > buildTime
}

if (!existsSync(built) || sourcesChanged()) {
  console.log('Building Haven (once; about 10 seconds)…')
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
    // Warnings only from the server bundler's dependency tracing, as from the rest of the build.
    env: { ...process.env, CONSOLA_LEVEL: process.env.CONSOLA_LEVEL ?? '1' },
  })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

const env = { ...process.env, HOST: process.env.NITRO_HOST || process.env.HOST || 'localhost' }
// The IPC channel is the server's lifeline: if this process dies without passing a signal on (SIGKILL), the channel
// closes and the server shuts itself down (app/server/boot.server.ts) instead of holding the port and the data folder.
const server = spawn(process.execPath, [built], { cwd: root, stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env })
// Ctrl-C reaches every process of the pipeline (`npm start | tee log`), tee too: once it is gone, a write to the
// pipe fails with EPIPE, which must not keep this process (or the server) from stopping.
process.stdout.on('error', () => {})

// One Ctrl-C arrives more than once: from the terminal (to the whole job: npm, this process and the server) and
// again from npm, which forwards it. Signals within a second are that one request: the server is asked to stop once
// (it bounds its own shutdown). A signal after that second is someone insisting: kill it now.
let stopAsked = 0
function stop(signal, insist = true) {
  if (stopAsked === 0) {
    stopAsked = Date.now()
    server.kill(signal)
  } else if (insist && Date.now() - stopAsked > 1_000) {
    server.kill('SIGKILL')
  }
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(signal === 'SIGHUP' ? 'SIGTERM' : signal))
// npm runs this script through a shell, and forwards a signal to that shell only; `exec` in package.json makes the
// shell become this process, so `kill <npm pid>` arrives here. When the parent is gone all the same (npm killed,
// or started without `exec`), this process has been orphaned: notice, and stop.
const parent = process.ppid
const orphaned = setInterval(() => {
  if (process.ppid === parent) return
  clearInterval(orphaned)
  stop('SIGTERM', false)
}, 200)
orphaned.unref()
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
