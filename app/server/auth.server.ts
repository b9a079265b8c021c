import { drizzleAdapter } from 'better-auth/adapters/drizzle'
import { type BetterAuthOptions, betterAuth } from 'better-auth'
import { APIError, createAuthEndpoint } from 'better-auth/api'
import { setSessionCookie } from 'better-auth/cookies'
import { tanstackStartCookies } from 'better-auth/tanstack-start'
import { and, eq } from 'drizzle-orm'
import { z } from 'zod'
import { config } from '../../app.config'
import { accounts, sessions, users, verifications } from './db/schema'
import { currentScope } from './db/scope.server'
import { ofTenant } from './db/tenant.server'

/**
 * The adapter's database handle resolves, on every call, to the transaction of the scope the request is in and
 * throws outside one. So every lookup better-auth makes runs under RLS for the request's tenant: it can only ever
 * find users of the tenant whose Host the request arrived on, and `unique (tenant_id, email)` replaces a global
 * unique email.
 */
const scopedDb = new Proxy(
  {},
  {
    get(_target, property) {
      const { tx } = currentScope()
      const value = Reflect.get(tx, property, tx)
      return typeof value === 'function' ? value.bind(tx) : value
    },
  },
)

const tenantField = { tenantId: { type: 'string', required: false, input: false, fieldName: 'tenantId' } } as const

/** Transactions in which the session read removed an impersonation session that had run out. */
const expiredImpersonations = new WeakSet<object>()

/** Whether reading the session in `tx` found (and removed) an impersonation session past its end. */
export function removedExpiredImpersonation(tx: object): boolean {
  return expiredImpersonations.has(tx)
}

/** The joins better-auth asks for (`<joined>` < `<base>`): which field of the base row the joined rows match on. */
const JOINS: Record<string, { from: string; to: string; many: boolean }> = {
  'user<session': { from: 'userId', to: 'id', many: false },
  'user<account': { from: 'userId', to: 'id', many: false },
  'account<user': { from: 'id', to: 'userId', many: true },
}

function scopeTenant(): string {
  const { tenantId } = currentScope()
  if (!tenantId) throw new APIError('FORBIDDEN', { message: 'No tenant in scope' })
  return tenantId
}

/**
 * Creates a session (and its host-only cookie) for a user whose identity the caller has already established: a
 * console sign-in after its TOTP code, or an impersonation handoff. Server-only (the HTTP handler is not mounted);
 * an impersonation session carries its superuser and reason and expires at the time granted.
 */
function havenSessions() {
  return {
    id: 'haven-sessions',
    endpoints: {
      createHavenSession: createAuthEndpoint(
        '/haven/create-session',
        {
          method: 'POST',
          body: z.object({
            userId: z.string(),
            impersonatorId: z.string().optional(),
            impersonationReason: z.string().optional(),
            impersonatorName: z.string().optional(),
            expiresInSeconds: z.number().int().positive().optional(),
          }),
          metadata: { SERVER_ONLY: true },
        },
        async (ctx) => {
          const { userId, impersonatorId, impersonationReason, impersonatorName, expiresInSeconds } = ctx.body
          const user = await ctx.context.internalAdapter.findUserById(userId)
          if (!user) throw new APIError('UNAUTHORIZED', { message: 'No such user' })
          const override = impersonatorId
            ? { impersonatorId, impersonationReason, impersonatorName, expiresAt: new Date(Date.now() + (expiresInSeconds ?? 1800) * 1000) }
            : {}
          // overrideAll: without it the impersonation's expiry would be replaced by the one-day default.
          const session = await ctx.context.internalAdapter.createSession(userId, Boolean(impersonatorId), override, Boolean(impersonatorId))
          if (!session) throw new APIError('INTERNAL_SERVER_ERROR', { message: 'Could not create a session' })
          if (!impersonatorId) {
            await setSessionCookie(ctx, { session, user }, false)
            return ctx.json({ sessionId: session.id as string })
          }
          // The impersonation's cookies last exactly as long as it does (the server ends it on time), not a week.
          // dont_remember keeps better-auth from ever refreshing the session, which would set a 7-day cookie again.
          const maxAge = Math.max(0, Math.floor((new Date(session.expiresAt).getTime() - Date.now()) / 1000))
          await setSessionCookie(ctx, { session, user }, false, { maxAge })
          const { dontRememberToken } = ctx.context.authCookies
          await ctx.setSignedCookie(dontRememberToken.name, 'true', ctx.context.secret, { ...dontRememberToken.attributes, maxAge })
          return ctx.json({ sessionId: session.id as string })
        },
      ),
    },
  } as const
}

