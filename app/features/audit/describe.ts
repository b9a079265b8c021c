/**
 * Audit events in words a person reads, and their field-level diffs. Client-safe and free of server imports, so
 * the viewer, the per-record History tabs and (later) the console render events the same way.
 */
import diff from 'microdiff'
import type { AuditAction } from '~/lib/enums'
import { PERMISSIONS } from '~/lib/permissions'

type Json = string | number | boolean | null | Json[] | { [key: string]: Json }
export type JsonRow = { [key: string]: Json }

/** A person or a record named by an event, resolved when the page was read. `gone`: no longer exists. */
export type NameEntry = { name: string; email?: string | null; gone?: boolean; deleted?: boolean }
export type Names = Record<string, NameEntry>

export type DescribableEvent = {
  action: AuditAction
  tableName: string
  recordId: string | null
  oldValues: JsonRow | null
  newValues: JsonRow | null
}

/** What each table's rows are called, and which column names one. */
const ENTITIES: Record<string, { noun: string; label?: (row: JsonRow) => string | undefined }> = {
  users: { noun: 'person', label: (r) => str(r.full_name) ?? str(r.email) },
  roles: { noun: 'role', label: (r) => str(r.name) },
  organizations: { noun: 'organization', label: (r) => str(r.name) },
  teams: { noun: 'team', label: (r) => str(r.name) },
  categories: { noun: 'category', label: (r) => str(r.name) },
  invitations: { noun: 'invitation', label: (r) => str(r.email) },
  tenants: { noun: 'workspace', label: (r) => str(r.name) },
  sessions: { noun: 'session' },
  accounts: { noun: 'sign-in method' },
  verifications: { noun: 'verification code' },
  user_roles: { noun: 'role assignment' },
  user_team_links: { noun: 'team membership' },
  role_permissions: { noun: 'permission grant' },
  audit_log: { noun: 'audit log' },
}

export const ENTITY_LABELS: Record<string, string> = {
  users: 'People',
  roles: 'Roles',
  user_roles: 'Role assignments',
  role_permissions: 'Role permissions',
  organizations: 'Organizations',
  teams: 'Teams',
  user_team_links: 'Team memberships',
  categories: 'Categories',
  invitations: 'Invitations',
  sessions: 'Sessions',
  accounts: 'Sign-in methods',
  verifications: 'Verification codes',
  tenants: 'Workspace',
  audit_log: 'Audit log',
}

export const ACTION_LABELS: Record<AuditAction, string> = {
  CREATE: 'Created',
  UPDATE: 'Changed',
  DELETE: 'Removed',
  SIGN_IN: 'Signed in',
  SIGN_IN_FAILED: 'Sign-in failed',
  SIGN_OUT: 'Signed out',
  PASSWORD_CHANGED: 'Password changed',
  PASSWORD_RESET_REQUESTED: 'Password reset requested',
  INVITATION_ACCEPTED: 'Invitation accepted',
  IMPERSONATION_STARTED: 'Impersonation started',
  IMPERSONATION_ENDED: 'Impersonation ended',
  CONSOLE_ACCESS: 'Console access',
  EXPORT: 'Audit log exported',
  RETENTION: 'Old events removed',
}

/** Human names of columns; columns not listed are shown with underscores turned into spaces. */
const FIELD_LABELS: Record<string, string> = {
  full_name: 'name',
  email: 'email',
  name: 'name',
  description: 'description',
  is_active: 'active',
  is_deleted: 'in trash',
  deleted_at: 'deleted at',
  deleted_by_id: 'deleted by',
  metadata: 'details',
  preferences: 'preferences',
  parent_id: 'parent',
  position: 'position',
  organization_id: 'organization',
  team_id: 'team',
  role_id: 'role',
  user_id: 'person',
  permission_key: 'permission',
  settings: 'settings',
  plan: 'plan',
  slug: 'address',
  status: 'status',
  expires_at: 'expires at',
  invited_by_id: 'invited by',
  accepted_at: 'accepted at',
  last_sign_in_at: 'last sign-in',
  email_verified: 'email verified',
  image: 'picture',
  token: 'token',
  password: 'password',
  token_hash: 'token',
  user_agent: 'browser',
  ip_address: 'IP address',
  system_key: 'system role',
  role: 'team role',
  identifier: 'identifier',
  value: 'value',
}

