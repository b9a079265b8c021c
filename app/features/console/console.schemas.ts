import { z } from 'zod'
import { text, token } from '~/lib/text'
import { RESERVED_SLUGS, SLUG_PATTERN } from '~/lib/enums'
import { email, fullName } from '../auth/auth.schemas'

const cursor = token({ max: 500 }).optional()
const search = text({ max: 100 }).optional()

/** The tenants list sorts by any column but the status; the figures come from `tenant_figures` (decision 022). */
export const TENANT_SORTS = ['name', 'slug', 'people', 'active30', 'categories', 'events30', 'lastActivity', 'created'] as const
export type TenantSort = (typeof TENANT_SORTS)[number]
/** Text sorts start A→Z; figures and times start with the largest, most recent. */
export const firstDirection = (sort: TenantSort): 'asc' | 'desc' => (sort === 'name' || sort === 'slug' ? 'asc' : 'desc')
export const TENANT_STATUSES = ['all', 'active', 'suspended', 'deleted'] as const

export const listTenantsSchema = z.object({
  q: search,
  status: z.enum(TENANT_STATUSES).default('all'),
  sort: z.enum(TENANT_SORTS).default('created'),
  dir: z.enum(['asc', 'desc']).default('desc'),
  cursor,
  pageSize: z.number().int().min(1).max(100).default(25),
})
export type ListTenantsInput = z.output<typeof listTenantsSchema>

export const tenantIdSchema = z.object({ id: z.uuid() })

export const slug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(SLUG_PATTERN, 'Use 1–40 lowercase letters, digits and dashes, not starting or ending with a dash')
  .refine((s) => !(RESERVED_SLUGS as readonly string[]).includes(s), 'This name is reserved')

export const provisionSchema = z.object({
  name: text({ max: 100, min: 1, minMessage: 'Enter a workspace name' }),
  slug,
  ownerEmail: email,
  ownerName: text({ max: 120 }).default(''),
})

export const suspendSchema = z.object({
  id: z.uuid(),
  reason: text({ max: 500, min: 5, minMessage: 'Write a reason (at least 5 characters)' }),
})

export const purgeSchema = z.object({ id: z.uuid(), confirmSlug: text({ max: 60 }) })

export const tenantPeopleSchema = z.object({
  id: z.uuid(),
  q: search,
  status: z.enum(['all', 'active', 'deactivated']).default('all'),
  cursor,
})

export const tenantAuditSchema = z.object({ id: z.uuid(), cursor })

export const activitySchema = z.object({ id: z.uuid().optional() })

export const userSearchSchema = z.object({
  q: text({ max: 100, min: 2, minMessage: 'Type at least 2 characters' }),
  cursor,
})

/** `tenantId`: one customer tenant, or `console` for the operators' own events (provisioning, suspensions, sign-ins). */
export const globalAuditSchema = z.object({ tenantId: z.union([z.uuid(), z.literal('console')]).optional(), cursor })

export const IMPERSONATION_MINUTES = { min: 15, max: 60, default: 30 } as const

/** A soft-deleted tenant can be restored for this long; only then can it be purged (typing its slug). */
export const DELETE_GRACE_DAYS = 30

export const impersonateSchema = z.object({
  tenantId: z.uuid(),
  userId: z.uuid(),
  reason: text({ max: 500, min: 10, minMessage: 'Write why (at least 10 characters)' }),
  minutes: z
    .number()
    .int()
    .min(IMPERSONATION_MINUTES.min, `At least ${IMPERSONATION_MINUTES.min} minutes`)
    .max(IMPERSONATION_MINUTES.max, `At most ${IMPERSONATION_MINUTES.max} minutes`)
    .default(IMPERSONATION_MINUTES.default),
})

export const handoffSchema = z.object({ token: token({ min: 20, max: 200 }) })

export { fullName }
