import { z } from 'zod'
import { msg } from './i18n'
import './i18n/zod'

/**
 * The one text type for every string a client sends (ADR 014). PostgreSQL refuses U+0000 in text and jsonb with a
 * 22xxx error, and other control characters or lone UTF-16 surrogates only make trouble later (logs, CSV, other
 * clients), so they are refused here with a message a person can act on, before anything reaches the database.
 * Client-safe: forms and server functions share it.
 */
/**
 * C0 controls, DEL and C1 controls, and the bidirectional embedding, override and isolate controls (U+202A–U+202E,
 * U+2066–U+2069), which make a name read differently from what it is; single-line text also refuses the line and
 * paragraph separators U+2028/U+2029. Multi-line text keeps tab, LF and CR.
 */
function hasControl(value: string, multiline: boolean): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
      if (multiline && (c === 0x09 || c === 0x0a || c === 0x0d)) continue
      return true
    }
    if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) return true
    if (!multiline && (c === 0x2028 || c === 0x2029)) return true
  }
  return false
}

export const CONTROL_CHARACTER_MESSAGE = msg('validation.controlChars')
export const MALFORMED_TEXT_MESSAGE = msg('validation.malformed')

const wellFormed = (value: string) => {
  // A lone surrogate cannot be encoded as UTF-8; String.prototype.isWellFormed is Node 20+ and every current browser.
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1)
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false
      i++
    } else if (c >= 0xdc00 && c <= 0xdfff) return false
  }
  return true
}

export type TextOptions = {
  max: number
  /** At least this many characters after trimming; `minMessage` says what to enter. */
  min?: number
  minMessage?: string
  /** Keeps tab, CR and LF (descriptions); single-line text refuses them. */
  multiline?: boolean
  /** Passwords are taken exactly as typed: not trimmed. */
  trim?: boolean
}

/** A trimmed string of at most `max` characters with no control characters and no lone surrogates. */
export function text({ max, min = 0, minMessage = msg('validation.enterValue'), multiline = false, trim = true }: TextOptions) {
  const base = trim ? z.string().trim() : z.string()
  const bounded = min > 0 ? base.min(min, minMessage) : base
  return bounded
    .max(max, msg('validation.maxChars', { max }))
    .refine((value) => !hasControl(value, multiline), CONTROL_CHARACTER_MESSAGE)
    .refine(wellFormed, MALFORMED_TEXT_MESSAGE)
}

/** An opaque token from a link (invitation, password reset, page cursor): base64url characters only. */
export function token({ min = 1, max }: { min?: number; max: number }) {
  return z
    .string()
    .min(min, msg('validation.linkIncomplete'))
    .max(max, msg('validation.linkTooLong'))
    .regex(/^[A-Za-z0-9_-]+$/, msg('validation.linkDamaged'))
}

/** Search text (`q`): optional, trimmed, bounded. */
export const searchText = text({ max: 100 }).optional()

/** Keys that would reach an object's prototype when a record is copied with plain assignment. */
export const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

/** How deep a JSON value a client sends may nest (objects and arrays). */
export const MAX_JSON_DEPTH = 20

/**
 * Any JSON value whose every string — object keys and values, at any depth — follows the text rules: no control
 * characters (values may span lines), no lone surrogates, no prototype keys, at most MAX_JSON_DEPTH levels. An
 * issue names the path of the offending key or value.
 */
export function jsonValue() {
  return z.json().superRefine((root, ctx) => {
    const walk = (value: unknown, path: (string | number)[], depth: number): boolean => {
      if (typeof value === 'string') {
        const message = hasControl(value, true) ? CONTROL_CHARACTER_MESSAGE : wellFormed(value) ? null : MALFORMED_TEXT_MESSAGE
        if (message) ctx.addIssue({ code: 'custom', message, path })
        return !message
      }
      if (value === null || typeof value !== 'object') return true
      if (depth >= MAX_JSON_DEPTH) {
        ctx.addIssue({ code: 'custom', message: msg('validation.nestTooDeep', { max: MAX_JSON_DEPTH }), path })
        return false
      }
      if (Array.isArray(value)) return value.every((item, i) => walk(item, [...path, i], depth + 1))
      for (const [key, item] of Object.entries(value)) {
        const message = PROTOTYPE_KEYS.has(key)
          ? msg('validation.reservedKey')
          : hasControl(key, false)
            ? CONTROL_CHARACTER_MESSAGE
            : wellFormed(key)
              ? null
              : MALFORMED_TEXT_MESSAGE
        if (message) {
          ctx.addIssue({ code: 'custom', message, path: [...path, key] })
          return false
        }
        if (!walk(item, [...path, key], depth + 1)) return false
      }
      return true
    }
    walk(root, [], 0)
  })
}
