import { Link, useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { type FormEvent, useState } from 'react'
import { toast } from 'sonner'
import { Alert, Button, Field } from '~/components/ui'
import { formFailure } from '~/lib/form-failure'
import { useI18n } from '~/lib/i18n/react'
import { signIn } from './auth.functions'

/** Email + password sign-in for the realm of the current Host (a tenant or the console). */
export function SignInForm({
  redirectTo,
  showForgot,
  onChallenge,
}: {
  redirectTo: string
  showForgot: boolean
  /** The console: the password opened a code challenge (set up an authenticator first, or enter a code). */
  onChallenge?: (next: 'enroll' | 'code') => void
}) {
  const router = useRouter()
  const { t } = useI18n()
  const submit = useServerFn(signIn)
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<string>()
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({})

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    setPending(true)
    setError(undefined)
    setFieldErrors({})
    try {
      const result = await submit({ data: { email: String(form.get('email') ?? ''), password: String(form.get('password') ?? ''), rememberMe: true } })
      if (result.next && onChallenge) {
        onChallenge(result.next)
        return
      }
      toast.success(t('auth.signedIn'))
      await router.invalidate()
      await router.navigate({ href: redirectTo, replace: true })
    } catch (e) {
      const failure = formFailure(e)
      setError(failure.message)
      setFieldErrors(failure.fields)
    } finally {
      setPending(false)
    }
  }

  // method="post": a form submitted before hydration must not put the password in the URL (history, logs, Referer).
  return (
    <form method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
      {/* Field errors sit under their fields; the summary is for what belongs to no field (wrong password, limits). */}
      {error && Object.keys(fieldErrors).length === 0 && <Alert>{error}</Alert>}
      <Field label={t('common.email')} name="email" type="email" autoComplete="username" required autoFocus error={fieldErrors.email} />
      <Field
        label={t('common.password')}
        name="password"
        type="password"
        autoComplete="current-password"
        required
        error={fieldErrors.password}
      />
      <Button type="submit" className="w-full" pending={pending}>
        {t('auth.signIn')}
      </Button>
      {showForgot && (
        <p className="text-center text-sm">
          <Link to="/tenant/forgot-password" className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
            {t('auth.forgot')}
          </Link>
        </p>
      )}
    </form>
  )
}

/** Only same-site relative paths are followed after sign-in. */
export function safeRedirect(value: unknown): string {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') ? value : '/'
}
