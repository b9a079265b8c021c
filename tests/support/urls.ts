/** The same server URL pointed at another database or user. */
export function databaseUrl(serverUrl: string, database: string, user?: string): string {
  const url = new URL(serverUrl)
  url.pathname = `/${database}`
  if (user) {
    url.username = user
    url.password = ''
  }
  return url.toString()
}

/** The maintenance database, for CREATE/DROP DATABASE. */
export function adminUrl(serverUrl: string): string {
  return databaseUrl(serverUrl, 'postgres')
}
