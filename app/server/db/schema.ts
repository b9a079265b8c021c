/**
 * Haven's schema. Every tenant table carries `tenant_id`, has a composite primary key `(tenant_id, id)` and
 * references other tenant tables through `(tenant_id, x_id)`, so no row can point into another tenant — foreign
 * keys ignore RLS, so isolation of references has to come from the keys themselves. RLS, grants and triggers are
 * applied uniformly by `haven_secure_table()` in the custom migrations, not here.
 *
 * Actor columns (`deleted_by_id`, `invited_by_id`, `audit_log.user_id`) are deliberately not foreign keys: the
 * actor may be a superuser who lives in the platform tenant.
 */
import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  customType,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { AUDIT_ACTIONS, INVITATION_STATUSES, SYSTEM_ROLE_KEYS, TEAM_ROLES, TENANT_PLANS } from '~/lib/enums'

/** JSON as it round-trips through JSONB (and through server-function serialization). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }
export type JsonObject = { [key: string]: JsonValue }

export const ltree = customType<{ data: string }>({ dataType: () => 'ltree' })

export const teamRole = pgEnum('team_role', TEAM_ROLES)
export const systemRoleKey = pgEnum('system_role_key', SYSTEM_ROLE_KEYS)
export const tenantPlan = pgEnum('tenant_plan', TENANT_PLANS)
export const invitationStatus = pgEnum('invitation_status', INVITATION_STATUSES)
export const auditAction = pgEnum('audit_action', AUDIT_ACTIONS)

const tz = (name: string) => timestamp(name, { withTimezone: true })

/** `updated_at` is kept by a trigger; the application never writes it. */
const timestamps = {
  createdAt: tz('created_at').notNull().defaultNow(),
  updatedAt: tz('updated_at').notNull().defaultNow(),
}

const softDelete = {
  isDeleted: boolean('is_deleted').notNull().default(false),
  deletedAt: tz('deleted_at'),
  deletedById: uuid('deleted_by_id'),
}

const tenantId = () =>
  uuid('tenant_id')
    .notNull()
    .references(() => tenants.id, { onDelete: 'cascade' })

const id = () => uuid('id').notNull().defaultRandom()

export const tenants = pgTable(
  'tenants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    isActive: boolean('is_active').notNull().default(true),
    plan: tenantPlan('plan').notNull().default('free'),
    settings: jsonb('settings').$type<TenantSettings>().notNull().default({}),
    suspendedAt: tz('suspended_at'),
    suspensionReason: text('suspension_reason'),
    ...softDelete,
    ...timestamps,
  },
  (t) => [uniqueIndex('tenants_slug_key').on(t.slug)],
)

export type TenantSettings = {
  allowImpersonation?: boolean
  /** Days audit events are kept; absent or null keeps them forever. */
  auditRetentionDays?: number | null
  /** Suspends audit retention while set. */
  auditLegalHold?: boolean
  defaultTheme?: 'system' | 'light' | 'dark'
  defaultLanguage?: string
}

export const users = pgTable(
  'users',
  {
    id: id(),
    tenantId: tenantId(),
    email: text('email').notNull(),
    fullName: text('full_name').notNull(),
    emailVerified: boolean('email_verified').notNull().default(false),
    image: text('image'),
    isActive: boolean('is_active').notNull().default(true),
    isSuperuser: boolean('is_superuser').notNull().default(false),
    lastSignInAt: tz('last_sign_in_at'),
    metadata: jsonb('metadata').$type<JsonObject>().notNull().default({}),
    preferences: jsonb('preferences').$type<UserPreferences>().notNull().default({}),
    ...softDelete,
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: 'users_pkey', columns: [t.tenantId, t.id] }),
    uniqueIndex('users_tenant_email_live_key').on(t.tenantId, t.email).where(sql`not is_deleted`),
    index('users_tenant_created_idx').on(t.tenantId, t.createdAt, t.id),
    index('users_tenant_name_idx').on(t.tenantId, t.fullName, t.id),
    index('users_tenant_email_idx').on(t.tenantId, t.email, t.id),
    index('users_metadata_gin').using('gin', sql`metadata jsonb_path_ops`),
    index('users_tenant_trash_idx').on(t.tenantId, t.deletedAt).where(sql`is_deleted`),
    index('users_search_trgm').using('gin', sql`(lower(full_name || ' ' || email)) gin_trgm_ops`),
    index('users_tenant_last_sign_in_idx').on(t.tenantId, t.lastSignInAt),
  ],
)

