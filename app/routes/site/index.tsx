import { Trans } from 'react-i18next'
import { useI18n } from '~/lib/i18n/react'
import { pageTitle } from '~/lib/i18n/title'
import { createFileRoute } from '@tanstack/react-router'
import { type FormEvent, useState } from 'react'
import { Button, CenteredPage, Field } from '~/components/ui'
import { SLUG_PATTERN } from '~/lib/enums'

export const Route = createFileRoute('/site/')({
  head: ({ match }) => pageTitle(match.context, 'site.title'),
  component: Landing,
})

function Landing() {
  const { realm } = Route.useRouteContext()
  const [slug, setSlug] = useState('')
  const [error, setError] = useState<string>()
  const { t } = useI18n()

  function go(event: FormEvent) {
    event.preventDefault()
    const value = slug.trim().toLowerCase()
    if (!SLUG_PATTERN.test(value)) {
      setError(t('site.slugRule'))
      return
    }
    window.location.assign(`${realm.protocol}://${value}.${realm.rootDomain}/sign-in`)
  }

  if (realm.kind === 'unknown') {
    return (
      <CenteredPage title={t('status.noWorkspaceTitle')} subtitle={t('site.noWorkspace')}>
        <p className="text-sm">
          <Trans
            i18nKey="site.goTo"
            values={{ domain: realm.rootDomain }}
            components={{
              link: (
                <a className="font-semibold text-indigo-600 hover:underline" href={`${realm.protocol}://${realm.rootDomain}/`}>
                  {realm.rootDomain}
                </a>
              ),
            }}

          />
        </p>
      </CenteredPage>
    )
  }

  return (
    <CenteredPage title={t('site.title')} subtitle={t('site.subtitle')}>
      <form onSubmit={go} className="space-y-4" noValidate>
        <Field
          label={t('site.workspace')}
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
          hint={t('site.hint', { host: `${slug.trim().toLowerCase() || t('site.name')}.${realm.rootDomain}` })}
        />
        <Button type="submit" className="w-full">
          {t('site.continue')}

        </Button>
      </form>
    </CenteredPage>
  )
}
