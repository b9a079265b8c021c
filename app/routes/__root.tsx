/// <reference types="vite/client" />
import { createRootRoute, HeadContent, Outlet, Scripts, useRouterState } from '@tanstack/react-router'
import { type ReactNode, useEffect } from 'react'
import { NotFound, WorkspaceNotFound, WorkspaceSuspended } from '../components/errors'
import { NavigationProgress } from '../components/navigation-progress'
import { Toaster } from '../components/ui/toaster'
import { getRealm } from '../features/auth/auth.functions'
import { isLocale, type Locale, pickLocale } from '../lib/i18n'
import { LocaleProvider } from '../lib/i18n/react'
import { statusPageTitle } from '../lib/i18n/title'
import { THEME_BOOT_SCRIPT } from '../lib/theme'
import css from '../styles.css?url'

type RealmInfo = Awaited<ReturnType<typeof getRealm>>
let clientRealm: RealmInfo | undefined

export const Route = createRootRoute({
  // A page that ends in a status page (404, 403, a suspended workspace) has no head() of its own that ran: the root
  // names it, so the server's HTML says which page this is before any script runs.
  head: ({ matches }) => ({
    meta: [
      { charSet: 'utf-8' },
      { name: 'viewport', content: 'width=device-width, initial-scale=1' },
      { title: statusPageTitle(matches) ?? 'Haven' },
      { name: 'color-scheme', content: 'light dark' },
    ],
    links: [{ rel: 'stylesheet', href: css }, { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' }],
  }),
  // The Host never changes within a page's life, so the client asks once.
  beforeLoad: async () => {
    if (typeof window !== 'undefined' && clientRealm) return { realm: clientRealm, locale: pickLocale(clientRealm.acceptLocale) }
    const realm = await getRealm()
    if (typeof window !== 'undefined') clientRealm = realm
    return { realm, locale: pickLocale(realm.acceptLocale) }
  },
  component: RootComponent,
  notFoundComponent: RealmNotFound,
})

/** A missing page, a missing workspace and a suspended one are three different answers. */
function RealmNotFound() {
  const { realm } = Route.useRouteContext()
  return (
    <main>
      {realm.kind === 'suspended' ? <WorkspaceSuspended name={realm.name} /> : realm.kind === 'unknown' ? <WorkspaceNotFound /> : <NotFound />}
    </main>
  )
}

/** The deepest route's locale: the person's preference, else the workspace's default, else the browser's. */
function useLocale(): Locale {
  const own = Route.useRouteContext({ select: (c) => c.locale })
  // A route whose guard threw (a 403 or 404 page) has no context of its own: take the deepest one that has a locale.
  return useRouterState({ select: (s) => pickLocale(s.matches.findLast((m) => isLocale(m.context?.locale))?.context?.locale, own) })

}

function RootComponent() {
  const { realm } = Route.useRouteContext()
  // Hydration does not run beforeLoad again: keep the server's answer, so a navigation made offline needs no request.
  useEffect(() => {
    clientRealm ??= realm
  }, [realm])
  return (
    <RootDocument rootDomain={realm.rootDomain}>
      <Outlet />
    </RootDocument>
  )
}

function RootDocument({ children, rootDomain }: { children: ReactNode; rootDomain: string }) {
  const locale = useLocale()
  // Marks the page as interactive once React has hydrated it; end-to-end tests wait for it before using a form.
  useEffect(() => {
    document.documentElement.dataset.hydrated = 'true'
  }, [])
  return (
    <html lang={locale} data-root-domain={rootDomain} suppressHydrationWarning>
      <head>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: a constant script that applies the saved theme before paint */}
        <script dangerouslySetInnerHTML={{ __html: THEME_BOOT_SCRIPT }} />
        <HeadContent />
      </head>
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <LocaleProvider locale={locale}>
          <NavigationProgress />
          {children}
          <Toaster />
        </LocaleProvider>
        <Scripts />
      </body>
    </html>
  )
}
