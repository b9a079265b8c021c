import { Link } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { type FormEvent, useState } from 'react'
import { Alert, Button, CenteredPage, Field } from '~/components/ui'
import { formFailure } from '~/lib/form-failure'
import { useI18n } from '~/lib/i18n/react'
import { requestPasswordReset } from './auth.functions'
import { LastingAccessNote, useImpersonating } from '../console/impersonation-limits'

export function ForgotPassword() {
  const send = useServerFn(requestPasswordReset)
  const { t } = useI18n()
  const impersonating = useImpersonating()
  const [state, setState] = useState<{ pending?: boolean; done?: boolean; error?: string; field?: string }>({})

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const email = String(new FormData(event.currentTarget).get('email') ?? '')
    setState({ pending: true })
    try {
      await send({ data: { email } })
      setState({ done: true })
    } catch (e) {
      const failure = formFailure(e)
      setState({ error: failure.message, field: failure.fields.email })
    }
  }

  return (
    <CenteredPage title={t('auth.resetTitle')} subtitle={t('auth.resetSubtitle')}>
      {impersonating ? (
        <LastingAccessNote />
      ) : state.done ? (
        <Alert tone="success">{t('auth.resetSent')}</Alert>
      ) : (
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          {state.error && !state.field && <Alert>{state.error}</Alert>}
          <Field label={t('common.email')} name="email" type="email" autoComplete="username" required autoFocus error={state.field} />
          <Button type="submit" className="w-full" pending={state.pending}>
            {t('auth.sendReset')}
          </Button>
        </form>
      )}
      <p className="mt-4 text-center text-sm">
        <Link to="/tenant/sign-in" className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
          {t('auth.backToSignIn')}
        </Link>
      </p>
    </CenteredPage>
  )
}
