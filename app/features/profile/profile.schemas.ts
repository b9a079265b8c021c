import { z } from 'zod'
import { LANGUAGE_NAMES, LOCALES, msg } from '~/lib/i18n'
import { text } from '~/lib/text'
import { THEMES } from '~/lib/theme'
import { fullName, newPassword } from '../auth/auth.schemas'

/** The languages offered, each named in itself: only the ones shipped complete. */
export const LANGUAGES = LOCALES.map((code) => ({ code, label: LANGUAGE_NAMES[code] }))

export const updateProfileSchema = z.object({ fullName })

export const updatePreferencesSchema = z
  .object({
    theme: z.enum(THEMES).optional(),
    // 'default': no language of one's own, so the workspace's default (else the browser's) applies again.
    language: z.union([z.enum(LOCALES), z.literal('default')]).optional(),
  })
  .refine((p) => p.theme !== undefined || p.language !== undefined, msg('validation.nothingToChange'))

export const changePasswordSchema = z.object({
  currentPassword: text({ max: 256, min: 1, minMessage: msg('validation.enterCurrentPassword'), trim: false }),
  newPassword,
  signOutOthers: z.boolean().default(true),
})