export type UserPreferences = {
  theme?: 'system' | 'light' | 'dark'
  language?: string
}

export const sessions = pgTable(
  'sessions',
  {
    id: id(),
    tenantId: tenantId(),
    userId: uuid('user_id').notNull(),
    token: text('token').notNull(),
    expiresAt: tz('expires_at').notNull(),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    impersonatorId: uuid('impersonator_id'),
    impersonationReason: text('impersonation_reason'),
    /** The superuser's name as the tenant's banner shows it: the tenant role cannot read the console's users. */
    impersonatorName: text('impersonator_name'),
    /** A console session's last step-up (a fresh code): it authorizes this session only, for ten minutes. */
    stepUpAt: tz('step_up_at'),
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: 'sessions_pkey', columns: [t.tenantId, t.id] }),
    uniqueIndex('sessions_tenant_token_key').on(t.tenantId, t.token),
    index('sessions_tenant_user_idx').on(t.tenantId, t.userId),
    foreignKey({ name: 'sessions_user_fk', columns: [t.tenantId, t.userId], foreignColumns: [users.tenantId, users.id] }).onDelete(
      'cascade',
    ),
  ],
)

export const accounts = pgTable(
  'accounts',
  {
    id: id(),
    tenantId: tenantId(),
    userId: uuid('user_id').notNull(),
    accountId: text('account_id').notNull(),
    providerId: text('provider_id').notNull(),
    accessToken: text('access_token'),
    refreshToken: text('refresh_token'),
    idToken: text('id_token'),
    accessTokenExpiresAt: tz('access_token_expires_at'),
    refreshTokenExpiresAt: tz('refresh_token_expires_at'),
    scope: text('scope'),
    password: text('password'),
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: 'accounts_pkey', columns: [t.tenantId, t.id] }),
    uniqueIndex('accounts_tenant_provider_account_key').on(t.tenantId, t.providerId, t.accountId),
    index('accounts_tenant_user_idx').on(t.tenantId, t.userId),
    foreignKey({ name: 'accounts_user_fk', columns: [t.tenantId, t.userId], foreignColumns: [users.tenantId, users.id] }).onDelete(
      'cascade',
    ),
  ],
)

export const verifications = pgTable(
  'verifications',
  {
    id: id(),
    tenantId: tenantId(),
    identifier: text('identifier').notNull(),
    value: text('value').notNull(),
    expiresAt: tz('expires_at').notNull(),
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: 'verifications_pkey', columns: [t.tenantId, t.id] }),
    index('verifications_tenant_identifier_idx').on(t.tenantId, t.identifier),
  ],
)

export const organizations = pgTable(
  'organizations',
  {
    id: id(),
    tenantId: tenantId(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    metadata: jsonb('metadata').$type<JsonObject>().notNull().default({}),
    ...softDelete,
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: 'organizations_pkey', columns: [t.tenantId, t.id] }),
    index('organizations_tenant_trash_idx').on(t.tenantId, t.deletedAt).where(sql`is_deleted`),
    uniqueIndex('organizations_tenant_name_live_key').on(t.tenantId, sql`lower(name)`).where(sql`not is_deleted`),
  ],
)

export const teams = pgTable(
  'teams',
  {
    id: id(),
    tenantId: tenantId(),
    organizationId: uuid('organization_id').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    ...softDelete,
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: 'teams_pkey', columns: [t.tenantId, t.id] }),
    index('teams_tenant_trash_idx').on(t.tenantId, t.deletedAt).where(sql`is_deleted`),
    uniqueIndex('teams_tenant_org_name_live_key').on(t.tenantId, t.organizationId, sql`lower(name)`).where(sql`not is_deleted`),
    foreignKey({
      name: 'teams_organization_fk',
      columns: [t.tenantId, t.organizationId],
      foreignColumns: [organizations.tenantId, organizations.id],
    }).onDelete('cascade'),
  ],
)

