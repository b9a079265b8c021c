import { useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { type FormEvent, useEffect, useState } from 'react'
import { toast } from 'sonner'
import { Alert, Button, Field, Skeleton } from '~/components/ui'
import { errorMessage, fieldErrorsOf } from '~/lib/errors'
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

  async function enter() {
    toast.success('Signed in')
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
      setError(errorMessage(e))
      setFieldError(fieldErrorsOf(e)?.code)
      if ((e as { code?: string }).code === 'challenge_expired') setExpired(true)
    } finally {
      setPending(false)
    }
  }

  return (
    <form method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
      {enroll && (
        <div className="space-y-3">
          <h2 className="text-base font-semibold text-slate-900 dark:text-slate-100">Set up two-factor authentication</h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Every console account needs an authenticator app. Scan the QR code, or type the key, then enter the 6-digit code it shows.
          </p>
          {setup ? (
            <>
              <img src={setup.qr} alt={`QR code for the authenticator key of ${setup.email}`} className="mx-auto size-44 rounded bg-white p-1" />
              <div>
                <p className="text-sm font-medium text-slate-800 dark:text-slate-200">Key</p>
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
          Start again
        </Button>
      ) : (
        <>
          <Field
            label={enroll ? 'Code from your authenticator' : 'Authentication code'}
            name="code"
            inputMode={enroll ? 'numeric' : 'text'}
            autoComplete="one-time-code"
            autoFocus
            required
            error={fieldError}
            hint={enroll ? undefined : 'The 6-digit code from your authenticator, or one of your recovery codes.'}
          />
          <Button type="submit" className="w-full" pending={pending}>
            {enroll ? 'Turn on and sign in' : 'Verify'}
          </Button>
        </>
      )}
    </form>
  )
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => Promise<void> }) {
  const [pending, setPending] = useState(false)
  return (
    <div className="space-y-4">
      <h2 className="text-base font-semibold text-slate-900 dark:text-slate-100">Save your recovery codes</h2>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Each code signs you in once if you lose your authenticator. They are shown only now; Haven keeps only their hashes.
      </p>
      <ul aria-label="Recovery codes" className="grid grid-cols-2 gap-2 rounded bg-slate-100 p-3 font-mono text-sm dark:bg-slate-800">
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      <Button
        type="button"
        variant="secondary"
        className="w-full"
        onClick={() => navigator.clipboard?.writeText(codes.join('\n')).then(() => toast.success('Copied'))}
      >
        Copy codes
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
        I have saved them — continue
      </Button>
    </div>
  )
}
