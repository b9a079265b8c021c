import { z } from 'zod'
import { msg } from '~/lib/i18n'
import { text, token } from '~/lib/text'

export const email = text({ max: 254 }).toLowerCase().pipe(z.email(msg('validation.invalidEmail')))
export const newPassword = text({ max: 256, min: 8, minMessage: msg('validation.minPassword'), trim: false })
export const fullName = text({ max: 120, min: 1, minMessage: msg('validation.enterName') })
/** Reset and invitation tokens are base64url. */
export const linkToken = token({ min: 10, max: 200 })

export const signInSchema = z.object({
  email,
  password: text({ max: 256, min: 1, minMessage: msg('validation.enterPassword'), trim: false }),
  rememberMe: z.boolean().default(true),
})

export const forgotPasswordSchema = z.object({ email })
export const resetPasswordSchema = z.object({ token: linkToken, password: newPassword })
export const invitationTokenSchema = z.object({ token: linkToken })
export const acceptInvitationSchema = z.object({ token: linkToken, fullName, password: newPassword })
export const createInvitationSchema = z.object({
  email,
  fullName: text({ max: 120 }).default(''),
  roleId: z.uuid().nullable().default(null),
  /** Replace a pending invitation to the same address; without it, one there is a 409 (the UI asks first). */
  replace: z.boolean().default(false),
})
