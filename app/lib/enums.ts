/** Values shared by the Postgres enums, zod schemas and the UI. Client-safe. */
export const TEAM_ROLES = ['owner', 'admin', 'member', 'guest'] as const
export type TeamRole = (typeof TEAM_ROLES)[number]

export const SYSTEM_ROLE_KEYS = ['owner', 'admin', 'member'] as const

export const TENANT_PLANS = ['free', 'team', 'enterprise'] as const
export type TenantPlan = (typeof TENANT_PLANS)[number]

export const INVITATION_STATUSES = ['pending', 'accepted', 'revoked'] as const
export type InvitationStatus = (typeof INVITATION_STATUSES)[number]

/** Row changes come from the triggers; the rest are domain events the app records. */
export const AUDIT_ACTIONS = [
  'CREATE',
  'UPDATE',
  'DELETE',
  'SIGN_IN',
  'SIGN_IN_FAILED',
  'SIGN_OUT',
  'PASSWORD_CHANGED',
  'PASSWORD_RESET_REQUESTED',
  'INVITATION_ACCEPTED',
  'IMPERSONATION_STARTED',
  'IMPERSONATION_ENDED',
  'CONSOLE_ACCESS',
  'EXPORT',
  'RETENTION',
] as const
export type AuditAction = (typeof AUDIT_ACTIONS)[number]

/** Subdomains that no customer tenant may take. `console` is the platform's own tenant. */
export const RESERVED_SLUGS = [
  'www', 'console', 'api', 'admin', 'app', 'auth', 'static', 'assets', 'cdn', 'mail', 'smtp', 'ftp', 'status',
  'docs', 'help', 'support', 'blog', 'billing', 'root', 'system', 'internal', 'dashboard', 'login', 'signin',
  'signup', 'haven', 'test', 'localhost',
] as const
export const CONSOLE_SLUG = 'console'

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/
