import { getRouteApi, Link } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { type FormEvent, useState } from 'react'
import { Alert, Button, CenteredPage, Field } from '~/components/ui'
import { formFailure } from '~/lib/form-failure'
import { useI18n } from '~/lib/i18n/react'
import { resetPassword } from './auth.functions'
import { LastingAccessNote, useImpersonating } from '../console/impersonation-limits'

const Route = getRouteApi('/tenant/reset-password')

export function ResetPassword() {
  const { token } = Route.useSearch()
  const { usable } = Route.useLoaderData()
  const reset = useServerFn(resetPassword)
  const { t } = useI18n()
  const impersonating = useImpersonating()
  const [state, setState] = useState<{ pending?: boolean; done?: boolean; error?: string; field?: string }>({})

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const password = String(form.get('password') ?? '')
    if (password !== String(form.get('confirm') ?? '')) {
      setState({ field: t('common.passwordsDiffer') })
      return
    }
    setState({ pending: true })
    try {
      await reset({ data: { token: token ?? '', password } })
      setState({ done: true })
    } catch (e) {
      const failure = formFailure(e)
      setState({ error: failure.message, field: failure.fields.password })
    }
  }

  if (!token) {
    return (
      <CenteredPage title={t('auth.resetMissingTitle')}>
        <Alert>{t('auth.resetMissing')}</Alert>
        <Link to="/tenant/forgot-password" className="mt-4 block text-center text-sm font-medium text-indigo-600 hover:underline">
          {t('auth.requestReset')}
        </Link>
      </CenteredPage>
    )
  }
  if (!usable && !state.done) {
    return (
      <CenteredPage title={t('auth.resetUsedTitle')}>
        <Alert>{t('auth.resetUsedBody')}</Alert>
        <Link to="/tenant/forgot-password" className="mt-4 block text-center text-sm font-semibold text-indigo-700 hover:underline dark:text-indigo-300">
          {t('auth.sendNewLink')}
        </Link>
      </CenteredPage>
    )
  }
  return (
    <CenteredPage title={t('auth.newPasswordTitle')}>
      {impersonating ? (
        <LastingAccessNote />
      ) : state.done ? (
        <div className="space-y-4">
          <Alert tone="success">{t('auth.passwordChanged')}</Alert>
          <Link to="/tenant/sign-in" className="block text-center text-sm font-semibold text-indigo-600 hover:underline">
            {t('auth.signInWithNew')}
          </Link>
        </div>
      ) : (
        <form method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
          {state.error && !state.field && <Alert>{state.error}</Alert>}
          <Field label={t('auth.newPassword')} name="password" type="password" autoComplete="new-password" required error={state.field} hint={t('common.atLeast8')} />
          <Field label={t('auth.repeatNewPassword')} name="confirm" type="password" autoComplete="new-password" required />
          <Button type="submit" className="w-full" pending={state.pending}>
            {t('auth.setNewPassword')}
          </Button>
        </form>
      )}
    </CenteredPage>
  )
}
