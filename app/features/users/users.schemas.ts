import { z } from 'zod'
import { PROTOTYPE_KEYS, searchText, text, token } from '~/lib/text'
import { email, fullName, newPassword } from '../auth/auth.schemas'
import { msg } from '~/lib/i18n'

export const USER_SORTS = ['name', 'email', 'created'] as const
export const USER_STATUSES = ['all', 'active', 'deactivated'] as const

const metadataKey = text({ max: 64, min: 1, minMessage: 'Enter a key' })
  .regex(/^[\w.-]+$/, msg('serverErrors.metaKeyChars'))
  .refine((key) => !PROTOTYPE_KEYS.has(key), msg('validation.reservedKey'))
const metadataValue = z.union([text({ max: 200 }), z.number().finite(), z.boolean()])
export const metadataSchema = z
  .record(metadataKey, metadataValue)
  .refine((m) => Object.keys(m).length <= 50, msg('serverErrors.metaTooMany'))

export const listUsersSchema = z.object({
  q: searchText,
  roleId: z.uuid().optional(),
  teamId: z.uuid().optional(),
  status: z.enum(USER_STATUSES).default('all'),
  metaKey: text({ max: 64 }).optional(),
  metaValue: text({ max: 200 }).optional(),
  sort: z.enum(USER_SORTS).default('name'),
  dir: z.enum(['asc', 'desc']).default('asc'),
  cursor: token({ max: 500 }).optional(),
  pageSize: z.number().int().min(5).max(100).default(25),
})
export type ListUsersInput = z.input<typeof listUsersSchema>

export const userIdSchema = z.object({ id: z.uuid() })

export const createUserSchema = z.object({
  email,
  fullName,
  password: newPassword.optional(),
  roleIds: z.array(z.uuid()).max(20).default([]),
  metadata: metadataSchema.default({}),
})

export const updateUserSchema = z.object({
  id: z.uuid(),
  data: z.object({ email, fullName, metadata: metadataSchema }).partial(),
})

export const setUserRolesSchema = z.object({ id: z.uuid(), roleIds: z.array(z.uuid()).max(20) })

export const invitationIdSchema = z.object({ id: z.uuid() })

/** At most one page's worth of people per bulk action. */
export const BULK_LIMIT = 100
const bulkIds = z.array(z.uuid()).min(1, msg('serverErrors.selectOne')).max(BULK_LIMIT, msg('serverErrors.bulkLimit', { max: BULK_LIMIT }))
export const bulkUsersSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('deactivate'), ids: bulkIds }),
  z.object({ action: z.literal('delete'), ids: bulkIds }),
  z.object({ action: z.literal('assignRole'), ids: bulkIds, roleId: z.uuid() }),
])
export type BulkUsersInput = z.infer<typeof bulkUsersSchema>
