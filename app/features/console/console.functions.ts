import { createServerFn } from '@tanstack/react-start'
import { config } from '../../../app.config'
import { unauthorized } from '~/lib/errors'
import { input } from '~/lib/validate'
import type { Caller } from '~/server/session.server'
import { requireSuperuser } from '~/server/middleware'
import {
  activitySchema,
  globalAuditSchema,
  listTenantsSchema,
  provisionSchema,
  purgeSchema,
  suspendSchema,
  tenantAuditSchema,
  tenantIdSchema,
  tenantPeopleSchema,
  userSearchSchema,
} from './console.schemas'
import {
  activity,
  findTenantPeople,
  findTenants,
  getTenantDetail,
  provision,
  purge,
  reactivate,
  readAuditLog,
  requireTenant,
  restore,
  searchPeople,
  softDelete,
  suspend,
} from './console.server'
import { assertSteppedUp, stepUpStatus } from './mfa.server'

function sessionOf(caller: Caller | null): string {
  if (!caller) throw unauthorized()
  return caller.sessionId
}

/** The superuser, their session's step-up state and the console's figures for the overview. */
export const getConsoleOverview = createServerFn({ method: 'GET' })
  .middleware([requireSuperuser])
  .handler(async ({ context }) => {
    return {
      stepUpUntil: await stepUpStatus(context.tx, context.consoleTenantId, context.user.id, sessionOf(context.caller)),
      activity: await activity(context.tx),
    }
  })

export const listTenants = createServerFn({ method: 'GET' })
  .middleware([requireSuperuser])
  .validator(input(listTenantsSchema))
  .handler(({ data, context }) => findTenants(context.tx, data))

export const getTenant = createServerFn({ method: 'GET' })
  .middleware([requireSuperuser])
  .validator(input(tenantIdSchema))
  .handler(async ({ data, context }) => {
    const scope = { tx: context.tx, consoleTenantId: context.consoleTenantId }
    const tenant = await getTenantDetail(scope, data.id)
    return { tenant, activity: await activity(context.tx, data.id) }
  })

export const listTenantPeople = createServerFn({ method: 'GET' })
  .middleware([requireSuperuser])
  .validator(input(tenantPeopleSchema))
  .handler(({ data, context }) => findTenantPeople({ tx: context.tx, consoleTenantId: context.consoleTenantId }, data))

export const listTenantAudit = createServerFn({ method: 'GET' })
  .middleware([requireSuperuser])
  .validator(input(tenantAuditSchema))
  .handler(({ data, context }) => readAuditLog({ tx: context.tx, consoleTenantId: context.consoleTenantId }, { tenantId: data.id, cursor: data.cursor }))

export const getActivity = createServerFn({ method: 'GET' })
  .middleware([requireSuperuser])
  .validator(input(activitySchema))
  .handler(async ({ data, context }) => {
    if (data.id) await requireTenant(context.tx, data.id)
    return activity(context.tx, data.id)
  })

/** Creates the tenant with its system roles and an owner invitation; the link is shown once and logged. */
export const provisionTenant = createServerFn({ method: 'POST' })
  .middleware([requireSuperuser])
  .validator(input(provisionSchema))
  .handler(async ({ data, context }) => {
    const result = await provision({ tx: context.tx, consoleTenantId: context.consoleTenantId }, data, context.user.id)
    const cfg = config()
    const link = `${cfg.protocol}://${result.slug}.${cfg.rootDomain}/invite/${result.token}`
    console.log(`[haven] invitation link for ${data.ownerEmail} at ${result.slug}: ${link}`)
    return { id: result.tenantId, slug: result.slug, link }
  })

export const suspendTenant = createServerFn({ method: 'POST' })
  .middleware([requireSuperuser])
  .validator(input(suspendSchema))
  .handler(async ({ data, context }) => {
    await assertSteppedUp(context.tx, context.consoleTenantId, context.user.id, sessionOf(context.caller))
    await suspend({ tx: context.tx, consoleTenantId: context.consoleTenantId }, data.id, data.reason)
    const { forgetRealm } = await import('~/server/realm.server')
    forgetRealm()
    return { ok: true as const }
  })

export const reactivateTenant = createServerFn({ method: 'POST' })
  .middleware([requireSuperuser])
  .validator(input(tenantIdSchema))
  .handler(async ({ data, context }) => {
    await reactivate({ tx: context.tx, consoleTenantId: context.consoleTenantId }, data.id)
    const { forgetRealm } = await import('~/server/realm.server')
    forgetRealm()
    return { ok: true as const }
  })

export const deleteTenant = createServerFn({ method: 'POST' })
  .middleware([requireSuperuser])
  .validator(input(tenantIdSchema))
  .handler(async ({ data, context }) => {
    await assertSteppedUp(context.tx, context.consoleTenantId, context.user.id, sessionOf(context.caller))
    await softDelete({ tx: context.tx, consoleTenantId: context.consoleTenantId }, data.id, context.user.id)
    const { forgetRealm } = await import('~/server/realm.server')
    forgetRealm()
    return { ok: true as const }
  })

export const restoreTenant = createServerFn({ method: 'POST' })
  .middleware([requireSuperuser])
  .validator(input(tenantIdSchema))
  .handler(async ({ data, context }) => {
    await restore({ tx: context.tx, consoleTenantId: context.consoleTenantId }, data.id)
    const { forgetRealm } = await import('~/server/realm.server')
    forgetRealm()
    return { ok: true as const }
  })

export const purgeTenant = createServerFn({ method: 'POST' })
  .middleware([requireSuperuser])
  .validator(input(purgeSchema))
  .handler(async ({ data, context }) => {
    await assertSteppedUp(context.tx, context.consoleTenantId, context.user.id, sessionOf(context.caller))
    await purge({ tx: context.tx, consoleTenantId: context.consoleTenantId }, data.id, data.confirmSlug)
    const { forgetRealm } = await import('~/server/realm.server')
    forgetRealm()
    return { ok: true as const }
  })

export const searchAllUsers = createServerFn({ method: 'GET' })
  .middleware([requireSuperuser])
  .validator(input(userSearchSchema))
  .handler(({ data, context }) => searchPeople({ tx: context.tx, consoleTenantId: context.consoleTenantId }, data))

export const listGlobalAudit = createServerFn({ method: 'GET' })
  .middleware([requireSuperuser])
  .validator(input(globalAuditSchema))
  .handler(({ data, context }) => readAuditLog({ tx: context.tx, consoleTenantId: context.consoleTenantId }, data))
