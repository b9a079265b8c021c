import { isNetworkError } from './errors'

/**
 * Wraps the session check that every navigation runs. In the browser, when the server cannot be reached, the last
 * answer stands in for it: the shell stays and the page below it says the connection is lost, instead of the whole
 * app turning into an error page. The server still checks the session on every call; this only steers rendering.
 * `remember` seeds it with the answer the server rendered the page with (hydration does not run the check again).
 */
export function lastKnown<T>(fetch: () => Promise<T>) {
  let last: { value: T } | undefined
  const remember = (value: T) => {
    if (typeof window !== 'undefined') last = { value }
  }
  const get = async () => {
    try {
      const value = await fetch()
      remember(value)
      return value
    } catch (error) {
      if (last && isNetworkError(error)) return last.value
      throw error
    }
  }
  return { get, remember }
}
