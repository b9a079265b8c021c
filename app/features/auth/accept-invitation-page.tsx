import { getRouteApi, Link, useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import type { TFunction } from 'i18next'
import { type FormEvent, useState } from 'react'
import { Trans } from 'react-i18next'
import { toast } from 'sonner'
import { Alert, Button, CenteredPage, Field } from '~/components/ui'
import { formFailure } from '~/lib/form-failure'
import { useI18n } from '~/lib/i18n/react'
import { acceptInvitation } from './auth.functions'
import { LastingAccessNote, useImpersonating } from '../console/impersonation-limits'

const Route = getRouteApi('/tenant/invite/$token')

export function AcceptInvitation() {
  const { invitation, error } = Route.useLoaderData()
  const { token } = Route.useParams()
  const router = useRouter()
  const { t, tr } = useI18n()
  const impersonating = useImpersonating()
  const accept = useServerFn(acceptInvitation)
  const [state, setState] = useState<{ pending?: boolean; error?: string; fields?: Record<string, string> }>({})

  if (!invitation) {
    return (
      <CenteredPage title={t('auth.inviteUnusable')}>
        <Alert>{error ? tr(error) : null}</Alert>
        <p className="mt-4 text-sm text-slate-600 dark:text-slate-400">
          <Trans i18nKey="auth.inviteAskNew" components={{ link: <Link to="/tenant/sign-in" className="font-medium text-indigo-600 hover:underline" /> }} />
        </p>
      </CenteredPage>
    )
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const password = String(form.get('password') ?? '')
    if (password !== String(form.get('confirm') ?? '')) {
      setState({ fields: { confirm: t('common.passwordsDiffer') } })
      return
    }
    setState({ pending: true })
    try {
      await accept({ data: { token, fullName: String(form.get('fullName') ?? ''), password } })
      toast.success(t('auth.welcome', { workspace: invitation?.workspace ?? '' }))
      await router.invalidate()
      await router.navigate({ to: '/tenant', replace: true })
    } catch (e) {
      const failure = formFailure(e)
      setState({ error: failure.message, fields: failure.fields })
    }
  }

  return (
    <CenteredPage title={t('auth.joinWorkspace', { workspace: invitation.workspace })} subtitle={invitationSubtitle(t, invitation)}>
      {impersonating ? (
        <LastingAccessNote />
      ) : (
        <form method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
          {state.error && <Alert>{state.error}</Alert>}
          <Field label={t('common.fullName')} name="fullName" autoComplete="name" defaultValue={invitation.fullName} required error={state.fields?.fullName} />
          <Field label={t('common.password')} name="password" type="password" autoComplete="new-password" required hint={t('common.atLeast8')} error={state.fields?.password} />
          <Field label={t('auth.repeatPassword')} name="confirm" type="password" autoComplete="new-password" required error={state.fields?.confirm} />
          <Button type="submit" className="w-full" pending={state.pending}>
            {t('auth.createAccount')}
          </Button>
        </form>
      )}
    </CenteredPage>
  )
}

/** Who invited whom, to which workspace and role: what a person wants to know before making an account. */
function invitationSubtitle(t: TFunction, i: { email: string; workspace: string; invitedBy: string | null; roleName: string | null }) {
  const params = { who: i.invitedBy ?? '', email: i.email, workspace: i.workspace, role: i.roleName ?? '' }
  if (i.invitedBy) return i.roleName ? t('auth.invitedByAsRole', params) : t('auth.invitedBy', params)
  return i.roleName ? t('auth.invitedAsRole', params) : t('auth.invited', params)
}
