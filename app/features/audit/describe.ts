/**
 * Audit events in words a person reads, and their field-level diffs. Client-safe and free of server imports, so
 * the viewer, the per-record History tabs and the console render events the same way. Sentences and field labels
 * are message references (`msg()`, decision 020): the screen translates them into the language it shows, the
 * export into English.
 */
import diff from 'microdiff'
import type { AuditAction } from '~/lib/enums'
import { isLocale, LANGUAGE_NAMES, type MessageKey, msg } from '~/lib/i18n'
import { en } from '~/lib/i18n/en'
import { PERMISSIONS } from '~/lib/permissions'

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json }
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

/** Which column names a table's row; the noun is `auditNouns.<table>` in the catalogue. */
const ENTITIES: Record<string, { label?: (row: JsonRow) => string | undefined }> = {
  users: { label: (r) => str(r.full_name) ?? str(r.email) },
  roles: { label: (r) => systemRoleName(r.system_key) ?? str(r.name) },
  organizations: { label: (r) => str(r.name) },
  teams: { label: (r) => str(r.name) },
  categories: { label: (r) => str(r.name) },
  invitations: { label: (r) => str(r.email) },
  tenants: { label: (r) => str(r.name) },
  sessions: {},
  accounts: {},
  verifications: {},
  user_roles: {},
  user_team_links: {},
  role_permissions: {},
  user_mfa: {},
  audit_log: {},
}

/**
 * Bookkeeping the database maintains, and columns derived from others (a category's path, depth and search keys):
 * hidden from diffs and change summaries. `last_sign_in_at` is said by the sign-in event of the same request.
 */
const NOISE = new Set(['updated_at', 'created_at', 'tenant_id', 'id', 'path', 'depth', 'path_key', 'name_key', 'last_sign_in_at', 'last_totp_step'])

/** What a console operator did or looked at (the `action` or `view` of a CONSOLE_ACCESS event). */
const CONSOLE_WORDS: Record<string, keyof (typeof en)['auditConsole']> = {
  provision: 'provision',
  suspend: 'suspend',
  reactivate: 'reactivate',
  delete: 'delete',
  restore: 'restore',
  impersonate: 'impersonate',
  tenant: 'tenant',
  people: 'people',
  'people-search': 'peopleSearch',
  audit: 'audit',
}

export const REDACTED = '[redacted]'

const has = <T extends object>(o: T, key: string): key is Extract<keyof T, string> => Object.hasOwn(o, key)

/** A column's label as a message reference; a column without one is shown with underscores turned into spaces. */
export function fieldLabel(column: string): string {
  return has(en.auditFields, column) ? msg(`auditFields.${column}`) : column.replaceAll('_', ' ')
}

function noun(tableName: string): string {
  return has(en.auditNouns, tableName) ? msg(`auditNouns.${tableName}`) : msg('auditNouns.record')
}

const str = (v: Json | undefined): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

/** A system role is named by its key in the screen's language (decision 020); a custom role by its own name. */
export function systemRoleName(key: Json | undefined): string | undefined {
  return typeof key === 'string' && has(en.systemRoles, key) ? msg(`systemRoles.${key}.name`) : undefined
}

/**
 * One changed (or shown) field. `fromWords`/`toWords`: the value in words when Haven defines it (a message
 * reference, see `valueWords`); absent, the value is shown as stored.
 */
export type FieldChange = {
  path: string
  label: string
  from: Json | undefined
  to: Json | undefined
  secret: boolean
  fromWords?: string
  toWords?: string
}

type ValueWords = (typeof en)['auditValueWords']
const valueWord =
  <G extends keyof ValueWords>(group: G) =>
  (value: string): string | undefined => {
    // Catalogue keys are words: `password+totp` is `password_totp`. The key is one `has` just found in the catalogue.
    const key = value.replaceAll('+', '_')
    return has(en.auditValueWords[group], key) ? msg(`auditValueWords.${group}.${key}` as MessageKey) : undefined
  }

/**
 * Values Haven itself defines, by the key that holds them (a column, or a key in an event's details): a sign-in
 * method, an invitation's status, a team role, an export's stage, a theme. A value not listed here (typed by a
 * person, or newer than this list) is shown as stored.
 */
