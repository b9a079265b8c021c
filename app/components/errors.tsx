import { type ErrorComponentProps, useRouter } from '@tanstack/react-router'
import { type ReactNode, useEffect } from 'react'
import { errorMessage, isNetworkError } from '../lib/errors'
import { Button } from './ui'

function StatusPage({ code, title, children }: { code: string; title: string; children: ReactNode }) {
  // A status page renders in place of a route, whose head() never ran, so it names itself in the title.
  useEffect(() => {
    document.title = `${title} — Haven`
  }, [title])
  return (
    <section aria-labelledby="status-title" className="flex min-h-[70vh] flex-col items-center justify-center px-6 text-center">
      <p className="text-sm font-semibold text-indigo-600 dark:text-indigo-400">{code}</p>
      <h1 id="status-title" className="mt-2 text-3xl font-bold tracking-tight">
        {title}
      </h1>
      <div className="mt-4 max-w-md text-slate-600 dark:text-slate-400">{children}</div>
    </section>
  )
}

export function NotFound() {
  return (
    <StatusPage code="404" title="Page not found">
      <p>There is nothing here. The address may be mistyped, or the item may have been removed.</p>
      <a href="/" className="mt-6 inline-block font-semibold text-indigo-600 hover:underline dark:text-indigo-400">
        Go to the start page
      </a>
    </StatusPage>
  )
}

export function WorkspaceNotFound() {
  return (
    <StatusPage code="404" title="No workspace here">
      <p>This address does not belong to any Haven workspace. Check the spelling of the workspace name.</p>
    </StatusPage>
  )
}

export function WorkspaceSuspended({ name }: { name: string }) {
  return (
    <StatusPage code="403" title="This workspace is suspended">
      <p>
        {name} is suspended, so nobody can sign in right now. Its data is kept safe. If you run this workspace, contact
        Haven support to reactivate it.
      </p>
    </StatusPage>
  )
}

export function Forbidden() {
  return (
    <StatusPage code="403" title="Not allowed">
      <p>Your roles in this workspace do not include access to this page. An administrator can grant it.</p>
      <a href="/" className="mt-6 inline-block font-semibold text-indigo-600 hover:underline dark:text-indigo-400">
        Back to the dashboard
      </a>
    </StatusPage>
  )
}

export function DefaultCatchBoundary({ error, reset }: ErrorComponentProps) {
  const router = useRouter()
  const status = (error as { status?: number }).status
  if (status === 403) return <Forbidden />
  if (status === 404) return <NotFound />
  const offline = isNetworkError(error)
  return (
    <StatusPage code={offline ? 'Offline' : status ? String(status) : '500'} title={offline ? "Couldn't reach Haven" : 'Something went wrong'}>
      <p>
        {offline
          ? 'Check your connection, then try again. Nothing was lost.'
          : status && status < 500
            ? errorMessage(error)
            : 'An unexpected error stopped this page. Your data is safe; please try again.'}
      </p>
      <Button
        className="mt-6"
        onClick={() => {
          reset()
          void router.invalidate()
        }}
      >
        Try again
      </Button>
    </StatusPage>
  )
}
