import { createServerFn } from '@tanstack/react-start'
import { input } from '~/lib/validate'
import { requirePermission } from '~/server/middleware'
import { forgetRealm } from '~/server/realm.server'
import { updateSettingsSchema } from './settings.schemas'
import * as store from './settings.server'

export const getSettings = createServerFn({ method: 'GET' })
  .middleware([requirePermission('tenant:manage')])
  .handler(({ context }) => store.getSettings(context.tx, context.tenantId))

export const updateSettings = createServerFn({ method: 'POST' })
  .middleware([requirePermission('tenant:manage')])
  .validator(input(updateSettingsSchema))
  .handler(async ({ data, context }) => {
    const settings = await store.updateSettings(context.tx, context.tenantId, data)
    // The Host → tenant cache holds the name the app shell shows; drop it so this process shows the new one.
    if (data.name !== undefined) forgetRealm()
    return settings
  })
