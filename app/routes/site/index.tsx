import { createFileRoute } from '@tanstack/react-router'
import { type FormEvent, useState } from 'react'
import { Button, CenteredPage, Field } from '../../components/ui'
import { SLUG_PATTERN } from '../../lib/enums'

export const Route = createFileRoute('/site/')({
  head: () => ({ meta: [{ title: 'Haven — go to your workspace' }] }),
  component: Landing,
})

function Landing() {
  const { realm } = Route.useRouteContext()
  const [slug, setSlug] = useState('')
  const [error, setError] = useState<string>()

  function go(event: FormEvent) {
    event.preventDefault()
    const value = slug.trim().toLowerCase()
    if (!SLUG_PATTERN.test(value)) {
      setError('Workspace names use lowercase letters, digits and dashes, like "acme".')
      return
    }
    window.location.assign(`${realm.protocol}://${value}.${realm.rootDomain}/sign-in`)
  }

  if (realm.kind === 'unknown') {
    return (
      <CenteredPage title="No workspace here" subtitle="This address does not belong to any Haven workspace.">
        <p className="text-sm">
          Go to{' '}
          <a className="font-semibold text-indigo-600 hover:underline" href={`${realm.protocol}://${realm.rootDomain}/`}>
            {realm.rootDomain}
          </a>{' '}
          to find yours.
        </p>
      </CenteredPage>
    )
  }

  return (
    <CenteredPage title="Go to your workspace" subtitle="Every team has its own address. Type your workspace name to sign in.">
      <form onSubmit={go} className="space-y-4" noValidate>
        <Field
          label="Workspace"
          name="workspace"
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          placeholder="acme"
          value={slug}
          onChange={(e) => {
            setSlug(e.target.value)
            setError(undefined)
          }}
          error={error}
          hint={`You will be taken to ${slug.trim().toLowerCase() || 'name'}.${realm.rootDomain}`}
        />
        <Button type="submit" className="w-full">
          Continue
        </Button>
      </form>
    </CenteredPage>
  )
}
