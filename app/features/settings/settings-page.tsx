import { Trans } from 'react-i18next'
import { useI18n } from '~/lib/i18n/react'
import type { Locale } from '~/lib/i18n'
import { getRouteApi, useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { ShieldAlert, ShieldCheck } from 'lucide-react'
import { type FormEvent, useState } from 'react'
import { toast } from 'sonner'
import { PageHeader } from '~/components/app-shell'
import { Alert, Badge, Button, Card, cx, Field, Select, Skeleton } from '~/components/ui'
import { UnsavedChangesGuard, useFormDirty } from '~/components/unsaved-changes'
import { ConfirmDialog } from '~/components/ui/confirm'
import { LANGUAGES } from '../profile/profile.schemas'
import { updateSettings } from './settings.functions'
import { errorMessage } from '~/lib/errors'
import { formFailure } from '~/lib/form-failure'
import { THEMES, type Theme } from '~/lib/theme'

const Route = getRouteApi('/tenant/_app/admin/settings')

export function SettingsLoading() {
  const { t } = useI18n()
  return (
    <div aria-busy="true" className="space-y-4">
      <span className="sr-only">{t('settings.loading')}</span>
      <Skeleton className="h-8 w-48" />
      <Skeleton className="h-56 w-full" />
      <Skeleton className="h-40 w-full" />
    </div>
  )
}

export function SettingsPage() {
  const current = Route.useLoaderData()
  const router = useRouter()
  const { t } = useI18n()
  const save = useServerFn(updateSettings)
  const [state, setState] = useState<{ pending?: boolean; error?: string; fields?: Record<string, string> }>({})
  const [confirmOn, setConfirmOn] = useState(false)
  const [switching, setSwitching] = useState(false)
  const allowed = current.settings.allowImpersonation
  const edits = useFormDirty()

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    setState({ pending: true })
    try {
      await save({
        data: {
          name: String(form.get('name') ?? ''),
          settings: { defaultTheme: String(form.get('defaultTheme') ?? '') as Theme, defaultLanguage: String(form.get('defaultLanguage') ?? '') as Locale | '' },
        },
      })
      toast.success(t('settings.saved'))
      edits.clear()
      setState({})
      await router.invalidate()
    } catch (e) {
      const failure = formFailure(e)
      setState({ fields: failure.fields, error: failure.message })
    }
  }

  async function setImpersonation(allow: boolean) {
    setSwitching(true)
    try {
      await save({ data: { settings: { allowImpersonation: allow } } })
      toast.success(allow ? t('settings.supportOn') : t('settings.supportOff'))
      await router.invalidate()
    } finally {
      setSwitching(false)
    }
  }

  async function switchOff() {
    try {
      await setImpersonation(false)
    } catch (e) {
      toast.error(errorMessage(e))
    }
  }

  return (
    <>
      <PageHeader title={t('settings.title')} description={t('settings.description')} />
      <div className="space-y-6">
        <Card>
          <form onSubmit={onSubmit} onInput={edits.onInput} className="space-y-6" noValidate>
            <UnsavedChangesGuard dirty={edits.dirty} />
            <div className="space-y-4">
              <h2 className="text-base font-semibold">{t('settings.workspace')}</h2>
              {state.error && <Alert>{state.error}</Alert>}
              <Field
                label={t('settings.workspaceName')}
                name="name"
                defaultValue={current.name}
                required
                maxLength={100}
                autoComplete="organization"
                error={state.fields?.name}
                hint={<Trans i18nKey="settings.nameHint" values={{ slug: current.slug }} components={{ mono: <span className="font-mono" /> }} />}
              />
            </div>
            <div className="space-y-4">
              <div>
                <h2 className="text-base font-semibold">{t('settings.defaults')}</h2>
                <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{t('settings.defaultsHint')}</p>
              </div>
              <fieldset className="space-y-2">
                <legend className="text-sm font-medium text-slate-800 dark:text-slate-200">{t('settings.theme')}</legend>
                <div className="flex flex-wrap gap-4">
                  {THEMES.map((theme) => (
                    <label key={theme} className="flex items-center gap-2 text-sm">
                      <input type="radio" name="defaultTheme" value={theme} defaultChecked={current.settings.defaultTheme === theme} />
                      {t(`profile.themes.${theme}`)}
                    </label>
                  ))}
                </div>
                {state.fields?.['settings.defaultTheme'] && (
                  <p className="text-sm text-red-600 dark:text-red-400">{state.fields['settings.defaultTheme']}</p>
                )}
              </fieldset>
              <Select
                label={t('settings.language')}
                name="defaultLanguage"
                defaultValue={current.settings.defaultLanguage}
                error={state.fields?.['settings.defaultLanguage']}
                className="max-w-xs"
              >
                <option value="">{t('settings.browserLanguage')}</option>
                {LANGUAGES.map((l) => (
                  <option key={l.code} value={l.code} lang={l.code}>
                    {l.label}
                  </option>
                ))}
              </Select>
            </div>
            <Button type="submit" pending={state.pending}>
              {t('settings.save')}
            </Button>
          </form>
        </Card>

        <Card>
          <div className="flex flex-wrap items-start justify-between gap-4">
            <div className="max-w-2xl space-y-2">
              <h2 id="support-access" className="flex items-center gap-2 text-base font-semibold">
                {allowed ? (
                  <ShieldAlert aria-hidden className="size-5 text-amber-600 dark:text-amber-400" />
                ) : (
                  <ShieldCheck aria-hidden className="size-5 text-emerald-600 dark:text-emerald-400" />
                )}
                {t('settings.support')}
                <Badge tone={allowed ? 'warning' : 'success'}>{allowed ? t('settings.allowed') : t('settings.off')}</Badge>
              </h2>
              <p id="support-access-description" className="text-sm text-slate-600 dark:text-slate-400">
                {t('settings.supportBody')}
              </p>
            </div>
            <button
              type="button"
              role="switch"
              aria-checked={allowed}
              aria-label={t('settings.supportSwitch')}
              aria-describedby="support-access-description"
              aria-busy={switching || undefined}
              disabled={switching}
              onClick={() => (allowed ? void switchOff() : setConfirmOn(true))}
              className={cx(
                'relative inline-flex h-6 w-11 shrink-0 items-center rounded-full transition focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 disabled:opacity-60',
                allowed ? 'bg-amber-500' : 'bg-slate-300 dark:bg-slate-600',
              )}
            >
              <span
                aria-hidden
                className={cx('inline-block size-5 rounded-full bg-white shadow transition', allowed ? 'translate-x-5' : 'translate-x-0.5')}
              />
            </button>
          </div>
        </Card>
        <AuditRetentionCard days={current.settings.auditRetentionDays} legalHold={current.settings.auditLegalHold} />
      </div>

      <ConfirmDialog
        open={confirmOn}
        title={t('settings.confirmTitle')}
        confirmLabel={t('settings.confirmLabel')}
        tone="primary"
        onConfirm={() => setImpersonation(true)}
        onClose={() => setConfirmOn(false)}
      >
        <p>{t('settings.confirmBody')}</p>
      </ConfirmDialog>
    </>
  )
}