export const userTeamLinks = pgTable(
  'user_team_links',
  {
    id: id(),
    tenantId: tenantId(),
    userId: uuid('user_id').notNull(),
    teamId: uuid('team_id').notNull(),
    role: teamRole('role').notNull().default('member'),
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: 'user_team_links_pkey', columns: [t.tenantId, t.id] }),
    uniqueIndex('user_team_links_tenant_team_user_key').on(t.tenantId, t.teamId, t.userId),
    index('user_team_links_tenant_user_idx').on(t.tenantId, t.userId),
    foreignKey({
      name: 'user_team_links_user_fk',
      columns: [t.tenantId, t.userId],
      foreignColumns: [users.tenantId, users.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'user_team_links_team_fk',
      columns: [t.tenantId, t.teamId],
      foreignColumns: [teams.tenantId, teams.id],
    }).onDelete('cascade'),
  ],
)

/** The permission catalog, mirrored from `app/lib/permissions.ts`; global and read-only at runtime. */
export const permissions = pgTable('permissions', {
  key: text('key').primaryKey(),
  groupName: text('group_name').notNull(),
  description: text('description').notNull(),
  ...timestamps,
})

export const roles = pgTable(
  'roles',
  {
    id: id(),
    tenantId: tenantId(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    systemKey: systemRoleKey('system_key'),
    ...softDelete,
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: 'roles_pkey', columns: [t.tenantId, t.id] }),
    index('roles_tenant_trash_idx').on(t.tenantId, t.deletedAt).where(sql`is_deleted`),
    uniqueIndex('roles_tenant_name_live_key').on(t.tenantId, sql`lower(name)`).where(sql`not is_deleted`),
    uniqueIndex('roles_tenant_system_key').on(t.tenantId, t.systemKey).where(sql`system_key is not null`),
  ],
)

export const rolePermissions = pgTable(
  'role_permissions',
  {
    id: id(),
    tenantId: tenantId(),
    roleId: uuid('role_id').notNull(),
    permissionKey: text('permission_key')
      .notNull()
      .references(() => permissions.key, { onDelete: 'cascade', onUpdate: 'cascade' }),
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: 'role_permissions_pkey', columns: [t.tenantId, t.id] }),
    uniqueIndex('role_permissions_tenant_role_permission_key').on(t.tenantId, t.roleId, t.permissionKey),
    foreignKey({
      name: 'role_permissions_role_fk',
      columns: [t.tenantId, t.roleId],
      foreignColumns: [roles.tenantId, roles.id],
    }).onDelete('cascade'),
  ],
)

export const userRoles = pgTable(
  'user_roles',
  {
    id: id(),
    tenantId: tenantId(),
    userId: uuid('user_id').notNull(),
    roleId: uuid('role_id').notNull(),
    /** Who granted the role and when (null on links older than migration 0017: read coalesce(assigned_at, created_at)). */
    assignedById: uuid('assigned_by_id'),
    assignedAt: tz('assigned_at').defaultNow(),
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: 'user_roles_pkey', columns: [t.tenantId, t.id] }),
    uniqueIndex('user_roles_tenant_user_role_key').on(t.tenantId, t.userId, t.roleId),
    index('user_roles_tenant_role_idx').on(t.tenantId, t.roleId),
    foreignKey({ name: 'user_roles_user_fk', columns: [t.tenantId, t.userId], foreignColumns: [users.tenantId, users.id] }).onDelete(
      'cascade',
    ),
    foreignKey({ name: 'user_roles_role_fk', columns: [t.tenantId, t.roleId], foreignColumns: [roles.tenantId, roles.id] }).onDelete(
      'cascade',
    ),
  ],
)

/**
 * A tree: adjacency (`parent_id`) for integrity, plus a materialized ltree `path` of hex-encoded ids and `depth`,
 * both maintained by triggers, so subtrees, ancestors and counts are single indexed queries at any depth.
 */
