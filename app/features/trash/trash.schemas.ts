import { z } from 'zod'
import { token } from '~/lib/text'

export const TRASH_TYPES = ['user', 'organization', 'team', 'role', 'category'] as const
export type TrashType = (typeof TRASH_TYPES)[number]

export const TRASH_LABELS: Record<TrashType, string> = {
  user: 'Person',
  organization: 'Organization',
  team: 'Team',
  role: 'Role',
  category: 'Category',
}

export const listTrashSchema = z.object({
  type: z.enum(TRASH_TYPES).optional(),
  cursor: token({ max: 300 }).optional(),
  pageSize: z.number().int().min(5).max(100).default(25),
})

export const trashItemSchema = z.object({ type: z.enum(TRASH_TYPES), id: z.uuid() })
