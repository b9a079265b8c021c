import { createServerFn } from '@tanstack/react-start'
import { getRequest } from '@tanstack/react-start/server'
import { APIError } from 'better-auth/api'
import { and, eq, sql } from 'drizzle-orm'
import { HttpError } from '~/lib/errors'
import { msg } from '~/lib/i18n'
import { input } from '~/lib/validate'
import { auth } from '~/server/auth.server'
import { users } from '~/server/db/schema'
import { ofTenant } from '~/server/db/tenant.server'
import { requireUser } from '~/server/middleware'
import { refuseWhileImpersonating } from '../console/impersonation.server'
import { changePasswordSchema, updatePreferencesSchema, updateProfileSchema } from './profile.schemas'

export const updateProfile = createServerFn({ method: 'POST' })
  .middleware([requireUser])
  .validator(input(updateProfileSchema))
  .handler(async ({ data, context }) => {
    const [row] = await context.tx
      .update(users)
      .set({ fullName: data.fullName })
      .where(and(ofTenant(users), eq(users.id, context.user.id)))
      .returning({ fullName: users.fullName })
    return row
  })

/** Merges into the preferences JSONB, so keys this form does not know about are kept. */
export const updatePreferences = createServerFn({ method: 'POST' })
  .middleware([requireUser])
  .validator(input(updatePreferencesSchema))
  .handler(async ({ data, context }) => {
    const { language, ...rest } = data
    const own = language === 'default' ? sql`(${users.preferences} - 'language')` : sql`${users.preferences}`
    const merged = language === 'default' ? rest : data
    const [row] = await context.tx
      .update(users)
      .set({ preferences: sql`${own} || ${JSON.stringify(merged)}::jsonb` })
      .where(and(ofTenant(users), eq(users.id, context.user.id)))
      .returning({ preferences: users.preferences })
    return row
  })

export const changePassword = createServerFn({ method: 'POST' })
  .middleware([requireUser])
  .validator(input(changePasswordSchema))
  .handler(async ({ data, context }) => {
    refuseWhileImpersonating(context.caller)
    try {
      await auth().api.changePassword({
        body: { currentPassword: data.currentPassword, newPassword: data.newPassword, revokeOtherSessions: data.signOutOthers },
        headers: getRequest().headers,
      })
    } catch (error) {
      if (error instanceof APIError && error.statusCode < 500) {
        throw new HttpError(400, 'invalid_password', msg('errors.wrongPassword'), {
          fieldErrors: { currentPassword: msg('errors.notYourPassword') },
        })
      }
      throw error
    }
    await context.tx.execute(sql`select haven_audit_event('PASSWORD_CHANGED', 'users', ${context.user.id}::uuid, '{}'::jsonb)`)
    return { ok: true as const }
  })
