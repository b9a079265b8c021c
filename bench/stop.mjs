// How `npm start` stops: for each way a person (or a supervisor) stops it, the time from the signal until the port
// is free and until every process of the tree (npm, its shell, scripts/start.mjs, the server, a pipe's reader) is
// gone, and what is still running after STOP_LIMIT_S seconds (then killed, so a run leaves nothing behind).
// Runs the current build (`npm start` builds first when the sources are newer) on a fresh embedded database in a
// temporary folder, on PORT (3210 unless set). Linux only: it reads the process tree from /proc.
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const port = Number(process.env.PORT ?? 3210)
const limitMs = Number(process.env.STOP_LIMIT_S ?? 40) * 1000
const dir = mkdtempSync(path.join(tmpdir(), 'haven-stop-'))
const env = {
  ...process.env,
  PORT: String(port),
  HAVEN_ROOT_DOMAIN: `localhost:${port}`,
  HAVEN_DATA_DIR: path.join(dir, 'data'),
  HAVEN_LOG_LEVEL: 'warn',
}

/** Every process of the machine as pid → { ppid, state, cmd }. */
function processes() {
  const all = new Map()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim()
      all.set(Number(name), { ppid: Number(ppid), state, cmd })
    } catch {}
  }
  return all
}

function tree(pid) {
  const all = processes()
  const found = [pid]
  for (let i = 0; i < found.length; i++) for (const [child, p] of all) if (p.ppid === found[i]) found.push(child)
  return found.map((p) => ({ pid: p, cmd: all.get(p)?.cmd ?? '?' }))
}

const running = (pid) => {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')
  } catch {
    return false
  }
}

const listening = () =>
  new Promise((resolve) => {
    const socket = net.connect({ port, host: 'localhost' })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** Starts `command` in a process group of its own (as a terminal's foreground job) and waits until Haven says it runs. */
async function launch(command, early) {
  // Stopped early: on a database of its own, while the server migrates and seeds it (as on a first `npm start`).
  const runEnv = early ? { ...env, HAVEN_DATA_DIR: path.join(dir, `early-${Date.now()}`) } : env
  const child = spawn('sh', ['-c', command], { cwd: root, env: runEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const collect = (chunk) => {
    output += chunk
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  const started = Date.now()
  while (!(early ? output.includes('Listening on') : output.includes('Haven is running'))) {
    if (child.exitCode !== null || Date.now() - started > 180_000) throw new Error(`Haven did not start:\n${output}`)
    await sleep(100)
  }
  while (!(await listening())) await sleep(50)
  return { child, output: () => output }
}

/** A browser's traffic before the stop: pages on a kept-alive connection that stays open. */
async function browse(agent) {
  for (const path of ['/', '/sign-in', '/no-such-page']) {
    await new Promise((resolve, reject) => {
      const r = http.get({ host: 'localhost', port, path, agent, headers: { host: `acme.localhost:${port}` } }, (res) => {
        res.resume()
        res.on('end', resolve)
      })
      r.on('error', reject)
    })
  }
}

async function measure(name, command, stop, early = false) {
  const { child, output } = await launch(command, early)
  const agent = new http.Agent({ keepAlive: true })
  if (!early) await browse(agent)
  const procs = tree(child.pid)
  const t0 = performance.now()
  stop(child)
  let portFree
  let allGone
  while (performance.now() - t0 < limitMs) {
    if (portFree === undefined && !(await listening())) portFree = performance.now() - t0
    if (allGone === undefined && procs.every((p) => !running(p.pid))) allGone = performance.now() - t0
    if (portFree !== undefined && allGone !== undefined) break
    await sleep(20)
  }
  agent.destroy()
  const left = procs.filter((p) => running(p.pid))
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL')
    } catch {}
  }
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {}
  const s = (ms) => (ms === undefined ? `> ${limitMs / 1000} s` : `${(ms / 1000).toFixed(2)} s`)
  console.log(`${name.padEnd(44)} port free ${s(portFree).padStart(9)}   all processes gone ${s(allGone).padStart(9)}`)
  for (const p of left) console.log(`    still running, killed: ${p.pid} ${p.cmd.slice(0, 100)}`)
  if (process.env.STOP_VERBOSE) console.log(output().split('\n').slice(-8).join('\n'))
  // The data folder is one process's at a time: wait until nothing of this run holds it.
  while (tree(child.pid).length > 1 && running(child.pid)) await sleep(50)
}

const scenarios = [
  ['kill -TERM <npm pid>', 'exec npm start', (c) => process.kill(c.pid, 'SIGTERM')],
  ['Ctrl-C (SIGINT to the foreground job)', 'exec npm start', (c) => process.kill(-c.pid, 'SIGINT')],
  ['Ctrl-C on `npm start | tee log`', `npm start | tee ${path.join(dir, 'log')}`, (c) => process.kill(-c.pid, 'SIGINT')],
  ['terminal closed (SIGHUP to the job)', 'exec npm start', (c) => process.kill(-c.pid, 'SIGHUP')],
  ['npm killed (kill -KILL <npm pid>)', 'exec npm start', (c) => process.kill(c.pid, 'SIGKILL')],
  ['Ctrl-C on `npm start | tee log` while seeding', `npm start | tee ${path.join(dir, 'log')}`, (c) => process.kill(-c.pid, 'SIGINT'), true],
]

try {
  for (const [name, command, stop, early] of scenarios) {
    if (process.argv[2] && !name.includes(process.argv[2])) continue
    await measure(name, command, stop, early)
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