/** Audit retention and legal hold (ADR 013). Changing either is itself recorded in the audit log. */
function AuditRetentionCard({ days, legalHold }: { days: number | null; legalHold: boolean }) {
  const router = useRouter()
  const save = useServerFn(updateSettings)
  const { t } = useI18n()
  const [pending, setPending] = useState(false)
  const [confirmDays, setConfirmDays] = useState<30 | 90 | 365 | null>(null)

  async function apply(settings: { auditRetentionDays?: 30 | 90 | 365 | null; auditLegalHold?: boolean }, message: string) {
    setPending(true)
    try {
      await save({ data: { settings } })
      toast.success(message)
      await router.invalidate()
    } catch (e) {
      toast.error(errorMessage(e))
    } finally {
      setPending(false)
    }
  }

  return (
    <Card>
      <h2 className="text-base font-semibold">{t('settings.audit')}</h2>
      <p className="mt-1 max-w-2xl text-sm text-slate-600 dark:text-slate-400">{t('settings.auditBody')}</p>
      <div className="mt-4 flex flex-wrap items-end gap-6">
        <Select
          label={t('settings.keep')}
          className="w-56"
          value={days === null ? 'forever' : String(days)}
          disabled={pending}
          onChange={(e) => {
            const value = e.target.value
            if (value === 'forever') void apply({ auditRetentionDays: null }, t('settings.keptForever'))
            else setConfirmDays(Number(value) as 30 | 90 | 365)
          }}
        >
          <option value="forever">{t('settings.forever')}</option>
          <option value="365">{t('settings.days', { count: 365 })}</option>
          <option value="90">{t('settings.days', { count: 90 })}</option>
          <option value="30">{t('settings.days', { count: 30 })}</option>
        </Select>
        <label className="flex items-center gap-2 pb-2 text-sm">
          <input
            type="checkbox"
            checked={legalHold}
            disabled={pending}
            onChange={(e) =>
              void apply({ auditLegalHold: e.target.checked }, e.target.checked ? t('settings.holdOn') : t('settings.holdLifted'))
            }
          />
          {t('settings.hold')}
        </label>
      </div>
      <ConfirmDialog
        open={confirmDays !== null}
        title={t('settings.keepTitle', { count: confirmDays ?? 0 })}
        confirmLabel={t('settings.removeOlder')}
        onConfirm={() => apply({ auditRetentionDays: confirmDays }, t('settings.keptFor', { count: confirmDays ?? 0 }))}
        onClose={() => setConfirmDays(null)}
      >
        <p>{t(legalHold ? 'settings.removeBodyHold' : 'settings.removeBody', { count: confirmDays ?? 0 })}</p>

      </ConfirmDialog>
    </Card>
  )
}
