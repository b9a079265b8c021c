/**
 * The baseline of `npm run bench:server`: a bare `node:http` handler that answers the users list with the same
 * SQL the app sends — the session check (session by token, its user, not expired, active) and the page, the total
 * and the page's roles, each naming the tenant — with no framework, no RLS and no transaction. On PostgreSQL it
 * uses postgres.js (prepared statements, as the owner); on the embedded database PGlite in this process.
 *
 * Env: BARE_PORT, BARE_TENANT, BARE_SECRET (the better-auth secret, to check the cookie's signature), and
 * DATABASE_URL or HAVEN_DATA_DIR. Prints "bare handler ready" when it listens.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import http from 'node:http'
import { parseCookies } from 'better-auth/cookies'

const port = Number(process.env.BARE_PORT)
const tenant = process.env.BARE_TENANT ?? ''
const secret = process.env.BARE_SECRET ?? ''
const PAGE = 25

type Query = (text: string, params: unknown[]) => Promise<Record<string, unknown>[]>

async function connect(): Promise<Query> {
  if (process.env.DATABASE_URL) {
    const { default: postgres } = await import('postgres')
    const sql = postgres(process.env.DATABASE_URL, { max: 10, onnotice: () => {} })
    return (text, params) => sql.unsafe(text, params as never[], { prepare: true }) as unknown as Promise<Record<string, unknown>[]>
  }
  const { createPglite } = await import('../app/server/db/client.server')
  const db = await createPglite(process.env.HAVEN_DATA_DIR)
  return async (text, params) => (await db.query<Record<string, unknown>>(text, params)).rows
}

function token(cookieHeader: string | undefined): string | null {
  const value = cookieHeader ? parseCookies(cookieHeader).get('haven.session_token') : undefined
  if (!value) return null
  const dot = value.lastIndexOf('.')
  const [raw, signature] = [value.slice(0, dot), value.slice(dot + 1)]
  const expected = createHmac('sha256', secret).update(raw).digest()
  const given = Buffer.from(signature, 'base64')
  return given.length === expected.length && timingSafeEqual(given, expected) ? raw : null
}

const query = await connect()
const server = http.createServer(async (req, res) => {
  try {
    const t = token(req.headers.cookie)
    const [session] = t
      ? await query(
          `select s.user_id from sessions s join users u on u.tenant_id = s.tenant_id and u.id = s.user_id
           where s.tenant_id = $1 and s.token = $2 and s.expires_at > now() and u.is_active and not u.is_deleted`,
          [tenant, t],
        )
      : []
    if (!session) {
      res.writeHead(401).end()
      return
    }
    const [rows, total] = await Promise.all([
      query(
        `select id, email, full_name, is_active, metadata, last_sign_in_at, created_at from users
         where tenant_id = $1 and not is_deleted order by full_name, id limit $2`,
        [tenant, PAGE + 1],
      ),
      query('select count(*)::int as n from users where tenant_id = $1 and not is_deleted', [tenant]),
    ])
    const ids = rows.slice(0, PAGE).map((r) => r.id)
    const roles = await query(
      `select ur.user_id, r.id, r.name from user_roles ur join roles r on r.tenant_id = ur.tenant_id and r.id = ur.role_id and not r.is_deleted
       where ur.tenant_id = $1 and ur.user_id = any($2::uuid[]) order by r.name`,
      [tenant, ids],
    )
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ items: rows.slice(0, PAGE), total: total[0]?.n, roles }))
  } catch (error) {
    res.writeHead(500).end(String(error))
  }
})
server.listen(port, '127.0.0.1', () => console.log('bare handler ready'))
process.on('SIGTERM', () => server.close(() => process.exit(0)))
