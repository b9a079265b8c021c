import { z } from 'zod'
import { text } from '~/lib/text'
import { THEMES } from '~/lib/theme'
import { LOCALES, msg } from '~/lib/i18n'

export const tenantName = text({ max: 100, min: 1, minMessage: msg('validation.enterWorkspaceName') })

export const tenantSettingsSchema = z.object({
  defaultTheme: z.enum(THEMES),
  /** '' = each visitor's browser language (Accept-Language), else English. */
  defaultLanguage: z.union([z.enum(LOCALES), z.literal('')], msg('validation.chooseLanguage')),
  allowImpersonation: z.boolean(),
  /** Days audit events are kept; null keeps them forever (ADR 013). */
  auditRetentionDays: z.union([z.literal(30), z.literal(90), z.literal(365)], msg('validation.chooseRetention')).nullable(),
  auditLegalHold: z.boolean(),
})

/** Only the keys given change; the server merges them into the stored JSONB. */
export const updateSettingsSchema = z
  .object({ name: tenantName.optional(), settings: tenantSettingsSchema.partial().default({}) })
  .refine((u) => u.name !== undefined || Object.keys(u.settings).length > 0, msg('validation.nothingToChange'))
export type UpdateSettingsInput = z.output<typeof updateSettingsSchema>

export const SETTINGS_DEFAULTS: z.output<typeof tenantSettingsSchema> = {
  defaultTheme: 'system',
  defaultLanguage: '',
  allowImpersonation: false,
  auditRetentionDays: null,
  auditLegalHold: false,
}
