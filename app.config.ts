import { z } from 'zod'

/**
 * Haven's typed configuration: environment variables in, validated settings out.
 * A bad value stops start-up with a message that names the variable.
 */
const schema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  HAVEN_OWNER_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  HAVEN_DATA_DIR: z.string().min(1).default('.data'),
  HAVEN_ROOT_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+(:\d+)?$/, 'must be a host name with an optional port, e.g. localhost:3000')
    .optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HAVEN_PROTOCOL: z.enum(['http', 'https']).optional(),
  BETTER_AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  HAVEN_CONTEXT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  HAVEN_DEMO_PASSWORD: z.string().min(8, 'must be at least 8 characters').default('demo-password'),
  HAVEN_SEED: z.enum(['auto', 'never']).optional(),
  HAVEN_TRUSTED_PROXY: z.enum(['0', '1', 'true', 'false']).default('0'),
  HAVEN_DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  HAVEN_DB_CONNECT_TIMEOUT: z.coerce.number().int().min(1).max(60).default(5),
  HAVEN_AUDIT_SEAL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(5),
  HAVEN_AUDIT_RETENTION_MINUTES: z.coerce.number().int().min(0).max(10_080).default(60),
  /** The largest request body accepted, in bytes (server-function calls are small JSON); larger is a 413. */
  HAVEN_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(1024 * 1024),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
})

export type AppConfig = ReturnType<typeof loadConfig>

/** Secret used when none is configured outside production; production refuses to start without one. */
const DEVELOPMENT_SECRET = 'haven-development-secret-do-not-use-in-production'

export function loadConfig(env: Record<string, string | undefined> = process.env) {
  const parsed = schema.safeParse(env)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`)
  }
  const e = parsed.data
  const production = e.NODE_ENV === 'production'
  if (production && !e.BETTER_AUTH_SECRET) {
    throw new Error('Invalid configuration:\n  BETTER_AUTH_SECRET: required in production (32+ characters)')
  }
  const rootDomain = e.HAVEN_ROOT_DOMAIN ?? `localhost:${e.PORT}`
  return {
    database: e.DATABASE_URL
      ? { driver: 'postgres' as const, url: e.DATABASE_URL, ownerUrl: e.HAVEN_OWNER_DATABASE_URL ?? e.DATABASE_URL }
      : { driver: 'pglite' as const, dataDir: e.HAVEN_DATA_DIR },
    poolMax: e.HAVEN_DB_POOL_MAX,
    dbConnectTimeoutSeconds: e.HAVEN_DB_CONNECT_TIMEOUT,
    auditSealSeconds: e.HAVEN_AUDIT_SEAL_SECONDS,
    auditRetentionMinutes: e.HAVEN_AUDIT_RETENTION_MINUTES,
    maxBodyBytes: e.HAVEN_MAX_BODY_BYTES,
    rootDomain,
    port: e.PORT,
    protocol: e.HAVEN_PROTOCOL ?? (production ? 'https' : 'http'),
    authSecret: e.BETTER_AUTH_SECRET ?? DEVELOPMENT_SECRET,
    // Signs each request's database context (docs/decisions/009); derived from the auth secret unless set apart.
    contextSecret: e.HAVEN_CONTEXT_SECRET ?? e.BETTER_AUTH_SECRET ?? DEVELOPMENT_SECRET,
    demoPassword: e.HAVEN_DEMO_PASSWORD,
    // The demo (with its well-known password) is never seeded in production unless asked for explicitly.
    seed: e.HAVEN_SEED ?? (production ? 'never' : 'auto'),
    trustedProxy: e.HAVEN_TRUSTED_PROXY === '1' || e.HAVEN_TRUSTED_PROXY === 'true',
    production,
  }
}

let cached: AppConfig | undefined
export function config(): AppConfig {
  cached ??= loadConfig()
  return cached
}
