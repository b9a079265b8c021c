import { z } from 'zod'
import { email, fullName } from '../auth/auth.schemas'

export const USER_SORTS = ['name', 'email', 'created'] as const
export const USER_STATUSES = ['all', 'active', 'deactivated'] as const

const metadataValue = z.union([z.string().max(200), z.number(), z.boolean()])
export const metadataSchema = z
  .record(z.string().trim().min(1).max(64).regex(/^[\w.-]+$/, 'Keys use letters, digits, dots, dashes and underscores'), metadataValue)
  .refine((m) => Object.keys(m).length <= 50, 'At most 50 metadata keys')

export const listUsersSchema = z.object({
  q: z.string().trim().max(100).optional(),
  roleId: z.uuid().optional(),
  teamId: z.uuid().optional(),
  status: z.enum(USER_STATUSES).default('all'),
  metaKey: z.string().trim().max(64).optional(),
  metaValue: z.string().trim().max(200).optional(),
  sort: z.enum(USER_SORTS).default('name'),
  dir: z.enum(['asc', 'desc']).default('asc'),
  cursor: z.string().max(500).optional(),
  pageSize: z.number().int().min(5).max(100).default(25),
})
export type ListUsersInput = z.input<typeof listUsersSchema>

export const userIdSchema = z.object({ id: z.uuid() })

export const createUserSchema = z.object({
  email,
  fullName,
  password: z.string().min(8, 'Use at least 8 characters').max(256).optional(),
  roleIds: z.array(z.uuid()).max(20).default([]),
  metadata: metadataSchema.default({}),
})

export const updateUserSchema = z.object({
  id: z.uuid(),
  data: z.object({ email, fullName, metadata: metadataSchema }).partial(),
})

export const setUserRolesSchema = z.object({ id: z.uuid(), roleIds: z.array(z.uuid()).max(20) })
