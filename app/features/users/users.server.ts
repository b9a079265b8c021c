import { hashPassword } from 'better-auth/crypto'
import type { Tx } from '../../server/db/client.server'
import { accounts, userRoles, users } from '../../server/db/schema'

export type NewUser = {
  tenantId: string
  email: string
  fullName: string
  roleIds?: string[]
  isActive?: boolean
  isSuperuser?: boolean
  metadata?: Record<string, unknown>
  /** A plain password to hash, or an already computed hash (the seed reuses one for speed). */
  password?: { plain: string } | { hash: string }
}

/** Creates a user with a credential account (the shape better-auth signs in against) and the given roles. */
export async function createUser(tx: Tx, input: NewUser) {
  const [user] = await tx
    .insert(users)
    .values({
      tenantId: input.tenantId,
      email: input.email.trim().toLowerCase(),
      fullName: input.fullName.trim(),
      isActive: input.isActive ?? true,
      isSuperuser: input.isSuperuser ?? false,
      metadata: input.metadata ?? {},
      emailVerified: input.password !== undefined,
    })
    .returning()
  if (!user) throw new Error('createUser: insert returned no row')
  if (input.password) {
    const hash = 'hash' in input.password ? input.password.hash : await hashPassword(input.password.plain)
    await tx.insert(accounts).values({
      tenantId: input.tenantId,
      userId: user.id,
      accountId: user.id,
      providerId: 'credential',
      password: hash,
    })
  }
  if (input.roleIds?.length) {
    await tx.insert(userRoles).values(input.roleIds.map((roleId) => ({ tenantId: input.tenantId, userId: user.id, roleId })))
  }
  return user
}
