/**
 * Keyset cursors: an opaque base64url JSON token. A token that does not decode or does not pass `isValid` is
 * treated as no cursor (the first page), never as an error a person could trigger by editing a URL.
 */
export function encodeCursor(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

export function decodeCursor<T>(raw: string | undefined, isValid: (value: Record<string, unknown>) => boolean): T | undefined {
  if (!raw) return undefined
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString())
    if (value && typeof value === 'object' && isValid(value as Record<string, unknown>)) return value as T
  } catch {}
  return undefined
}

export const isUuid = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f-]{36}$/.test(value)
