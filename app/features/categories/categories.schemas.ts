import { msg } from '~/lib/i18n'
import { z } from 'zod'
import { jsonValue, PROTOTYPE_KEYS, text, token } from '~/lib/text'

export const categoryName = text({ max: 100, min: 1, minMessage: msg('validation.enterName') })
export const categoryDescription = text({ max: 1000, multiline: true })
/**
 * Metadata is a flat-or-nested JSON object whose keys and strings follow the text rules at every depth
 * (`jsonValue`); its serialized size is capped so one row cannot grow without bound.
 */
export const categoryMetadata = z
  .record(
    text({ max: 100, min: 1, minMessage: msg('categoryForm.enterKey') }).refine((key) => !PROTOTYPE_KEYS.has(key), msg('validation.reservedKey')),
    jsonValue(),
  )
  .refine((m) => JSON.stringify(m).length <= 10_000, msg('categoryForm.metaTooLong'))

export type CategoryMetadata = z.output<typeof categoryMetadata>

export const CHILD_PAGE_SIZE = 200
export const SEARCH_LIMIT = 25
/** Descendant counts in lists stop at this many; the details panel counts exactly. */
export const DESCENDANT_CAP = 10_000

export const categoryIdSchema = z.object({ id: z.uuid() })

export const listChildrenSchema = z.object({
  parentId: z.uuid().nullable().default(null),
  cursor: token({ max: 500 }).optional(),
  pageSize: z.number().int().min(1).max(500).default(CHILD_PAGE_SIZE),
})
export type ListChildrenInput = z.output<typeof listChildrenSchema>

export const searchCategoriesSchema = z.object({
  q: text({ max: 100, min: 1, minMessage: msg('categoryForm.typePart') }),
  cursor: token({ max: 500 }).optional(),
  limit: z.number().int().min(1).max(100).default(SEARCH_LIMIT),
})
export type SearchCategoriesInput = z.output<typeof searchCategoriesSchema>

export const createCategorySchema = z.object({
  parentId: z.uuid().nullable().default(null),
  name: categoryName,
  description: categoryDescription.default(''),
  metadata: categoryMetadata.default({}),
})
export type CreateCategoryInput = z.output<typeof createCategorySchema>

export const updateCategorySchema = z.object({
  id: z.uuid(),
  data: z.object({ name: categoryName, description: categoryDescription, metadata: categoryMetadata }).partial(),
})
export type UpdateCategoryInput = z.output<typeof updateCategorySchema>

/**
 * `expectedParentId` is the parent the client saw: if another change moved the category meanwhile the move is
 * refused with 409 instead of acting on a tree the person did not look at. `beforeId` places it just before that
 * sibling under the new parent; without it the category goes last (also when it stays under the same parent).
 */
export const moveCategorySchema = z.object({
  id: z.uuid(),
  parentId: z.uuid().nullable(),
  expectedParentId: z.uuid().nullable(),
  beforeId: z.uuid().nullable().default(null),
})
export type MoveCategoryInput = z.output<typeof moveCategorySchema>

export const reorderCategorySchema = z.object({
  id: z.uuid(),
  direction: z.enum(['up', 'down']),
  expectedParentId: z.uuid().nullable(),
})
export type ReorderCategoryInput = z.output<typeof reorderCategorySchema>

/** Metadata as the edit form shows it: a JSON object in a text area. */
export function parseMetadataText(text: string): { ok: true; value: CategoryMetadata } | { ok: false; error: string } {
  if (!text.trim()) return { ok: true, value: {} }
  try {
    const value: unknown = JSON.parse(text)
    if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: msg('categoryForm.jsonObject') }
    const parsed = categoryMetadata.safeParse(value)
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: parsed.error.issues[0]?.message ?? msg('categoryForm.metaInvalid') }
  } catch {
    return { ok: false, error: msg('categoryForm.notJson') }
  }
}

export type CategoryNode = {
  id: string
  parentId: string | null
  name: string
  position: number
  depth: number
  childCount: number
  /** Capped at DESCENDANT_CAP in lists; `descendantsCapped` says the real number is larger. */
  descendantCount: number
  descendantsCapped: boolean
}