export const categories = pgTable(
  'categories',
  {
    id: id(),
    tenantId: tenantId(),
    parentId: uuid('parent_id'),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    path: ltree('path').notNull().default(sql`''::ltree`),
    depth: integer('depth').notNull().default(0),
    position: integer('position').notNull().default(0),
    metadata: jsonb('metadata').$type<JsonObject>().notNull().default({}),
    ...softDelete,
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: 'categories_pkey', columns: [t.tenantId, t.id] }),
    foreignKey({
      name: 'categories_parent_fk',
      columns: [t.tenantId, t.parentId],
      foreignColumns: [t.tenantId, t.id],
    }).onDelete('cascade'),
    index('categories_tenant_parent_position_idx').on(t.tenantId, t.parentId, t.position, t.id),
    index('categories_tenant_trash_idx').on(t.tenantId, t.deletedAt).where(sql`is_deleted`),
    index('categories_path_gist').using('gist', t.path),
  ],
)

/**
 * Written by triggers (row changes) and by `haven_audit_event()` (domain events); the runtime roles can read it
 * under RLS but cannot insert, update, delete or truncate it directly.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: id(),
    tenantId: tenantId(),
    tableName: text('table_name').notNull(),
    recordId: uuid('record_id'),
    action: auditAction('action').notNull(),
    oldValues: jsonb('old_values').$type<JsonObject>(),
    newValues: jsonb('new_values').$type<JsonObject>(),
    userId: uuid('user_id'),
    impersonatorId: uuid('impersonator_id'),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    requestId: text('request_id'),
    chainSeq: bigint('chain_seq', { mode: 'number' }),
    chainHash: text('chain_hash'),
    // The person and the role, team or organization a link row belongs to, so a record's History can show the
    // rows that point at it (a role granted to a person, a member joining a team). Derived from the stored values,
    // never written by anyone; plain uuid columns because under RLS only leakproof comparisons use an index.
    relatedUserId: uuid('related_user_id').generatedAlwaysAs(
      sql`CASE WHEN table_name IN ('user_roles', 'user_team_links', 'accounts', 'user_mfa') THEN (coalesce(new_values, old_values) ->> 'user_id')::uuid WHEN table_name = 'sessions' THEN (new_values ->> 'userId')::uuid END`,
    ),
    relatedId: uuid('related_id').generatedAlwaysAs(
      sql`CASE table_name WHEN 'user_roles' THEN (coalesce(new_values, old_values) ->> 'role_id')::uuid WHEN 'role_permissions' THEN (coalesce(new_values, old_values) ->> 'role_id')::uuid WHEN 'user_team_links' THEN (coalesce(new_values, old_values) ->> 'team_id')::uuid WHEN 'teams' THEN (coalesce(new_values, old_values) ->> 'organization_id')::uuid END`,
    ),
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: 'audit_log_pkey', columns: [t.tenantId, t.id] }),
    index('audit_log_tenant_related_user_idx').on(t.tenantId, t.relatedUserId, t.createdAt.desc(), t.id.desc()).where(sql`related_user_id IS NOT NULL`),
    index('audit_log_tenant_related_idx').on(t.tenantId, t.relatedId, t.createdAt.desc(), t.id.desc()).where(sql`related_id IS NOT NULL`),
    index('audit_log_tenant_created_idx').on(t.tenantId, t.createdAt.desc(), t.id.desc()),
    index('audit_log_tenant_record_idx').on(t.tenantId, t.tableName, t.recordId, t.createdAt.desc()),
    index('audit_log_tenant_user_idx').on(t.tenantId, t.userId, t.createdAt.desc()),
    index('audit_log_tenant_action_idx').on(t.tenantId, t.action, t.createdAt.desc()),
    index('audit_log_tenant_table_action_idx').on(t.tenantId, t.tableName, t.action, t.createdAt.desc(), t.id.desc()),
    uniqueIndex('audit_log_tenant_chain_idx').on(t.tenantId, t.chainSeq).where(sql`chain_seq IS NOT NULL`),
    index('audit_log_tenant_unsealed_idx').on(t.tenantId, t.createdAt, t.id).where(sql`chain_seq IS NULL`),
  ],
)

/**
 * Domain events on their way into `audit_log`: `haven_audit_event()` inserts here and a BEFORE INSERT trigger writes
 * the audit row from the verified request context and keeps nothing (the table stays empty). A table rather than a
 * SECURITY DEFINER function because on Citus only a trigger on the shard may write the co-located audit shard.
 */
