import { z } from 'zod'

/** Six digits from the authenticator, or a recovery code (xxxxx-xxxxx). */
export const codeSchema = z.object({
  code: z
    .string()
    .trim()
    .min(6, 'Enter the 6-digit code or a recovery code')
    .max(20, 'Enter the 6-digit code or a recovery code'),
})
