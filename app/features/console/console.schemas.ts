import { z } from 'zod'
import { RESERVED_SLUGS, SLUG_PATTERN } from '../../lib/enums'
import { email, fullName } from '../auth/auth.schemas'

const cursor = z.string().max(500).optional()
const search = z.string().trim().max(100).optional()

export const TENANT_SORTS = ['name', 'slug', 'created'] as const
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
  name: z.string().trim().min(1, 'Enter a workspace name').max(100, 'Use at most 100 characters'),
  slug,
  ownerEmail: email,
  ownerName: z.string().trim().max(120, 'Use at most 120 characters').default(''),
})

export const suspendSchema = z.object({
  id: z.uuid(),
  reason: z.string().trim().min(5, 'Write a reason (at least 5 characters)').max(500, 'Use at most 500 characters'),
})

export const purgeSchema = z.object({ id: z.uuid(), confirmSlug: z.string().trim().max(60) })

export const tenantPeopleSchema = z.object({
  id: z.uuid(),
  q: search,
  status: z.enum(['all', 'active', 'deactivated']).default('all'),
  cursor,
})

export const tenantAuditSchema = z.object({ id: z.uuid(), cursor })

export const activitySchema = z.object({ id: z.uuid().optional() })

export const userSearchSchema = z.object({
  q: z.string().trim().min(2, 'Type at least 2 characters').max(100),
  cursor,
})

export const globalAuditSchema = z.object({ tenantId: z.uuid().optional(), cursor })

export const IMPERSONATION_MINUTES = { min: 15, max: 60, default: 30 } as const

export const impersonateSchema = z.object({
  tenantId: z.uuid(),
  userId: z.uuid(),
  reason: z.string().trim().min(10, 'Write why (at least 10 characters)').max(500, 'Use at most 500 characters'),
  minutes: z
    .number()
    .int()
    .min(IMPERSONATION_MINUTES.min, `At least ${IMPERSONATION_MINUTES.min} minutes`)
    .max(IMPERSONATION_MINUTES.max, `At most ${IMPERSONATION_MINUTES.max} minutes`)
    .default(IMPERSONATION_MINUTES.default),
})

export const handoffSchema = z.object({ token: z.string().min(20).max(200) })

export { fullName }
