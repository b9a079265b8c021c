import { z } from 'zod'
import { text } from '~/lib/text'
import { isPermission, PERMISSION_KEYS, type Permission } from '~/lib/permissions'
import { msg } from '~/lib/i18n'

export const roleName = text({ max: 60, min: 1, minMessage: 'Enter a name' })
export const roleDescription = text({ max: 300, multiline: true })

const permissionKey = text({ max: 64 })
  .refine((value): value is Permission => isPermission(value), { error: (issue) => `Unknown permission "${String(issue.input)}"` })

/** A set of catalog keys: duplicates collapse, anything outside the catalog is a 400. */
export const permissionSet = z
  .array(permissionKey)
  .max(PERMISSION_KEYS.length * 2)
  .transform((keys) => [...new Set(keys)])

export const roleIdSchema = z.object({ id: z.uuid() })

export const createRoleSchema = z.object({
  name: roleName,
  description: roleDescription.default(''),
  permissions: permissionSet.default([]),
})

export const updateRoleSchema = z.object({
  id: z.uuid(),
  data: z.object({ name: roleName, description: roleDescription }).partial(),
})

export const permissionMatrixSchema = z.object({
  roles: z
    .array(z.object({ id: z.uuid(), permissions: permissionSet }))
    .min(1, msg('serverErrors.nothingToSave'))
    .max(200)
    .refine((rows) => new Set(rows.map((r) => r.id)).size === rows.length, msg('serverErrors.roleOnce')),
})
export type PermissionMatrixInput = z.output<typeof permissionMatrixSchema>
