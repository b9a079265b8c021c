import { randomBytes } from 'node:crypto'
import { hashPassword } from 'better-auth/crypto'
import { provisionTenant } from '~/features/tenants/tenants.server'
import { withConsole } from '~/server/db/scope.server'

export const TEST_PASSWORD = 'test-password-123'
let passwordHash: Promise<string> | undefined

/** scrypt is slow on purpose; one hash per test file is plenty. */
export function testPasswordHash(): Promise<string> {
  passwordHash ??= hashPassword(TEST_PASSWORD)
  return passwordHash
}

export function uniqueSlug(prefix = 't'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`
}

/** Provisions a tenant (system roles + an owner with TEST_PASSWORD) through the console scope, as the console does. */
export async function createTestTenant(options: { slug?: string; name?: string; isActive?: boolean } = {}) {
  const slug = options.slug ?? uniqueSlug()
  const hash = await testPasswordHash()
  return withConsole({ requestId: 'test' }, (tx) =>
    provisionTenant(tx, {
      name: options.name ?? `Tenant ${slug}`,
      slug,
      isActive: options.isActive,
      owner: { email: `owner@${slug}.test`, fullName: `Owner of ${slug}`, password: { hash } },
    }),
  )
}
