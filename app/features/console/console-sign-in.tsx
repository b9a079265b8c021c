import { useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { type FormEvent, useEffect, useState } from 'react'
import { toast } from 'sonner'
import { Alert, Button, Field, Skeleton } from '~/components/ui'
import { errorMessage, isNetworkError } from '~/lib/errors'
import { formFailure } from '~/lib/form-failure'
import { useI18n } from '~/lib/i18n/react'
import { SignInForm } from '../auth/sign-in-form'
import { completeSignIn, startEnrollment } from './mfa.functions'

type Step = { kind: 'password' } | { kind: 'enroll' } | { kind: 'code' } | { kind: 'recovery-codes'; codes: string[] }

/**
 * Console sign-in in two steps: the password opens a short-lived challenge (no session yet); the authenticator's
 * code, or at the first sign-in the enrolment of one, turns it into a session.
 */
export function ConsoleSignIn({ redirectTo }: { redirectTo: string }) {
  const router = useRouter()
  const [step, setStep] = useState<Step>({ kind: 'password' })
  const { t } = useI18n()

  async function enter() {
    toast.success(t('auth.signedIn'))
    await router.invalidate()
    await router.navigate({ href: redirectTo, replace: true })
  }

  if (step.kind === 'password') return <SignInForm redirectTo={redirectTo} showForgot={false} onChallenge={(next) => setStep({ kind: next })} />
  if (step.kind === 'recovery-codes') return <RecoveryCodes codes={step.codes} onDone={enter} />
  return (
    <CodeStep
      enroll={step.kind === 'enroll'}
      onRestart={() => setStep({ kind: 'password' })}
      onDone={async (codes) => (codes ? setStep({ kind: 'recovery-codes', codes }) : enter())}
    />
  )
}

function CodeStep({ enroll, onDone, onRestart }: { enroll: boolean; onDone: (codes: string[] | null) => Promise<void>; onRestart: () => void }) {
  const complete = useServerFn(completeSignIn)
  const start = useServerFn(startEnrollment)
  const [setup, setSetup] = useState<{ secret: string; qr: string; uri: string; email: string }>()
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<string>()
  const [fieldError, setFieldError] = useState<string>()
  const [expired, setExpired] = useState(false)
  const { t } = useI18n()

  useEffect(() => {
    if (!enroll) return
    start()
      .then(setSetup)
      .catch((e: unknown) => {
        setError(errorMessage(e))
        setExpired(true)
      })
  }, [enroll, start])

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const code = String(new FormData(event.currentTarget).get('code') ?? '')
    setPending(true)
    setError(undefined)
    setFieldError(undefined)
    try {
      const result = await complete({ data: { code } })
      await onDone(result.recoveryCodes)
    } catch (e) {
      const failure = formFailure(e)
      // The refusal's reason stays above the field even when the field has its own word ("Wrong code").
      setError(isNetworkError(e) ? undefined : errorMessage(e))
      setFieldError(failure.fields.code)
      if ((e as { code?: string }).code === 'challenge_expired') setExpired(true)
    } finally {
      setPending(false)
    }
  }

  return (
    <form method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
      {enroll && (
        <div className="space-y-3">
          <h2 className="text-base font-semibold text-slate-900 dark:text-slate-100">{t('console.signIn.enrollTitle')}</h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">{t('console.signIn.enrollText')}</p>
          {setup ? (
            <>
              <img src={setup.qr} alt={t('console.signIn.qrAlt', { email: setup.email })} className="mx-auto size-44 rounded bg-white p-1" />
              <div>
                <p className="text-sm font-medium text-slate-800 dark:text-slate-200">{t('console.signIn.key')}</p>
                <code data-testid="totp-secret" className="block break-all rounded bg-slate-100 px-2 py-1 font-mono text-sm dark:bg-slate-800">
                  {setup.secret}
                </code>
              </div>
            </>
          ) : (
            !expired && <Skeleton className="mx-auto size-44" />
          )}
        </div>
      )}
      {error && <Alert>{error}</Alert>}
      {expired ? (
        <Button type="button" className="w-full" onClick={onRestart}>
          {t('console.signIn.startAgain')}
        </Button>
      ) : (
        <>
          <Field
            label={enroll ? t('console.signIn.codeFromApp') : t('console.signIn.code')}
            name="code"
            inputMode={enroll ? 'numeric' : 'text'}
            autoComplete="one-time-code"
            autoFocus
            required
            error={fieldError}
            hint={enroll ? undefined : t('console.signIn.codeHint')}
          />
          <Button type="submit" className="w-full" pending={pending}>
            {enroll ? t('console.signIn.turnOn') : t('console.signIn.verify')}
          </Button>
        </>
      )}
    </form>
  )
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => Promise<void> }) {
  const [pending, setPending] = useState(false)
  const { t } = useI18n()
  return (
    <div className="space-y-4">
      <h2 className="text-base font-semibold text-slate-900 dark:text-slate-100">{t('console.signIn.saveCodes')}</h2>
      <p className="text-sm text-slate-600 dark:text-slate-400">{t('console.signIn.saveCodesText')}</p>
      <ul aria-label={t('console.signIn.recoveryCodes')} className="grid grid-cols-2 gap-2 rounded bg-slate-100 p-3 font-mono text-sm dark:bg-slate-800">
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      <Button
        type="button"
        variant="secondary"
        className="w-full"
        onClick={() => navigator.clipboard?.writeText(codes.join('\n')).then(() => toast.success(t('console.signIn.copied')))}
      >
        {t('console.signIn.copy')}
      </Button>
      <Button
        type="button"
        className="w-full"
        pending={pending}
        onClick={() => {
          setPending(true)
          void onDone().finally(() => setPending(false))
        }}
      >
        {t('console.signIn.saved')}
      </Button>
    </div>
  )
}
