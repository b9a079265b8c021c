import { createHmac } from 'node:crypto'
import { config } from '../../../app.config'

/**
 * The key that signs request contexts (docs/decisions/009): 32 bytes derived from the configured secret. The
 * database holds the same key in `haven_context_keys`, readable only by the schema owner; the owner installs it at
 * start-up (`installContextKey`), so the runtime roles can verify a context but never forge one.
 */
export function contextKey(secret: string = config().contextSecret): Buffer {
  return createHmac('sha256', secret).update('haven.request-context.v1').digest()
}

/** Drops control characters (U+0000–U+001F, U+007F): U+001F separates the fields and NUL ends a setting. */
function printable(text: string): string {
  let out = ''
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0
    if (code >= 0x20 && code !== 0x7f) out += ch
  }
  return out
}

/** The fields a context signs, in order: role, tenant, user, impersonator, ip, user agent, request id. */
export type ContextFields = readonly [string, string, string, string, string, string, string]

/** `v1␟fields…␟issued-at` and its HMAC-SHA256 (hex), as `haven_set_context` and `haven_context()` expect. */
export function signContext(fields: ContextFields, key: Buffer = cachedKey()): { context: string; sig: string } {
  const parts = ['v1', ...fields.map(printable), String(Math.floor(Date.now() / 1000))]
  const context = parts.join('\u001f')
  return { context, sig: createHmac('sha256', key).update(context, 'utf8').digest('hex') }
}

let memo: { secret: string; key: Buffer } | undefined
function cachedKey(): Buffer {
  const secret = config().contextSecret
  if (memo?.secret !== secret) memo = { secret, key: contextKey(secret) }
  return memo.key
}
