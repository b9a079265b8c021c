import { eq, type SQL, sql } from 'drizzle-orm'
import { notFound } from '~/lib/errors'
import { THEMES } from '~/lib/theme'
import type { Tx } from '~/server/db/client.server'
import { type TenantSettings, tenants } from '~/server/db/schema'
import { endSessionsMarked } from '~/server/session.server'
import { updateTenant } from '../tenants/tenant-changes.server'
import { SETTINGS_DEFAULTS, type UpdateSettingsInput } from './settings.schemas'

const columns = { name: tenants.name, slug: tenants.slug, plan: tenants.plan, settings: tenants.settings }

/** Stored settings with defaults filled in; JSONB may hold anything, so each value is checked. */
function present(row: { name: string; slug: string; plan: string; settings: TenantSettings }) {
  const { defaultTheme, defaultLanguage, allowImpersonation, auditRetentionDays, auditLegalHold } = row.settings
  return {
    name: row.name,
    slug: row.slug,
    plan: row.plan,
    settings: {
      defaultTheme: defaultTheme && THEMES.includes(defaultTheme) ? defaultTheme : SETTINGS_DEFAULTS.defaultTheme,
      defaultLanguage: typeof defaultLanguage === 'string' ? defaultLanguage : SETTINGS_DEFAULTS.defaultLanguage,
      allowImpersonation: allowImpersonation === true,
      auditRetentionDays: auditRetentionDays === 30 || auditRetentionDays === 90 || auditRetentionDays === 365 ? auditRetentionDays : null,
      auditLegalHold: auditLegalHold === true,
    },
  }
}

export async function getSettings(tx: Tx, tenantId: string) {
  const [row] = await tx.select(columns).from(tenants).where(eq(tenants.id, tenantId))
  if (!row) throw notFound('workspace')
  return present(row)
}

/**
 * The tenant role may update only name and settings; settings are merged with `||`, so keys this form does not
 * know (written by the console or a later version) survive. Withdrawing consent to impersonation ends the running
 * impersonations in the same transaction, as a suspension ends every session.
 */
export async function updateSettings(tx: Tx, tenantId: string, input: UpdateSettingsInput) {
  const changes: { name?: string; settings?: SQL } = {}
  if (input.name !== undefined) changes.name = input.name
  if (Object.keys(input.settings).length > 0) changes.settings = sql`${tenants.settings} || ${JSON.stringify(input.settings)}::jsonb`
  if (Object.keys(changes).length === 0) return getSettings(tx, tenantId)
  const row = await updateTenant(tx, tenantId, changes)
  if (!row) throw notFound('workspace')
  if (input.settings.allowImpersonation === false) await endSessionsMarked(tx, tenantId, 'consent_withdrawn', 'impersonations')
  return present(row)
}
