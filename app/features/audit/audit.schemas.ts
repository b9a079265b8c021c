import { z } from 'zod'
import { text, token } from '~/lib/text'
import { AUDIT_ACTIONS } from '~/lib/enums'
import { msg } from '~/lib/i18n'

/** The tables whose events the viewer can filter by ("entity type"), in the order the filter lists them. */
export const AUDIT_ENTITY_TYPES = [
  'users',
  'roles',
  'user_roles',
  'role_permissions',
  'organizations',
  'teams',
  'user_team_links',
  'categories',
  'invitations',
  'sessions',
  'accounts',
  'verifications',
  'tenants',
  'audit_log',
] as const
export type AuditEntityType = (typeof AUDIT_ENTITY_TYPES)[number]

/** The filter's fields; every schema built on them checks the day order with `inDayOrder`. */
export const auditFilterFields = z.object({
  actor: z.uuid().optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  entity: z.enum(AUDIT_ENTITY_TYPES).optional(),
  record: z.uuid().optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  ip: text({ max: 64, min: 1 }).optional(),
  requestId: text({ max: 64, min: 1 }).optional(),
  impersonated: z.boolean().optional(),
  /** With `record`: also the rows that point at it (its role grants, team memberships, members, teams). */
  related: z.boolean().optional(),
})

/**
 * `to` is the start of the day after the last one shown, so a `to` at or before `from` is a "To" day before the
 * "From" day: refused on `to`, since the date fields' min/max only guide the browser.
 */
export function inDayOrder<S extends z.ZodType<{ from?: string; to?: string }>>(schema: S) {
  return schema.refine((f) => !f.from || !f.to || Date.parse(f.to) > Date.parse(f.from), { path: ['to'], message: msg('validation.toBeforeFrom') })
}

/** One filter, shared by the list, the export and the URL of the viewer. Times are instants (ISO with offset). */
export const auditFilterSchema = inDayOrder(auditFilterFields)
export type AuditFilter = z.output<typeof auditFilterSchema>

export const listAuditSchema = inDayOrder(
  auditFilterFields.extend({
    cursor: token({ max: 300 }).optional(),
    pageSize: z.number().int().min(5).max(100).default(50),
  }),
)
export type ListAuditInput = z.output<typeof listAuditSchema>

export const auditEventSchema = z.object({ id: z.uuid() })

export const EXPORT_FORMATS = ['csv', 'ndjson'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/**
 * The viewer's URL. `from`/`to` are instants with the offset of the day the viewer picked (`to` is the start of
 * the day after), so a shared link shows exactly the same events to someone in another time zone.
 */
export const auditSearchSchema = z.object({
  actor: z.uuid().optional().catch(undefined),
  action: z.enum(AUDIT_ACTIONS).optional().catch(undefined),
  entity: z.enum(AUDIT_ENTITY_TYPES).optional().catch(undefined),
  record: z.uuid().optional().catch(undefined),
  from: z.iso.datetime({ offset: true }).optional().catch(undefined),
  to: z.iso.datetime({ offset: true }).optional().catch(undefined),
  ip: z.string().max(64).optional().catch(undefined),
  requestId: z.string().max(64).optional().catch(undefined),
  impersonated: z.boolean().optional().catch(undefined),
  related: z.boolean().optional().catch(undefined),
  cursor: z.string().max(300).optional().catch(undefined),
  event: z.uuid().optional().catch(undefined),
})
  // A link whose "to" is not after its "from" (edited by hand) drops "to", like any other value the page cannot use,
  // instead of answering the whole page with the server's 400.
  .transform((s) => (s.from && s.to && Date.parse(s.to) <= Date.parse(s.from) ? { ...s, to: undefined } : s))
export type AuditSearch = z.output<typeof auditSearchSchema>

export const RETENTION_CHOICES = [30, 90, 365] as const