const VALUE_WORDS: Record<string, (value: string) => string | undefined> = {
  method: valueWord('method'),
  phase: valueWord('phase'),
  format: valueWord('format'),
  status: valueWord('status'),
  plan: valueWord('plan'),
  reason: valueWord('reason'),
  provider_id: valueWord('provider'),
  role: (v) => (has(en.teamRoles, v) ? msg(`teamRoles.${v}`) : undefined),
  system_key: systemRoleName,
  action: (v) => (has(en.auditActions, v) ? msg(`auditActions.${v}`) : undefined),
  entity: (v) => (has(en.auditEntities, v) ? msg(`auditEntities.${v}`) : undefined),
  theme: (v) => (has(en.shell.themes, v) ? msg(`shell.themes.${v}`) : undefined),
  defaultTheme: (v) => (has(en.shell.themes, v) ? msg(`shell.themes.${v}`) : undefined),
  language: (v) => (isLocale(v) ? LANGUAGE_NAMES[v] : undefined),
  defaultLanguage: (v) => (isLocale(v) ? LANGUAGE_NAMES[v] : undefined),
}

/**
 * A stored value in words when Haven defines it: yes or no for a boolean anywhere, and the values of `VALUE_WORDS`
 * under their keys — never inside a column whose keys people type (a person's details).
 */
export function valueWords(path: string[], value: Json | undefined): string | undefined {
  if (typeof value === 'boolean') return msg(value ? 'auditValues.yes' : 'auditValues.no')
  const [top = '', ...rest] = path
  const key = path.at(-1) ?? ''
  if (typeof value !== 'string' || (rest.length > 0 && OWN_KEYS.has(top)) || !has(VALUE_WORDS, key)) return undefined
  return VALUE_WORDS[key]?.(value)
}

/** Columns whose keys people type themselves (a person's, team's or category's details): shown as typed. */
const OWN_KEYS = new Set(['metadata'])

/** A field's label; inside a JSON column, "details › department", with the keys Haven defines translated. */
function pathLabel(path: string[]): string {
  const [top = '', ...rest] = path
  if (rest.length === 0) return fieldLabel(top)
  const keys = rest.map((key) => (!OWN_KEYS.has(top) && has(en.auditSubfields, key) ? msg(`auditSubfields.${key}`) : key))
  return msg('auditFields.nested', { field: fieldLabel(top), path: keys.join(' › ') })
}

