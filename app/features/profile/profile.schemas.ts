import { z } from 'zod'
import { text } from '../../lib/text'
import { THEMES } from '../../lib/theme'
import { fullName, newPassword } from '../auth/auth.schemas'

export const LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'de', label: 'Deutsch' },
  { code: 'fr', label: 'Français' },
  { code: 'es', label: 'Español' },
] as const

export const updateProfileSchema = z.object({ fullName })

export const updatePreferencesSchema = z
  .object({
    theme: z.enum(THEMES).optional(),
    language: z.enum(LANGUAGES.map((l) => l.code) as [string, ...string[]]).optional(),
  })
  .refine((p) => p.theme !== undefined || p.language !== undefined, 'Nothing to change')

export const changePasswordSchema = z.object({
  currentPassword: text({ max: 256, min: 1, minMessage: 'Enter your current password', trim: false }),
  newPassword,
  signOutOthers: z.boolean().default(true),
})
