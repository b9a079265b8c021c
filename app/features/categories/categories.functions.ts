import { createServerFn } from '@tanstack/react-start'
import { input } from '~/lib/validate'
import { requirePermission } from '~/server/middleware'
import {
  CHILD_PAGE_SIZE,
  categoryIdSchema,
  createCategorySchema,
  listChildrenSchema,
  moveCategorySchema,
  reorderCategorySchema,
  searchCategoriesSchema,
  updateCategorySchema,
} from './categories.schemas'
import * as store from './categories.server'

export const listCategoryChildren = createServerFn({ method: 'GET' })
  .middleware([requirePermission('categories:read')])
  .validator(input(listChildrenSchema))
  .handler(({ data, context }) => store.findChildren(context.tx, context.tenantId, data))

export const revealCategory = createServerFn({ method: 'GET' })
  .middleware([requirePermission('categories:read')])
  .validator(input(categoryIdSchema))
  .handler(({ data, context }) => store.revealCategory(context.tx, context.tenantId, data.id, CHILD_PAGE_SIZE))

export const getCategory = createServerFn({ method: 'GET' })
  .middleware([requirePermission('categories:read')])
  .validator(input(categoryIdSchema))
  .handler(({ data, context }) => store.getCategory(context.tx, context.tenantId, data.id))

export const searchCategories = createServerFn({ method: 'GET' })
  .middleware([requirePermission('categories:read')])
  .validator(input(searchCategoriesSchema))
  .handler(({ data, context }) => store.searchCategories(context.tx, context.tenantId, data))

export const createCategory = createServerFn({ method: 'POST' })
  .middleware([requirePermission('categories:write')])
  .validator(input(createCategorySchema))
  .handler(({ data, context }) => store.createCategory(context.tx, context.tenantId, data))

export const updateCategory = createServerFn({ method: 'POST' })
  .middleware([requirePermission('categories:write')])
  .validator(input(updateCategorySchema))
  .handler(({ data, context }) => store.updateCategory(context.tx, context.tenantId, data))

export const moveCategory = createServerFn({ method: 'POST' })
  .middleware([requirePermission('categories:write')])
  .validator(input(moveCategorySchema))
  .handler(({ data, context }) => store.moveCategory(context.tx, context.tenantId, data))

export const reorderCategory = createServerFn({ method: 'POST' })
  .middleware([requirePermission('categories:write')])
  .validator(input(reorderCategorySchema))
  .handler(({ data, context }) => store.reorderCategory(context.tx, context.tenantId, data))

export const getCategoryDeleteImpact = createServerFn({ method: 'GET' })
  .middleware([requirePermission('categories:write')])
  .validator(input(categoryIdSchema))
  .handler(({ data, context }) => store.deleteImpact(context.tx, context.tenantId, data.id))

export const deleteCategory = createServerFn({ method: 'POST' })
  .middleware([requirePermission('categories:write')])
  .validator(input(categoryIdSchema))
  .handler(({ data, context }) => store.deleteCategory(context.tx, context.tenantId, data.id, context.user.id))

export const restoreCategory = createServerFn({ method: 'POST' })
  .middleware([requirePermission('categories:write')])
  .validator(input(categoryIdSchema))
  .handler(({ data, context }) => store.restoreCategory(context.tx, context.tenantId, data.id))
