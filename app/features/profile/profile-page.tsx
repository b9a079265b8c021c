import { getRouteApi, useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { type FormEvent, useState } from 'react'
import { toast } from 'sonner'
import { PageHeader } from '~/components/app-shell'
import { Button, Card, Field } from '~/components/ui'
import { UnsavedChangesGuard, useFormDirty } from '~/components/unsaved-changes'
import { changePassword, updatePreferences, updateProfile } from './profile.functions'
import { useImpersonating } from '../console/impersonation-limits'
import { LANGUAGES } from './profile.schemas'
import { errorMessage } from '~/lib/errors'
import { formFailure } from '~/lib/form-failure'
import { isLocale, type Locale, tFor } from '~/lib/i18n'
import { useI18n } from '~/lib/i18n/react'
import { applyTheme, THEMES, type Theme } from '~/lib/theme'

const Route = getRouteApi('/tenant/_app/profile')

export function Profile() {
  const { user } = Route.useRouteContext()
  const impersonating = useImpersonating()
  const router = useRouter()
  const { t, locale } = useI18n()
  const saveProfile = useServerFn(updateProfile)
  const savePreferences = useServerFn(updatePreferences)
  const savePassword = useServerFn(changePassword)
  const [nameState, setNameState] = useState<{ pending?: boolean; error?: string }>({})
  const [pwState, setPwState] = useState<{ pending?: boolean; fields?: Record<string, string> }>({})
  const nameForm = useFormDirty()
  const passwordForm = useFormDirty()

  async function onName(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setNameState({ pending: true })
    try {
      await saveProfile({ data: { fullName: String(new FormData(event.currentTarget).get('fullName') ?? '') } })
      toast.success(t('profile.nameSaved'))
      nameForm.clear()
      setNameState({})
      await router.invalidate()
    } catch (e) {
      const failure = formFailure(e)
      setNameState({ error: failure.fields.fullName ?? failure.message })
    }
  }

  async function onPreference(change: { theme?: Theme; language?: Locale | 'default' }) {
    if (change.theme) applyTheme(change.theme)
    try {
      await savePreferences({ data: change })
      await router.invalidate()
      toast.success(tFor(change.language && change.language !== 'default' ? change.language : locale)('profile.preferenceSaved'))
    } catch (e) {
      toast.error(errorMessage(e))
    }
  }

  async function onPassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const formElement = event.currentTarget
    const form = new FormData(formElement)
    const newPassword = String(form.get('newPassword') ?? '')
    if (newPassword !== String(form.get('confirm') ?? '')) {
      setPwState({ fields: { confirm: t('common.passwordsDiffer') } })
      return
    }
    setPwState({ pending: true })
    try {
      await savePassword({ data: { currentPassword: String(form.get('currentPassword') ?? ''), newPassword, signOutOthers: true } })
      toast.success(t('profile.passwordChanged'))
      formElement.reset()
      passwordForm.clear()
      setPwState({})
    } catch (e) {
      // A refusal without fields is about the current password (it did not match); a lost connection is a toast.
      const { fields, message } = formFailure(e)
      setPwState({ fields: message ? { currentPassword: message } : fields })
    }
  }

  return (
    <>
      <PageHeader title={t('profile.heading')} description={user.email} />
      <UnsavedChangesGuard dirty={nameForm.dirty || passwordForm.dirty} />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card>
          <h2 className="mb-4 text-base font-semibold">{t('profile.yourName')}</h2>
          <form onSubmit={onName} onInput={nameForm.onInput} className="space-y-4" noValidate>
            <Field label={t('common.fullName')} name="fullName" defaultValue={user.fullName} autoComplete="name" error={nameState.error} required />
            <Button type="submit" pending={nameState.pending}>
              {t('profile.saveName')}
            </Button>
          </form>
        </Card>
        <Card>
          <h2 className="mb-4 text-base font-semibold">{t('profile.preferences')}</h2>
          <fieldset className="space-y-2">
            <legend className="text-sm font-medium">{t('profile.theme')}</legend>
            <div className="flex gap-4">
              {THEMES.map((theme) => (
                <label key={theme} className="flex items-center gap-2 text-sm">
                  <input
                    type="radio"
                    name="theme"
                    value={theme}
                    defaultChecked={(user.preferences.theme ?? 'system') === theme}
                    onChange={() => onPreference({ theme })}
                  />
                  {t(`profile.themes.${theme}`)}
                </label>
              ))}
            </div>
          </fieldset>
          <div className="mt-4 space-y-1">
            <label htmlFor="language" className="block text-sm font-medium">
              {t('profile.language')}
            </label>
            <select
              id="language"
              value={isLocale(user.preferences.language) ? user.preferences.language : 'default'}
              onChange={(e) => {
                const value = e.target.value
                if (value === 'default' || isLocale(value)) void onPreference({ language: value })
              }}
              className="block w-full rounded-md border-0 bg-white px-3 py-2 text-sm ring-1 ring-slate-300 dark:bg-slate-900 dark:ring-slate-700"
            >
              <option value="default">{t('profile.languageDefault')}</option>
              {LANGUAGES.map((l) => (
                <option key={l.code} value={l.code} lang={l.code}>
                  {l.label}
                </option>
              ))}
            </select>
          </div>
        </Card>
        <Card className="lg:col-span-2">
          <h2 className="mb-4 text-base font-semibold">{t('profile.changePassword')}</h2>
          {impersonating ? (
            <p className="text-sm text-slate-600 dark:text-slate-400">{t('profile.passwordWhileImpersonating', { name: user.fullName })}</p>
          ) : (
            <form method="post" onSubmit={onPassword} onInput={passwordForm.onInput} className="grid gap-4 sm:grid-cols-3" noValidate>
              <Field label={t('profile.currentPassword')} name="currentPassword" type="password" autoComplete="current-password" required error={pwState.fields?.currentPassword} />
              <Field label={t('profile.newPassword')} name="newPassword" type="password" autoComplete="new-password" required hint={t('common.atLeast8')} error={pwState.fields?.newPassword} />
              <Field label={t('profile.repeatNewPassword')} name="confirm" type="password" autoComplete="new-password" required error={pwState.fields?.confirm} />
              <div className="sm:col-span-3">
                <Button type="submit" pending={pwState.pending}>
                  {t('profile.changePassword')}
                </Button>
              </div>
            </form>
          )}
        </Card>
      </div>
    </>
  )
}