function createAuth() {
  const cfg = config()
  const baseAdapter = drizzleAdapter(scopedDb, {
    provider: 'pg',
    schema: { users, sessions, accounts, verifications },
    usePlural: true,
  })
  return betterAuth({
    appName: 'Haven',
    secret: cfg.authSecret,
    baseURL: {
      allowedHosts: [cfg.rootDomain, `*.${cfg.rootDomain}`],
      protocol: cfg.protocol,
      // For calls made outside an HTTP request (start-up jobs, tests); requests use their own Host.
      fallback: `${cfg.protocol}://${cfg.rootDomain}`,
    },
    // Every lookup and write better-auth makes names the scope's tenant (ARCHITECTURE.md rule 10) besides RLS, and
    // a soft-deleted user keeps its email until it is reused, so lookups of users see live users only; the adapter
    // is wrapped rather than the policy changed (policies stay about the tenant alone).
    database: (options: BetterAuthOptions) => {
      const adapter = baseAdapter(options)
      const { consumeOne } = adapter
      type Where = { field: string; value: unknown }[]
      type Row = Record<string, unknown>
      const scoped = <T extends { model: string; where?: Where }>(args: T, live = false): T => {
        const where: Where = [...(args.where ?? []), { field: 'tenantId', value: scopeTenant() }]
        if (live && args.model === 'user') where.push({ field: 'isDeleted', value: false })
        return { ...args, where }
      }
      // better-auth reads a joined model (the user of a session) with the adapter it wraps, past this one; the
      // joins it asks for are resolved here instead, each read naming the tenant. An unknown join throws rather
      // than reading unscoped.
      const withJoins = async (row: Row | null, base: string, join: Record<string, unknown> | undefined) => {
        if (!row || !join) return row
        const out: Row = { ...row }
        for (const [model, wanted] of Object.entries(join)) {
          if (!wanted) continue
          const how = JOINS[`${model}<${base}`]
          if (!how) throw new Error(`better-auth asked for an unknown join: ${model} of ${base}`)
          const value = row[how.from] as string | null | undefined
          const where = scoped({ model, where: [{ field: how.to, value: value ?? null }] })
          if (value == null) out[model] = how.many ? [] : null
          else out[model] = how.many ? await adapter.findMany({ ...where, limit: 100 }) : await adapter.findOne(where)
        }
        return out
      }
      const wrapped: typeof adapter = {
        ...adapter,
        findOne: async (args) => {
          const { join, ...rest } = args
          return withJoins(await adapter.findOne<Row>(scoped(rest, true)), args.model, join) as never
        },
        findMany: async (args) => {
          const { join, ...rest } = args
          const rows: (Row | null)[] = []
          for (const row of await adapter.findMany<Row>(scoped(rest, true))) rows.push(await withJoins(row, args.model, join))
          return rows as never
        },
        count: (args) => adapter.count(scoped(args)),
        update: (args) => adapter.update(scoped(args)),
        updateMany: (args) => adapter.updateMany(scoped(args)),
        delete: (args) => adapter.delete(scoped(args)),
        deleteMany: (args) => adapter.deleteMany(scoped(args)),
        // The request's scope is the transaction: better-auth's own "transactions" get this adapter, not the one
        // it wraps (whose reads would not name the tenant).
        transaction: (work) => work(wrapped),
        // The adapter's own consumeOne deletes by id alone around a sub-select; this claims the row in two
        // statements that both name the tenant: only the one whose delete removed the row gets it.
        ...(consumeOne
          ? {
              consumeOne: async <T>(args: Parameters<typeof consumeOne>[0]) => {
                const target = await adapter.findOne<T & { id: string }>(scoped(args))
                if (!target) return null
                const claimed = await adapter.deleteMany(scoped({ model: args.model, where: [{ field: 'id', value: target.id }] }))
                return claimed > 0 ? target : null
              },
            }
          : {}),
      }
      return wrapped
    },
    user: {
      fields: { name: 'fullName' },
      additionalFields: {
        ...tenantField,
        isActive: { type: 'boolean', required: false, input: false },
        isDeleted: { type: 'boolean', required: false, input: false },
        isSuperuser: { type: 'boolean', required: false, input: false },
        preferences: { type: 'json', required: false, input: false },
      },
    },
    session: {
      additionalFields: {
        ...tenantField,
        impersonatorId: { type: 'string', required: false, input: false },
        impersonationReason: { type: 'string', required: false, input: false },
        impersonatorName: { type: 'string', required: false, input: false },
      },
      expiresIn: 60 * 60 * 24 * 7,
      updateAge: 60 * 60 * 24,
      // No cookie cache: every request reads the session row, so a deactivated user or a revoked session stops
      // working at once.
      cookieCache: { enabled: false },
    },
    account: { additionalFields: tenantField },
    verification: { additionalFields: tenantField },
    emailAndPassword: {
      enabled: true,
      disableSignUp: true,
      minPasswordLength: 8,
      maxPasswordLength: 256,
      revokeSessionsOnPasswordReset: true,
      // Reset links are issued by features/auth/auth.server.ts (issueResetLink, off the request path); better-auth's
      // resetPassword redeems them.
    },
    rateLimit: { enabled: false },
    advanced: {
      cookiePrefix: 'haven',
      useSecureCookies: cfg.protocol === 'https',
      defaultCookieAttributes: { sameSite: 'lax', httpOnly: true },
      database: { generateId: 'uuid' },
    },
    databaseHooks: {
      user: { create: { before: async (user) => ({ data: { ...user, tenantId: scopeTenant() } }) } },
      session: {
        create: {
          // After the password checked out and before a session exists: a deactivated person gets no session (and
          // no cookie). Deleted users are never found in the first place (liveOnly).
          before: async (session) => {
            const { tx } = currentScope()
            const [user] = await tx.select({ isActive: users.isActive }).from(users).where(and(ofTenant(users), eq(users.id, session.userId)))
            if (!user?.isActive) {
              throw new APIError('FORBIDDEN', { message: 'This account is deactivated. Ask an administrator of this workspace to reactivate it.' })
            }
            return { data: { ...session, tenantId: scopeTenant() } }
          },
        },
        delete: {
          after: async (session) => {
            const ended = session as { impersonatorId?: string | null; expiresAt: Date | string }
            if (ended.impersonatorId && new Date(ended.expiresAt).getTime() <= Date.now()) expiredImpersonations.add(currentScope().tx)
          },
        },
      },
      account: { create: { before: async (account) => ({ data: { ...account, tenantId: scopeTenant() } }) } },
      verification: { create: { before: async (v) => ({ data: { ...v, tenantId: scopeTenant() } }) } },
    },
    telemetry: { enabled: false },
    plugins: [havenSessions(), tanstackStartCookies()],
  })
}

type Auth = ReturnType<typeof createAuth>
let instance: Auth | undefined
export function auth(): Auth {
  instance ??= createAuth()
  return instance
}
