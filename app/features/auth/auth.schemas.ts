import { z } from 'zod'

export const email = z.string().trim().toLowerCase().pipe(z.email('Enter a valid email address').max(254))
export const newPassword = z
  .string()
  .min(8, 'Use at least 8 characters')
  .max(256, 'Use at most 256 characters')
export const fullName = z.string().trim().min(1, 'Enter a name').max(120, 'Use at most 120 characters')

export const signInSchema = z.object({
  email,
  password: z.string().min(1, 'Enter your password').max(256),
  rememberMe: z.boolean().default(true),
})

export const forgotPasswordSchema = z.object({ email })
export const resetPasswordSchema = z.object({ token: z.string().min(10).max(200), password: newPassword })
export const invitationTokenSchema = z.object({ token: z.string().min(10).max(200) })
export const acceptInvitationSchema = z.object({ token: z.string().min(10).max(200), fullName, password: newPassword })
export const createInvitationSchema = z.object({
  email,
  fullName: z.string().trim().max(120).default(''),
  roleId: z.uuid().nullable().default(null),
})