export const auditEventOutbox = pgTable(
  'audit_event_outbox',
  {
    tenantId: tenantId(),
    id: id(),
    action: auditAction('action').notNull(),
    tableName: text('table_name').notNull(),
    recordId: uuid('record_id'),
    details: jsonb('details').$type<JsonObject>(),
    ...timestamps,
  },
  (t) => [primaryKey({ name: 'audit_event_outbox_pkey', columns: [t.tenantId, t.id] })],
)

export const invitations = pgTable(
  'invitations',
  {
    id: id(),
    tenantId: tenantId(),
    email: text('email').notNull(),
    fullName: text('full_name').notNull().default(''),
    roleId: uuid('role_id'),
    tokenHash: text('token_hash').notNull(),
    status: invitationStatus('status').notNull().default('pending'),
    expiresAt: tz('expires_at').notNull(),
    invitedById: uuid('invited_by_id'),
    acceptedAt: tz('accepted_at'),
    acceptedUserId: uuid('accepted_user_id'),
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: 'invitations_pkey', columns: [t.tenantId, t.id] }),
    uniqueIndex('invitations_tenant_token_key').on(t.tenantId, t.tokenHash),
    uniqueIndex('invitations_tenant_email_pending_key').on(t.tenantId, t.email).where(sql`status = 'pending'`),
    index('invitations_tenant_pending_created_idx').on(t.tenantId, t.createdAt).where(sql`status = 'pending'`),
    foreignKey({ name: 'invitations_role_fk', columns: [t.tenantId, t.roleId], foreignColumns: [roles.tenantId, roles.id] }).onDelete(
      'cascade',
    ),
    foreignKey({
      name: 'invitations_accepted_user_fk',
      columns: [t.tenantId, t.acceptedUserId],
      foreignColumns: [users.tenantId, users.id],
    }).onDelete('cascade'),
  ],
)

/**
 * A console account's TOTP factor: the secret encrypted with a key derived from the auth secret (a TOTP secret must
 * be readable to check codes) and the unused recovery codes as SHA-256 hashes. A step-up belongs to its session
 * (`sessions.step_up_at`), not to the factor.
 */
export const userMfa = pgTable(
  'user_mfa',
  {
    id: id(),
    tenantId: tenantId(),
    userId: uuid('user_id').notNull(),
    secret: text('secret').notNull(),
    confirmedAt: tz('confirmed_at'),
    recoveryCodes: text('recovery_codes').array().notNull().default(sql`'{}'::text[]`),
    /** The TOTP time step of the last accepted code: a code is good once, never again within its window. */
    lastTotpStep: bigint('last_totp_step', { mode: 'number' }),
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: 'user_mfa_pkey', columns: [t.tenantId, t.id] }),
    uniqueIndex('user_mfa_tenant_user_key').on(t.tenantId, t.userId),
    foreignKey({ name: 'user_mfa_user_fk', columns: [t.tenantId, t.userId], foreignColumns: [users.tenantId, users.id] }).onDelete('cascade'),
  ],
)

/**
 * Every suffix of each live category's lowercased name, kept by triggers on `categories` (drizzle/0019): a substring
 * search is then a prefix range on (tenant_id, suffix), a leakproof comparison the planner can use under RLS, where
 * a trigram index's LIKE is not (docs/decisions/012). Derived data: not audited, never written by the app.
 */
