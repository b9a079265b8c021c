import { getRouteApi, useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { type FormEvent, useState } from 'react'
import { toast } from 'sonner'
import { PageHeader } from '../../components/app-shell'
import { Button, Card, Field } from '../../components/ui'
import { UnsavedChangesGuard, useFormDirty } from '../../components/unsaved-changes'
import { changePassword, updatePreferences, updateProfile } from './profile.functions'
import { LANGUAGES } from './profile.schemas'
import { errorMessage, fieldErrorsOf } from '../../lib/errors'
import { applyTheme, THEMES, type Theme } from '../../lib/theme'

const Route = getRouteApi('/tenant/_app/profile')

export function Profile() {
  const { user } = Route.useRouteContext()
  const router = useRouter()
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
      toast.success('Name saved')
      nameForm.clear()
      setNameState({})
      await router.invalidate()
    } catch (e) {
      setNameState({ error: fieldErrorsOf(e)?.fullName ?? errorMessage(e) })
    }
  }

  async function onPreference(change: { theme?: Theme; language?: string }) {
    if (change.theme) applyTheme(change.theme)
    try {
      await savePreferences({ data: change })
      toast.success('Preference saved')
      await router.invalidate()
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
      setPwState({ fields: { confirm: 'The two passwords do not match' } })
      return
    }
    setPwState({ pending: true })
    try {
      await savePassword({ data: { currentPassword: String(form.get('currentPassword') ?? ''), newPassword, signOutOthers: true } })
      toast.success('Password changed. Other sessions were signed out.')
      formElement.reset()
      passwordForm.clear()
      setPwState({})
    } catch (e) {
      setPwState({ fields: fieldErrorsOf(e) ?? { currentPassword: errorMessage(e) } })
    }
  }

  return (
    <>
      <PageHeader title="Profile and preferences" description={user.email} />
      <UnsavedChangesGuard dirty={nameForm.dirty || passwordForm.dirty} />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card>
          <h2 className="mb-4 text-base font-semibold">Your name</h2>
          <form onSubmit={onName} onInput={nameForm.onInput} className="space-y-4" noValidate>
            <Field label="Full name" name="fullName" defaultValue={user.fullName} autoComplete="name" error={nameState.error} required />
            <Button type="submit" pending={nameState.pending}>
              Save name
            </Button>
          </form>
        </Card>
        <Card>
          <h2 className="mb-4 text-base font-semibold">Preferences</h2>
          <fieldset className="space-y-2">
            <legend className="text-sm font-medium">Theme</legend>
            <div className="flex gap-4">
              {THEMES.map((t) => (
                <label key={t} className="flex items-center gap-2 text-sm capitalize">
                  <input
                    type="radio"
                    name="theme"
                    value={t}
                    defaultChecked={(user.preferences.theme ?? 'system') === t}
                    onChange={() => onPreference({ theme: t })}
                  />
                  {t}
                </label>
              ))}
            </div>
          </fieldset>
          <div className="mt-4 space-y-1">
            <label htmlFor="language" className="block text-sm font-medium">
              Language
            </label>
            <select
              id="language"
              defaultValue={user.preferences.language ?? 'en'}
              onChange={(e) => onPreference({ language: e.target.value })}
              className="block w-full rounded-md border-0 bg-white px-3 py-2 text-sm ring-1 ring-slate-300 dark:bg-slate-900 dark:ring-slate-700"
            >
              {LANGUAGES.map((l) => (
                <option key={l.code} value={l.code}>
                  {l.label}
                </option>
              ))}
            </select>
          </div>
        </Card>
        <Card className="lg:col-span-2">
          <h2 className="mb-4 text-base font-semibold">Change password</h2>
          <form method="post" onSubmit={onPassword} onInput={passwordForm.onInput} className="grid gap-4 sm:grid-cols-3" noValidate>
            <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" required error={pwState.fields?.currentPassword} />
            <Field label="New password" name="newPassword" type="password" autoComplete="new-password" required hint="At least 8 characters" error={pwState.fields?.newPassword} />
            <Field label="Repeat new password" name="confirm" type="password" autoComplete="new-password" required error={pwState.fields?.confirm} />
            <div className="sm:col-span-3">
              <Button type="submit" pending={pwState.pending}>
                Change password
              </Button>
            </div>
          </form>
        </Card>
      </div>
    </>
  )
}
