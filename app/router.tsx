import { createRouter } from '@tanstack/react-router'
import { createIsomorphicFn } from '@tanstack/react-start'
import { DefaultCatchBoundary, NotFound } from './components/errors'
import { PagePending } from './components/navigation-progress'
import { classifyHost, REALM_PREFIX } from './lib/hosts'
import { routeTree } from './routeTree.gen'

const rootDomain = createIsomorphicFn()
  .server(async () => (await import('../app.config')).config().rootDomain)
  .client(() => document.documentElement.dataset.rootDomain ?? window.location.host)

function prefixFor(host: string, root: string): string {
  return REALM_PREFIX[classifyHost(host, root).kind]
}

export async function getRouter() {
  const root = await rootDomain()
  return createRouter({
    routeTree,
    scrollRestoration: true,
    defaultPreload: 'intent',
    defaultErrorComponent: DefaultCatchBoundary,
    defaultNotFoundComponent: NotFound,
    defaultPendingComponent: PagePending,
    // One app, three faces chosen by Host: acme.<root>/x is served by /tenant/x, console.<root>/x by /console/x and
    // <root>/x by /site/x. The browser only ever sees the public paths.
    rewrite: {
      input: ({ url }) => {
        const prefix = prefixFor(url.host, root)
        url.pathname = url.pathname === '/' ? prefix : `${prefix}${url.pathname}`
        return url
      },
      output: ({ url }) => {
        const prefix = prefixFor(url.host, root)
        if (url.pathname === prefix) url.pathname = '/'
        else if (url.pathname.startsWith(`${prefix}/`)) url.pathname = url.pathname.slice(prefix.length)
        return url
      },
    },
  })
}

declare module '@tanstack/react-router' {
  interface Register {
    router: Awaited<ReturnType<typeof getRouter>>
  }
}
