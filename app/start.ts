import { createCsrfMiddleware, createMiddleware, createStart } from '@tanstack/react-start'

/**
 * With our own start instance Start no longer adds its CSRF middleware, so it is added here: a server-function
 * call must come from the same origin (Sec-Fetch-Site / Origin / Referer). Another tenant's subdomain is another
 * origin, so it is refused too.
 */
const csrf = createCsrfMiddleware({
  filter: ({ request }) => request.method !== 'GET' && request.method !== 'HEAD',
})

/** The server listens before the database has migrated; requests wait for it rather than fail. */
const databaseReady = createMiddleware().server(async ({ next }) => {
  const { bootDatabase } = await import('./server/db/index.server')
  await bootDatabase()
  return next()
})

export const startInstance = createStart(() => ({ requestMiddleware: [databaseReady, csrf] }))
