import { z } from 'zod'
import { text } from '~/lib/text'

/** Six digits from the authenticator, or a recovery code (xxxxx-xxxxx). */
export const codeSchema = z.object({
  code: text({ max: 20, min: 6, minMessage: 'Enter the 6-digit code or a recovery code' }),
})