const isObject = (v: Json | undefined): v is { [key: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A value's leaves below `path`: an object with keys becomes one entry per key (recursively), anything else itself. */
function leaves(value: Json | undefined, path: string[]): [string[], Json | undefined][] {
  if (isObject(value) && Object.keys(value).length > 0) return Object.entries(value).flatMap(([key, v]) => leaves(v, [...path, key]))
  return [[path, value]]
}

/** One row per leaf of a changed value: a JSON object on either side (a person's details) is shown field by field. */
function leafChanges(path: string[], from: Json | undefined, to: Json | undefined): FieldChange[] {
  const rows = new Map<string, { path: string[]; change: FieldChange }>()
  const row = (p: string[]) => {
    const key = p.join('.')
    const existing = rows.get(key)
    if (existing) return existing.change
    const created: FieldChange = { path: key, label: pathLabel(p), from: undefined, to: undefined, secret: false }
    rows.set(key, { path: p, change: created })
    return created
  }
  if (from !== undefined) for (const [p, v] of leaves(from, path)) row(p).from = v
  if (to !== undefined) for (const [p, v] of leaves(to, path)) row(p).to = v
  return [...rows.values()].map(({ path: p, change: c }) => ({
    ...c,
    secret: c.from === REDACTED || c.to === REDACTED,
    fromWords: valueWords(p, c.from),
    toWords: valueWords(p, c.to),
  }))
}

/**
 * Field-level differences of a row change (microdiff on the stored JSON). Nested JSON (metadata, settings) is
 * diffed and shown key by key, never as raw JSON. `all`: also the unchanged fields, for the "all fields" view.
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
    const from = d.type === 'CREATE' ? undefined : (d.oldValue as Json)
    const to = d.type === 'REMOVE' ? undefined : (d.value as Json)
    changes.push(...leafChanges(d.path.map(String), from, to))
  }
  if (all) {
    for (const key of Object.keys({ ...before, ...after })) {
      if (changedTop.has(key) || NOISE.has(key)) continue
      const value = (key in after ? after[key] : before[key]) as Json
      changes.push(...leafChanges([key], value, value))
    }
  }
  return changes
}

/** The top-level columns a change touched, bookkeeping excluded. */
function changedColumns(e: DescribableEvent): string[] {
  return [...new Set(fieldChanges(e.oldValues, e.newValues).map((c) => c.path.split('.')[0] ?? c.path))]
}

function nameOf(names: Names, id: Json | undefined, fallback: MessageKey): string {
  if (typeof id !== 'string') return msg(fallback)
  return names[id]?.name ?? msg(fallback)
}

/** "a", "a and b", "a, b and c" as one reference, joined in the screen's language. */
function listWords(words: string[]): string {
  const [first = '', ...rest] = words
  if (rest.length === 0) return first
  if (rest.length === 1) return msg('auditSentence.listTwo', { first, second: rest[0] ?? '' })
  return msg('auditSentence.listMore', { first, rest: listWords(rest) })
}

/** The entity's name from the event's own values, else from the names resolved for its id. */
export function entityName(e: DescribableEvent, names: Names): string | undefined {
  const row = e.newValues ?? e.oldValues
  const fromRow = row && e.action in ROW_ACTIONS ? ENTITIES[e.tableName]?.label?.(row) : undefined
  return fromRow ?? (e.recordId ? names[e.recordId]?.name : undefined)
}

const ROW_ACTIONS = { CREATE: true, UPDATE: true, DELETE: true }

const withReason = (sentence: string, reason: string | undefined) => (reason ? msg('auditSentence.withReason', { sentence, reason }) : sentence)

/**
 * One sentence as a message reference, lower-case first word, no table or column names: "changed name of team
 * Web". The actor's name goes before it on the screen.
 */
export function describeEvent(e: DescribableEvent, names: Names): string {
  const details = e.newValues ?? {}
  switch (e.action) {
    case 'SIGN_IN':
      return msg('auditSentence.signedIn')
    case 'SIGN_IN_FAILED': {
      const email = str(details.email)
      const sentence = email ? msg('auditSentence.signInFailedFor', { email }) : msg('auditSentence.signInFailed')
      if (details.reason === 'rate_limited') return msg('auditSentence.tooMany', { sentence })
      return withReason(sentence, valueWords(['reason'], details.reason))
    }
    case 'SIGN_OUT':
      return msg('auditSentence.signedOut')
    case 'PASSWORD_CHANGED':
      return msg('auditSentence.passwordChanged')
    case 'PASSWORD_RESET_REQUESTED': {
      const email = str(details.email)
      return email ? msg('auditSentence.resetRequestedFor', { email }) : msg('auditSentence.resetRequested')
    }
    case 'INVITATION_ACCEPTED':
      // Accepting signs the person in within the same request; that session's own row is folded into this event.
      return msg('auditSentence.invitationAccepted')
    case 'IMPERSONATION_STARTED': {
      const sentence = e.recordId
        ? msg('auditSentence.impersonationStartedOf', { name: nameOf(names, e.recordId, 'auditSentence.aPerson') })
        : msg('auditSentence.impersonationStarted')
      return withReason(sentence, str(details.reason))
    }
    case 'IMPERSONATION_ENDED':
      switch (details.reason) {
        case 'expired':
          return msg('auditSentence.impersonationExpired')
        case 'tenant_suspended':
          return msg('auditSentence.impersonationEndedSuspended')
        case 'tenant_deleted':
          return msg('auditSentence.impersonationEndedDeleted')
        case 'consent_withdrawn':
          return msg('auditSentence.impersonationEndedConsent')
        case 'ended_by_console':
          return msg('auditSentence.impersonationEndedConsole')
        default:
          return msg('auditSentence.impersonationStopped')
      }
    case 'CONSOLE_ACCESS': {
      const word = CONSOLE_WORDS[str(details.action) ?? str(details.view) ?? ''] ?? 'tenant'
      return withReason(msg('auditSentence.fromConsole', { what: msg(`auditConsole.${word}`) }), str(details.reason))
    }
    case 'EXPORT':
      return describeExport(e.tableName, details)
    case 'RETENTION': {
      const count = typeof details.events === 'number' ? details.events : 0
      const days = typeof details.retentionDays === 'number' ? details.retentionDays : undefined
      return days ? msg('auditSentence.removedOlder', { count, days }) : msg('auditSentence.removed', { count })
    }
    default:
      return describeRowChange(e, names)
  }
}

/**
 * An export says that it began, then what the server knows of its end: every row sent, or cancelled by the client
 * after some rows (ExportPhase in export.server.ts; `finished`, recorded before that split, meant sent). Exports
 * recorded before any of that say "exported".
 */
function describeExport(tableName: string, details: JsonRow): string {
  const what = msg(tableName === 'users' ? 'auditSentence.thePeopleList' : 'auditSentence.theAuditLog')
  const stored = str(details.format)
  if (!stored) return msg('auditSentence.exported', { what })
  const format = valueWords(['format'], stored) ?? stored
  const count = typeof details.events === 'number' ? details.events : undefined
  if (details.phase === 'started') return msg('auditSentence.exportStarted', { what, format })
  if ((details.phase === 'sent' || details.phase === 'finished') && count !== undefined) return msg('auditSentence.exportSent', { what, format, count })
  if (details.phase === 'cancelled' && count !== undefined) return msg('auditSentence.exportCancelled', { what, format, count })
  return msg('auditSentence.exportedAs', { what, format })
}

function teamRole(role: Json | undefined): string {
  return valueWords(['role'], role) ?? String(role ?? '')
}

function describeRowChange(e: DescribableEvent, names: Names): string {
  const row = (e.newValues ?? e.oldValues ?? {}) as JsonRow
  const label = entityName(e, names)
  const named = (name: string | undefined) => (name ? msg('auditSentence.named', { noun: noun(e.tableName), name }) : noun(e.tableName))
  const what = named(label)
  const who = () => nameOf(names, row.user_id, 'auditSentence.aPerson')
  const email = label ?? msg('auditSentence.someone')
  switch (e.tableName) {
    case 'user_roles': {
      const role = nameOf(names, row.role_id, 'auditSentence.aRole')
      if (e.action === 'CREATE') return msg('auditSentence.granted', { role, who: who() })
      if (e.action === 'DELETE') return msg('auditSentence.tookRole', { role, who: who() })
      break
    }
    case 'user_team_links': {
      const team = nameOf(names, row.team_id, 'auditSentence.aTeam')
      if (e.action === 'CREATE') {
        return str(row.role) ? msg('auditSentence.addedToTeamAs', { who: who(), team, role: teamRole(row.role) }) : msg('auditSentence.addedToTeam', { who: who(), team })
      }
      if (e.action === 'DELETE') return msg('auditSentence.removedFromTeam', { who: who(), team })
      if (e.oldValues?.role !== e.newValues?.role) {
        return msg('auditSentence.teamRoleChanged', { who: who(), team, from: teamRole(e.oldValues?.role), to: teamRole(e.newValues?.role) })
      }
      break
    }
    case 'role_permissions': {
      const role = nameOf(names, row.role_id, 'auditSentence.aRole')
      const key = str(row.permission_key) ?? ''
      const permission = key in PERMISSIONS && has(en.permissions, key) ? msg(`permissions.${key}`) : key
      if (e.action === 'CREATE') return msg('auditSentence.allowed', { role, what: permission })
      if (e.action === 'DELETE') return msg('auditSentence.noLongerAllowed', { role, what: permission })
      break
    }
    case 'sessions':
      if (e.action === 'CREATE') return msg('auditSentence.sessionStarted', { who: who() })
      if (e.action === 'DELETE') return msg('auditSentence.sessionEnded', { who: who() })
      return msg('auditSentence.sessionRenewed', { who: who() })
    case 'accounts':
      if (e.action === 'UPDATE' && changedColumns(e).includes('password')) return msg('auditSentence.newPasswordFor', { who: who() })
      if (e.action === 'CREATE') return msg('auditSentence.signInMethodAdded', { who: who() })
      if (e.action === 'DELETE') return msg('auditSentence.signInMethodRemoved', { who: who() })
      break
    case 'verifications':
      if (e.action === 'CREATE') return msg('auditSentence.codeIssued')
      if (e.action === 'DELETE') return msg('auditSentence.codeUsed')
      break
    case 'invitations':
      if (e.action === 'CREATE') return msg('auditSentence.invitationSent', { email })
      if (e.action === 'UPDATE' && e.newValues?.status === 'revoked') return msg('auditSentence.invitationRevoked', { email })
      if (e.action === 'UPDATE' && e.newValues?.status === 'accepted') return msg('auditSentence.invitationMarkedAccepted', { email })
      break
  }
  if (e.action === 'CREATE') return msg('auditSentence.created', { what })
  if (e.action === 'DELETE') return msg('auditSentence.deletedForGood', { what })
  const before = e.oldValues ?? {}
  const after = e.newValues ?? {}
  if (before.is_deleted === false && after.is_deleted === true) return msg('auditSentence.trashed', { what })
  if (before.is_deleted === true && after.is_deleted === false) return msg('auditSentence.restored', { what })
  const cols = changedColumns(e).filter((c) => !['deleted_at', 'deleted_by_id'].includes(c))
  if (e.tableName === 'users' && before.is_active === true && after.is_active === false) return msg('auditSentence.deactivated', { what })
  if (e.tableName === 'users' && before.is_active === false && after.is_active === true) return msg('auditSentence.reactivated', { what })
  if (e.tableName === 'categories' && cols.includes('parent_id')) {
    const where = (id: Json | undefined) => (typeof id === 'string' ? nameOf(names, id, 'auditSentence.aDeletedCategory') : msg('auditSentence.topLevel'))
    return msg('auditSentence.moved', { what, from: where(before.parent_id), to: where(after.parent_id) })
  }
  if (e.tableName === 'categories' && cols.length === 1 && cols[0] === 'position') return msg('auditSentence.reordered', { what })
  if (cols.length === 0) {
    if (isSignInBookkeeping(e)) return msg('auditSentence.signedIn')
    // Secrets are stored redacted on both sides, so their change leaves no visible difference; updates that change
    // nothing at all are not recorded (migration 0023), so a row with a secret and no visible change changed the secret.
    if (Object.values(after).includes(REDACTED)) return msg('auditSentence.changedSecret', { what })
    return msg('auditSentence.touched', { what })
  }
  const oldLabel = label && e.oldValues ? ENTITIES[e.tableName]?.label?.(e.oldValues) : undefined
  return msg('auditSentence.changed', { fields: listWords(cols.map(fieldLabel)), what: named(oldLabel ?? label) })
}

/** A person's row updated only to note the time of a sign-in; the SIGN_IN event of the same request says it. */
export function isSignInBookkeeping(e: DescribableEvent): boolean {
  return e.tableName === 'users' && e.action === 'UPDATE' && e.oldValues?.last_sign_in_at !== e.newValues?.last_sign_in_at && changedColumns(e).length === 0
}

/** Columns that hold the id of a person or record the viewer can name. */
export const REFERENCE_COLUMNS = [
  'user_id',
  'role_id',
  'team_id',
  'organization_id',
  'parent_id',
  'deleted_by_id',
  'invited_by_id',
  'assigned_by_id',
  'accepted_user_id',
  'impersonator_id',
]

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
export function entityLink(
  tableName: string,
  recordId: string | null,
): { to: string; params: Record<string, string>; search?: Record<string, string> } | undefined {
  if (!recordId) return undefined
  if (tableName === 'users') return { to: '/tenant/admin/users/$userId', params: { userId: recordId } }
  if (tableName === 'teams') return { to: '/tenant/admin/teams/$teamId', params: { teamId: recordId } }
  if (tableName === 'roles') return { to: '/tenant/admin/roles/$roleId', params: { roleId: recordId } }
  if (tableName === 'categories') return { to: '/tenant/categories/$id', params: { id: recordId } }
  // An organization's page is the Organizations and teams page with it selected.
  if (tableName === 'organizations') return { to: '/tenant/admin/teams', params: {}, search: { org: recordId } }
  return undefined
}