/** Bookkeeping the database maintains; hidden from diffs. */
const NOISE = new Set(['updated_at', 'created_at', 'tenant_id', 'id', 'path', 'depth', 'last_sign_in_at'])

/** What a console operator did or looked at (the `action` or `view` of a CONSOLE_ACCESS event). */
const CONSOLE_WORDS: Record<string, string> = {
  provision: 'provisioned this workspace',
  suspend: 'suspended this workspace',
  reactivate: 'reactivated this workspace',
  delete: 'deleted this workspace',
  restore: 'restored this workspace',
  impersonate: 'prepared to sign in as a person',
  tenant: 'opened this workspace',
  people: 'looked through the people',
  'people-search': 'found people here in a search across workspaces',
  audit: 'read the audit log',
}

export const REDACTED = '[redacted]'

export function fieldLabel(column: string): string {
  return FIELD_LABELS[column] ?? column.replaceAll('_', ' ')
}

const str = (v: Json | undefined): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

export type FieldChange = { path: string; label: string; from: Json | undefined; to: Json | undefined; secret: boolean }

/**
 * Field-level differences of a row change (microdiff on the stored JSON). Nested JSON (metadata, settings) is
 * diffed key by key. `all`: also the unchanged fields, for the "all fields" view.
 */
export function fieldChanges(oldValues: JsonRow | null, newValues: JsonRow | null, { all = false } = {}): FieldChange[] {
  const before = oldValues ?? {}
  const after = newValues ?? {}
  const changes: FieldChange[] = []
  const changedTop = new Set<string>()
  for (const d of diff(before, after)) {
    const top = String(d.path[0])
    if (NOISE.has(top)) continue
    changedTop.add(top)
    const rest = d.path.slice(1).map(String)
    const from = d.type === 'CREATE' ? undefined : (d.oldValue as Json)
    const to = d.type === 'REMOVE' ? undefined : (d.value as Json)
    changes.push({
      path: d.path.map(String).join('.'),
      label: rest.length ? `${fieldLabel(top)} › ${rest.join(' › ')}` : fieldLabel(top),
      from,
      to,
      secret: from === REDACTED || to === REDACTED,
    })
  }
  if (all) {
    for (const key of Object.keys({ ...before, ...after })) {
      if (changedTop.has(key) || NOISE.has(key)) continue
      const value = (key in after ? after[key] : before[key]) as Json
      changes.push({ path: key, label: fieldLabel(key), from: value, to: value, secret: value === REDACTED })
    }
  }
  return changes
}

/** The top-level columns a change touched, bookkeeping excluded. */
function changedColumns(e: DescribableEvent): string[] {
  return [...new Set(fieldChanges(e.oldValues, e.newValues).map((c) => c.path.split('.')[0] ?? c.path))]
}

function nameOf(names: Names, id: Json | undefined, fallback: string): string {
  if (typeof id !== 'string') return fallback
  return names[id]?.name ?? fallback
}

