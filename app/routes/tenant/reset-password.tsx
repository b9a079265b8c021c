import { createFileRoute, Link } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { type FormEvent, useState } from 'react'
import { z } from 'zod'
import { Alert, Button, CenteredPage, Field } from '~/components/ui'
import { getResetLinkStatus, resetPassword } from '~/features/auth/auth.functions'
import { errorMessage, fieldErrorsOf } from '~/lib/errors'
import { useI18n } from '~/lib/i18n/react'
import { pageTitle } from '~/lib/i18n/title'

export const Route = createFileRoute('/tenant/reset-password')({
  validateSearch: z.object({ token: z.string().optional() }),
  loaderDeps: ({ search }) => ({ token: search.token }),
  loader: async ({ deps }) => {
    if (!deps.token) return { usable: false }
    try {
      return await getResetLinkStatus({ data: { token: deps.token } })
    } catch (e) {
      // A mangled token (cut off when the link was copied) is refused as bad input: it is a link that does not work.
      if ((e as { status?: number }).status === 400) return { usable: false }
      throw e
    }
  },
  head: ({ match }) => pageTitle(match.context, 'auth.newPasswordTitle'),
  component: ResetPassword,
})

function ResetPassword() {
  const { token } = Route.useSearch()
  const { usable } = Route.useLoaderData()
  const reset = useServerFn(resetPassword)
  const { t } = useI18n()
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
      setState({ error: errorMessage(e), field: fieldErrorsOf(e)?.password })
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
      {state.done ? (
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
