import { createFileRoute, Link } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { type FormEvent, useState } from 'react'
import { Alert, Button, CenteredPage, Field } from '../../components/ui'
import { requestPasswordReset } from '../../features/auth/auth.functions'
import { errorMessage, fieldErrorsOf } from '../../lib/errors'

export const Route = createFileRoute('/tenant/forgot-password')({
  head: () => ({ meta: [{ title: 'Reset your password — Haven' }] }),
  component: ForgotPassword,
})

function ForgotPassword() {
  const send = useServerFn(requestPasswordReset)
  const [state, setState] = useState<{ pending?: boolean; done?: boolean; error?: string; field?: string }>({})

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const email = String(new FormData(event.currentTarget).get('email') ?? '')
    setState({ pending: true })
    try {
      await send({ data: { email } })
      setState({ done: true })
    } catch (e) {
      setState({ error: errorMessage(e), field: fieldErrorsOf(e)?.email })
    }
  }

  return (
    <CenteredPage title="Reset your password" subtitle="We will send a link to set a new password.">
      {state.done ? (
        <Alert tone="success">
          If an account with that email exists in this workspace, a reset link is on its way. It is valid for one hour.
        </Alert>
      ) : (
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          {state.error && !state.field && <Alert>{state.error}</Alert>}
          <Field label="Email" name="email" type="email" autoComplete="username" required autoFocus error={state.field} />
          <Button type="submit" className="w-full" pending={state.pending}>
            Send reset link
          </Button>
        </form>
      )}
      <p className="mt-4 text-center text-sm">
        <Link to="/tenant/sign-in" className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
          Back to sign in
        </Link>
      </p>
    </CenteredPage>
  )
}
