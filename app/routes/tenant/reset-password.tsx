import { createFileRoute, Link } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { type FormEvent, useState } from 'react'
import { z } from 'zod'
import { Alert, Button, CenteredPage, Field } from '../../components/ui'
import { getResetLinkStatus, resetPassword } from '../../features/auth/auth.functions'
import { errorMessage, fieldErrorsOf } from '../../lib/errors'

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
  head: () => ({ meta: [{ title: 'Choose a new password — Haven' }] }),
  component: ResetPassword,
})

function ResetPassword() {
  const { token } = Route.useSearch()
  const { usable } = Route.useLoaderData()
  const reset = useServerFn(resetPassword)
  const [state, setState] = useState<{ pending?: boolean; done?: boolean; error?: string; field?: string }>({})

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const password = String(form.get('password') ?? '')
    if (password !== String(form.get('confirm') ?? '')) {
      setState({ field: 'The two passwords do not match' })
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
      <CenteredPage title="Reset link missing">
        <Alert>This page needs the link from your reset email. Ask for a new one below.</Alert>
        <Link to="/tenant/forgot-password" className="mt-4 block text-center text-sm font-medium text-indigo-600 hover:underline">
          Request a reset link
        </Link>
      </CenteredPage>
    )
  }
  if (!usable && !state.done) {
    return (
      <CenteredPage title="This reset link no longer works">
        <Alert>It was already used, or it has expired (a link works for one hour). Ask for a new one and use the newest email.</Alert>
        <Link to="/tenant/forgot-password" className="mt-4 block text-center text-sm font-semibold text-indigo-700 hover:underline dark:text-indigo-300">
          Send me a new reset link
        </Link>
      </CenteredPage>
    )
  }
  return (
    <CenteredPage title="Choose a new password">
      {state.done ? (
        <div className="space-y-4">
          <Alert tone="success">Your password was changed, and you were signed out everywhere else.</Alert>
          <Link to="/tenant/sign-in" className="block text-center text-sm font-semibold text-indigo-600 hover:underline">
            Sign in with your new password
          </Link>
        </div>
      ) : (
        <form method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
          {state.error && !state.field && <Alert>{state.error}</Alert>}
          <Field label="New password" name="password" type="password" autoComplete="new-password" required error={state.field} hint="At least 8 characters" />
          <Field label="Repeat the new password" name="confirm" type="password" autoComplete="new-password" required />
          <Button type="submit" className="w-full" pending={state.pending}>
            Set new password
          </Button>
        </form>
      )}
    </CenteredPage>
  )
}
