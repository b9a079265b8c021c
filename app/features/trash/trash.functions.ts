import { createServerFn } from '@tanstack/react-start'
import { forbidden } from '~/lib/errors'
import { input } from '~/lib/validate'
import { requireUser } from '~/server/middleware'
import { listTrashSchema, trashItemSchema } from './trash.schemas'
import { assertMayHandle, findTrash, purgeImpact, purgeItem, restoreItem, trashTypesFor } from './trash.server'

/** Each kind of item needs its own write permission (checked per call), so these use requireUser plus that check. */
export const listTrash = createServerFn({ method: 'GET' })
  .middleware([requireUser])
  .validator(input(listTrashSchema))
  .handler(async ({ data, context }) => {
    const allowed = trashTypesFor(context.permissions)
    if (allowed.length === 0) throw forbidden()
    if (data.type) assertMayHandle(context.permissions, data.type)
    const page = await findTrash(context.tx, { types: data.type ? [data.type] : allowed, pageSize: data.pageSize, cursor: data.cursor })
    return { ...page, allowedTypes: allowed, canPurge: context.permissions.includes('trash:purge') }
  })

export const restoreFromTrash = createServerFn({ method: 'POST' })
  .middleware([requireUser])
  .validator(input(trashItemSchema))
  .handler(async ({ data, context }) => {
    assertMayHandle(context.permissions, data.type)
    await restoreItem(context.tx, data.type, data.id, context.permissions, context.caller)
    return { ok: true as const }
  })

export const getPurgeImpact = createServerFn({ method: 'GET' })
  .middleware([requireUser])
  .validator(input(trashItemSchema))
  .handler(async ({ data, context }) => {
    assertMayHandle(context.permissions, data.type, true)
    return purgeImpact(context.tx, data.type, data.id)
  })

export const purgeFromTrash = createServerFn({ method: 'POST' })
  .middleware([requireUser])
  .validator(input(trashItemSchema))
  .handler(async ({ data, context }) => {
    assertMayHandle(context.permissions, data.type, true)
    await purgeItem(context.tx, data.type, data.id)
    return { ok: true as const }
  })