function listWords(words: string[]): string {
  if (words.length <= 1) return words.join('')
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`
}

/** The entity's name from the event's own values, else from the names resolved for its id. */
export function entityName(e: DescribableEvent, names: Names): string | undefined {
  const row = e.newValues ?? e.oldValues
  const fromRow = row && e.action in ROW_ACTIONS ? ENTITIES[e.tableName]?.label?.(row) : undefined
  return fromRow ?? (e.recordId ? names[e.recordId]?.name : undefined)
}

const ROW_ACTIONS = { CREATE: true, UPDATE: true, DELETE: true }

/** One sentence, lower-case first word, no table or column names: "changed name of team Web". */
export function describeEvent(e: DescribableEvent, names: Names): string {
  const entity = ENTITIES[e.tableName]
  const noun = entity?.noun ?? 'record'
  const details = e.newValues ?? {}
  switch (e.action) {
    case 'SIGN_IN':
      return 'signed in'
    case 'SIGN_IN_FAILED': {
      const email = str(details.email)
      const why = details.reason === 'rate_limited' ? ' (too many attempts)' : ''
      return `sign-in failed${email ? ` for ${email}` : ''}${why}`
    }
    case 'SIGN_OUT':
      return 'signed out'
    case 'PASSWORD_CHANGED':
      return 'changed their password'
    case 'PASSWORD_RESET_REQUESTED':
      return `requested a password reset${str(details.email) ? ` for ${str(details.email)}` : ''}`
    case 'INVITATION_ACCEPTED':
      return 'accepted an invitation'
    case 'IMPERSONATION_STARTED':
      return `started impersonating${e.recordId ? ` ${nameOf(names, e.recordId, 'a person')}` : ''}${str(details.reason) ? ` (${str(details.reason)})` : ''}`
    case 'IMPERSONATION_ENDED':
      return details.reason === 'expired' ? 'impersonation ran out (time limit reached)' : 'impersonation stopped'
    case 'CONSOLE_ACCESS':
      return `${CONSOLE_WORDS[str(details.action) ?? str(details.view) ?? ''] ?? 'opened this workspace'} from the console${str(details.reason) ? ` (${str(details.reason)})` : ''}`
    case 'EXPORT': {
      const format = str(details.format)?.toUpperCase() ?? ''
      const what = e.tableName === 'users' ? 'the people list' : 'the audit log'
      return `exported ${what}${format ? ` as ${format}` : ''}`
    }
    case 'RETENTION': {
      const count = typeof details.events === 'number' ? details.events : 0
      const days = typeof details.retentionDays === 'number' ? details.retentionDays : undefined
      return `removed ${count.toLocaleString('en')} event${count === 1 ? '' : 's'}${days ? ` older than ${days} days` : ''} (retention)`
    }
    default:
      return describeRowChange(e, names, noun)
  }
}

function describeRowChange(e: DescribableEvent, names: Names, noun: string): string {
  const row = (e.newValues ?? e.oldValues ?? {}) as JsonRow
  const label = entityName(e, names)
  const named = label ? `${noun} ${label}` : noun
  switch (e.tableName) {
    case 'user_roles': {
      const who = nameOf(names, row.user_id, 'a person')
      const role = nameOf(names, row.role_id, 'a role')
      if (e.action === 'CREATE') return `granted role ${role} to ${who}`
      if (e.action === 'DELETE') return `took role ${role} from ${who}`
      break
    }
    case 'user_team_links': {
      const who = nameOf(names, row.user_id, 'a person')
      const team = nameOf(names, row.team_id, 'a team')
      if (e.action === 'CREATE') return `added ${who} to team ${team}${str(row.role) ? ` as ${row.role}` : ''}`
      if (e.action === 'DELETE') return `removed ${who} from team ${team}`
      if (e.oldValues?.role !== e.newValues?.role) return `changed the team role of ${who} in ${team} from ${e.oldValues?.role} to ${e.newValues?.role}`
      break
    }
    case 'role_permissions': {
      const role = nameOf(names, row.role_id, 'a role')
      const key = str(row.permission_key) ?? ''
      const what = key in PERMISSIONS ? `“${PERMISSIONS[key as keyof typeof PERMISSIONS].description}”` : key
      if (e.action === 'CREATE') return `allowed role ${role} to ${what}`
      if (e.action === 'DELETE') return `no longer allows role ${role} to ${what}`
      break
    }
    case 'sessions': {
      const who = nameOf(names, row.user_id, 'a person')
      if (e.action === 'CREATE') return `started a session for ${who}`
      if (e.action === 'DELETE') return `ended a session of ${who}`
      return `renewed a session of ${who}`
    }
    case 'accounts': {
      const who = nameOf(names, row.user_id, 'a person')
      const cols = changedColumns(e)
      if (e.action === 'UPDATE' && cols.includes('password')) return `set a new password for ${who}`
      if (e.action === 'CREATE') return `added a sign-in method for ${who}`
      if (e.action === 'DELETE') return `removed a sign-in method of ${who}`
      break
    }
    case 'verifications':
      if (e.action === 'CREATE') return 'issued a verification code'
      if (e.action === 'DELETE') return 'used up a verification code'
      break
    case 'invitations':
      if (e.action === 'CREATE') return `sent an invitation to ${label ?? 'someone'}`
      if (e.action === 'UPDATE' && e.newValues?.status === 'revoked') return `revoked the invitation to ${label ?? 'someone'}`
      if (e.action === 'UPDATE' && e.newValues?.status === 'accepted') return `marked the invitation to ${label ?? 'someone'} accepted`
      break
  }
  if (e.action === 'CREATE') return `created ${named}`
  if (e.action === 'DELETE') return `permanently deleted ${named}`
  const before = e.oldValues ?? {}
  const after = e.newValues ?? {}
  if (before.is_deleted === false && after.is_deleted === true) return `deleted ${named} (moved to the trash)`
  if (before.is_deleted === true && after.is_deleted === false) return `restored ${named} from the trash`
  const cols = changedColumns(e).filter((c) => !['deleted_at', 'deleted_by_id'].includes(c))
  if (e.tableName === 'users' && before.is_active === true && after.is_active === false) return `deactivated ${named}`
  if (e.tableName === 'users' && before.is_active === false && after.is_active === true) return `reactivated ${named}`
  if (e.tableName === 'categories' && cols.includes('parent_id')) {
    const where = (id: Json | undefined) => (typeof id === 'string' ? nameOf(names, id, 'a deleted category') : 'the top level')
    return `moved ${named} from ${where(before.parent_id)} to ${where(after.parent_id)}`
  }
  if (e.tableName === 'categories' && cols.length === 1 && cols[0] === 'position') return `reordered ${named}`
  if (cols.length === 0) return e.tableName === 'users' && before.last_sign_in_at !== after.last_sign_in_at ? `noted the sign-in time of ${label ?? 'a person'}` : `touched ${named} (no visible change)`
  const oldLabel = label && e.oldValues ? ENTITIES[e.tableName]?.label?.(e.oldValues) : undefined
  return `changed ${listWords(cols.map(fieldLabel))} of ${noun} ${oldLabel ?? label ?? ''}`.trimEnd()
}

/** Columns that hold the id of a person or record the viewer can name. */
export const REFERENCE_COLUMNS = ['user_id', 'role_id', 'team_id', 'organization_id', 'parent_id', 'deleted_by_id', 'invited_by_id']

/** The ids an event names besides its actor, so a page can resolve them all in one go. */
export function referencedIds(e: DescribableEvent): string[] {
  const ids = new Set<string>()
  if (e.recordId) ids.add(e.recordId)
  for (const row of [e.oldValues, e.newValues]) {
    if (!row) continue
    for (const key of REFERENCE_COLUMNS) {
      const v = row[key]
      if (typeof v === 'string') ids.add(v)
    }
  }
  return [...ids]
}

/** Where the record lives in the app, when it has a page. */
export function entityLink(tableName: string, recordId: string | null): { to: string; params: Record<string, string> } | undefined {
  if (!recordId) return undefined
  if (tableName === 'users') return { to: '/tenant/admin/users/$userId', params: { userId: recordId } }
  if (tableName === 'teams') return { to: '/tenant/admin/teams/$teamId', params: { teamId: recordId } }
  return undefined
}

/** A display string for a stored value; ids of people and records show their names when `names` knows them. */
export function displayValue(value: Json | undefined, secret = false, names?: Names): string {
  if (secret || value === REDACTED) return 'hidden (secret)'
  if (typeof value === 'string' && names?.[value]) return names[value].name
  if (value === undefined) return '(none)'
  if (value === null || value === '') return '(empty)'
  if (typeof value === 'boolean') return value ? 'yes' : 'no'
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}