export const categoryNameSuffixes = pgTable(
  'category_name_suffixes',
  {
    id: id(),
    tenantId: tenantId(),
    categoryId: uuid('category_id').notNull(),
    suffix: text('suffix').notNull(),
  },
  (t) => [
    primaryKey({ name: 'category_name_suffixes_pkey', columns: [t.tenantId, t.id] }),
    foreignKey({
      name: 'category_name_suffixes_category_fk',
      columns: [t.tenantId, t.categoryId],
      foreignColumns: [categories.tenantId, categories.id],
    }).onDelete('cascade'),
    index('category_name_suffixes_category_idx').on(t.tenantId, t.categoryId),
  ],
)

/**
 * Every suffix (up to 48 characters) of each person's lowercased "full name + space + email", maintained by
 * triggers (drizzle/0021): "people whose name or email contains q" is then the prefix range [q, q || U+10FFFF) on
 * (tenant_id, suffix), which is leakproof and so an index condition under forced RLS (pg_trgm's LIKE is not).
 * Derived from users, which is audited: no audit row of its own.
 */
export const userSearchSuffixes = pgTable(
  'user_search_suffixes',
  {
    id: id(),
    tenantId: tenantId(),
    userId: uuid('user_id').notNull(),
    suffix: text('suffix').notNull(),
  },
  (t) => [
    primaryKey({ name: 'user_search_suffixes_pkey', columns: [t.tenantId, t.id] }),
    foreignKey({
      name: 'user_search_suffixes_user_fk',
      columns: [t.tenantId, t.userId],
      foreignColumns: [users.tenantId, users.id],
    }).onDelete('cascade'),
    index('user_search_suffixes_search_idx').on(t.tenantId, t.suffix, t.userId),
    index('user_search_suffixes_user_idx').on(t.tenantId, t.userId, t.suffix),
  ],
)

/**
 * Each tenant's figures for the console's tenants list (drizzle/0028, docs/decisions/022): counted per tenant by the
 * server's scheduled job for the tenants whose audit log moved (and at least hourly for the 30-day windows), so the
 * list sorts and pages by any figure on an index instead of counting per request. Derived data: not audited; the
 * tenant role may only read its own row.
 */
export const tenantFigures = pgTable(
  'tenant_figures',
  {
    id: id(),
    tenantId: tenantId(),
    people: integer('people').notNull().default(0),
    active30: integer('active_30d').notNull().default(0),
    categories: integer('categories').notNull().default(0),
    events30: integer('events_30d').notNull().default(0),
    lastActivity: tz('last_activity').notNull().defaultNow(),
    refreshedAt: tz('refreshed_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'tenant_figures_pkey', columns: [t.tenantId, t.id] }),
    uniqueIndex('tenant_figures_tenant_key').on(t.tenantId),
    index('tenant_figures_people_idx').on(t.people, t.tenantId),
    index('tenant_figures_active_30d_idx').on(t.active30, t.tenantId),
    index('tenant_figures_categories_idx').on(t.categories, t.tenantId),
    index('tenant_figures_events_30d_idx').on(t.events30, t.tenantId),
    index('tenant_figures_last_activity_idx').on(t.lastActivity, t.tenantId),
    index('tenant_figures_refreshed_idx').on(t.refreshedAt, t.tenantId),
  ],
)

/** Tables that carry tenant_id, with the name their audit trigger records. */
export const TENANT_TABLES = [
  'users',
  'sessions',
  'accounts',
  'verifications',
  'organizations',
  'teams',
  'user_team_links',
  'roles',
  'role_permissions',
  'user_roles',
  'categories',
  'audit_log',
  'invitations',
  'audit_event_outbox',
  'user_mfa',
  'category_name_suffixes',
  'user_search_suffixes',
  'tenant_figures',
] as const

/**
 * Sign-in throttling buckets (per client IP and per tenant account). Global rather than per tenant because an IP
 * spans tenants; reachable only through `haven_rate_limit_*()` (SECURITY DEFINER), never directly.
 */
export const authRateLimits = pgTable('auth_rate_limits', {
  key: text('key').primaryKey(),
  windowStart: tz('window_start').notNull().defaultNow(),
  count: integer('count').notNull().default(0),
  ...timestamps,
})
