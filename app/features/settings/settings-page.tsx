import type { Locale } from '../../lib/i18n'
import { getRouteApi, useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { ShieldAlert, ShieldCheck } from 'lucide-react'
import { type FormEvent, useState } from 'react'
import { toast } from 'sonner'
import { PageHeader } from '../../components/app-shell'
import { Alert, Badge, Button, Card, cx, Field, Select, Skeleton } from '../../components/ui'
import { ConfirmDialog } from '../../components/ui/confirm'
import { LANGUAGES } from '../profile/profile.schemas'
import { updateSettings } from './settings.functions'
import { errorMessage, fieldErrorsOf } from '../../lib/errors'
import { THEMES, type Theme } from '../../lib/theme'

const Route = getRouteApi('/tenant/_app/admin/settings')

export function SettingsLoading() {
  return (
    <div aria-busy="true" className="space-y-4">
      <span className="sr-only">Loading settings…</span>
      <Skeleton className="h-8 w-48" />
      <Skeleton className="h-56 w-full" />
      <Skeleton className="h-40 w-full" />
    </div>
  )
}

export function SettingsPage() {
  const current = Route.useLoaderData()
  const router = useRouter()
  const save = useServerFn(updateSettings)
  const [state, setState] = useState<{ pending?: boolean; error?: string; fields?: Record<string, string> }>({})
  const [confirmOn, setConfirmOn] = useState(false)
  const [switching, setSwitching] = useState(false)
  const allowed = current.settings.allowImpersonation

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    setState({ pending: true })
    try {
      await save({
        data: {
          name: String(form.get('name') ?? ''),
          settings: { defaultTheme: String(form.get('defaultTheme') ?? '') as Theme, defaultLanguage: String(form.get('defaultLanguage') ?? '') as Locale },
        },
      })
      toast.success('Settings saved')
      setState({})
      await router.invalidate()
    } catch (e) {
      const fields = fieldErrorsOf(e)
      setState({ fields, error: fields ? undefined : errorMessage(e) })
    }
  }

  async function setImpersonation(allow: boolean) {
    setSwitching(true)
    try {
      await save({ data: { settings: { allowImpersonation: allow } } })
      toast.success(allow ? 'Haven support may now sign in as people here' : 'Support access is off')
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
      <PageHeader title="Settings" description="Your workspace's name, defaults and security settings." />
      <div className="space-y-6">
        <Card>
          <form onSubmit={onSubmit} className="space-y-6" noValidate>
            <div className="space-y-4">
              <h2 className="text-base font-semibold">Workspace</h2>
              {state.error && <Alert>{state.error}</Alert>}
              <Field
                label="Workspace name"
                name="name"
                defaultValue={current.name}
                required
                maxLength={100}
                autoComplete="organization"
                error={state.fields?.name}
                hint={
                  <>
                    Shown in the navigation and on the sign-in page. The address <span className="font-mono">{current.slug}</span> stays the same.
                  </>
                }
              />
            </div>
            <div className="space-y-4">
              <div>
                <h2 className="text-base font-semibold">Defaults for people</h2>
                <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">Used for anyone who has not chosen their own in their profile.</p>
              </div>
              <fieldset className="space-y-2">
                <legend className="text-sm font-medium text-slate-800 dark:text-slate-200">Theme</legend>
                <div className="flex flex-wrap gap-4">
                  {THEMES.map((theme) => (
                    <label key={theme} className="flex items-center gap-2 text-sm capitalize">
                      <input type="radio" name="defaultTheme" value={theme} defaultChecked={current.settings.defaultTheme === theme} />
                      {theme}
                    </label>
                  ))}
                </div>
                {state.fields?.['settings.defaultTheme'] && (
                  <p className="text-sm text-red-600 dark:text-red-400">{state.fields['settings.defaultTheme']}</p>
                )}
              </fieldset>
              <Select
                label="Language"
                name="defaultLanguage"
                defaultValue={current.settings.defaultLanguage}
                error={state.fields?.['settings.defaultLanguage']}
                className="max-w-xs"
              >
                {LANGUAGES.map((l) => (
                  <option key={l.code} value={l.code}>
                    {l.label}
                  </option>
                ))}
              </Select>
            </div>
            <Button type="submit" pending={state.pending}>
              Save settings
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
                Support access (impersonation)
                <Badge tone={allowed ? 'warning' : 'success'}>{allowed ? 'Allowed' : 'Off'}</Badge>
              </h2>
              <p id="support-access-description" className="text-sm text-slate-600 dark:text-slate-400">
                When allowed, Haven superusers can sign in as a person in this workspace to investigate a problem, seeing and doing what
                that person can. Each session needs a written reason and ends after a time limit, and everything done in it is recorded in
                this workspace's audit log with both the person's and the superuser's name. Off by default; while it is off, nobody at
                Haven can sign in as your people.
              </p>
            </div>
            <button
              type="button"
              role="switch"
              aria-checked={allowed}
              aria-label="Allow Haven support to sign in as people in this workspace"
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
        title="Allow Haven support to sign in as your people?"
        confirmLabel="Allow support access"
        tone="primary"
        onConfirm={() => setImpersonation(true)}
        onClose={() => setConfirmOn(false)}
      >
        <p>
          Superusers will be able to open time-limited sessions as people in this workspace, each with a written reason and fully
          audited. You can turn this off again at any time.
        </p>
      </ConfirmDialog>
    </>
  )
}

/** Audit retention and legal hold (ADR 013). Changing either is itself recorded in the audit log. */
function AuditRetentionCard({ days, legalHold }: { days: number | null; legalHold: boolean }) {
  const router = useRouter()
  const save = useServerFn(updateSettings)
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
      <h2 className="text-base font-semibold">Audit log</h2>
      <p className="mt-1 max-w-2xl text-sm text-slate-600 dark:text-slate-400">
        How long events stay in the audit log. Older events are removed every hour; the chain of hashes that proves nothing
        was changed keeps a checkpoint, so what remains still verifies. A legal hold keeps everything until it is lifted.
      </p>
      <div className="mt-4 flex flex-wrap items-end gap-6">
        <Select
          label="Keep events"
          className="w-56"
          value={days === null ? 'forever' : String(days)}
          disabled={pending}
          onChange={(e) => {
            const value = e.target.value
            if (value === 'forever') void apply({ auditRetentionDays: null }, 'Audit events are kept forever')
            else setConfirmDays(Number(value) as 30 | 90 | 365)
          }}
        >
          <option value="forever">Forever</option>
          <option value="365">365 days</option>
          <option value="90">90 days</option>
          <option value="30">30 days</option>
        </Select>
        <label className="flex items-center gap-2 pb-2 text-sm">
          <input
            type="checkbox"
            checked={legalHold}
            disabled={pending}
            onChange={(e) =>
              void apply({ auditLegalHold: e.target.checked }, e.target.checked ? 'Legal hold on: nothing is removed' : 'Legal hold lifted')
            }
          />
          Legal hold (suspend removal)
        </label>
      </div>
      <ConfirmDialog
        open={confirmDays !== null}
        title={`Keep audit events for ${confirmDays ?? ''} days?`}
        confirmLabel="Remove older events"
        onConfirm={() => apply({ auditRetentionDays: confirmDays }, `Audit events are kept for ${confirmDays} days`)}
        onClose={() => setConfirmDays(null)}
      >
        <p>Events older than {confirmDays} days will be removed for good at the next hourly run{legalHold ? ', once the legal hold is lifted' : ''}.</p>
      </ConfirmDialog>
    </Card>
  )
}
