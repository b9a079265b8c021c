import { createFileRoute, Link, useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { type FormEvent, useState } from 'react'
import { toast } from 'sonner'
import { Alert, Button, CenteredPage, Field } from '../../components/ui'
import { acceptInvitation, getInvitation } from '../../features/auth/auth.functions'
import { errorMessage, fieldErrorsOf } from '../../lib/errors'

export const Route = createFileRoute('/tenant/invite/$token')({
  loader: async ({ params }) => {
    try {
      return { invitation: await getInvitation({ data: { token: params.token } }), error: null }
    } catch (e) {
      return { invitation: null, error: errorMessage(e) }
    }
  },
  head: () => ({ meta: [{ title: 'Accept your invitation — Haven' }] }),
  component: AcceptInvitation,
})

function AcceptInvitation() {
  const { invitation, error } = Route.useLoaderData()
  const { token } = Route.useParams()
  const router = useRouter()
  const accept = useServerFn(acceptInvitation)
  const [state, setState] = useState<{ pending?: boolean; error?: string; fields?: Record<string, string> }>({})

  if (!invitation) {
    return (
      <CenteredPage title="This invitation cannot be used">
        <Alert>{error}</Alert>
        <p className="mt-4 text-sm text-slate-600 dark:text-slate-400">
          Ask the person who invited you to send a new invitation, or{' '}
          <Link to="/tenant/sign-in" className="font-medium text-indigo-600 hover:underline">
            sign in
          </Link>{' '}
          if you already have an account.
        </p>
      </CenteredPage>
    )
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const password = String(form.get('password') ?? '')
    if (password !== String(form.get('confirm') ?? '')) {
      setState({ fields: { confirm: 'The two passwords do not match' } })
      return
    }
    setState({ pending: true })
    try {
      await accept({ data: { token, fullName: String(form.get('fullName') ?? ''), password } })
      toast.success(`Welcome to ${invitation?.workspace}`)
      await router.invalidate()
      await router.navigate({ to: '/tenant', replace: true })
    } catch (e) {
      setState({ error: errorMessage(e), fields: fieldErrorsOf(e) })
    }
  }

  return (
    <CenteredPage title={`Join ${invitation.workspace}`} subtitle={invitationSubtitle(invitation)}>
      <form method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
        {state.error && !state.fields && <Alert>{state.error}</Alert>}
        <Field label="Full name" name="fullName" autoComplete="name" defaultValue={invitation.fullName} required error={state.fields?.fullName} />
        <Field label="Password" name="password" type="password" autoComplete="new-password" required hint="At least 8 characters" error={state.fields?.password} />
        <Field label="Repeat the password" name="confirm" type="password" autoComplete="new-password" required error={state.fields?.confirm} />
        <Button type="submit" className="w-full" pending={state.pending}>
          Create my account
        </Button>
      </form>
    </CenteredPage>
  )
}

/** Who invited whom, to which workspace and role: what a person wants to know before making an account. */
function invitationSubtitle(i: { email: string; workspace: string; invitedBy: string | null; roleName: string | null }) {
  const who = i.invitedBy ? `${i.invitedBy} invited you` : 'You were invited'
  const role = i.roleName ? ` as ${i.roleName}` : ''
  return `${who} (${i.email}) to the ${i.workspace} workspace${role}. Check your name and choose a password.`
}
