import { and, asc, eq, inArray } from 'drizzle-orm'
import { HttpError, notFound } from '~/lib/errors'
import type { Permission } from '~/lib/permissions'
import type { Tx } from '~/server/db/client.server'
import { userRoles, users } from '~/server/db/schema'
import type { BulkUsersInput } from './users.schemas'
import { refuseWhileImpersonating } from '../console/impersonation.server'
import { assertMayManage, lockOut } from './users.server'
import { msg } from '~/lib/i18n'

type Actor = { tenantId: string; userId: string; permissions: readonly Permission[]; impersonatorId?: string | null }

/**
 * Applies one action to every selected person in the caller's transaction. Each person goes through the checks
 * the single action makes (who may manage whom, not oneself, the last owner); the first refusal throws, naming
 * the person, and the request's transaction rolls back what was already done. Returns how many were changed.
 */
export async function applyBulk(tx: Tx, actor: Actor, input: BulkUsersInput): Promise<number> {
  if (input.action === 'assignRole') refuseWhileImpersonating(actor)
  const ids = [...new Set(input.ids)]
  const people = await tx
    .select({ id: users.id, fullName: users.fullName })
    .from(users)
    .where(and(eq(users.tenantId, actor.tenantId), inArray(users.id, ids), eq(users.isDeleted, false)))
    .orderBy(asc(users.id))
  if (people.length !== ids.length) throw notFound('selectedPeople')
  for (const person of people) {
    try {
      await assertMayManage(tx, actor.permissions, person.id)
      if (input.action === 'assignRole') {
        await tx
          .insert(userRoles)
          .values({ tenantId: actor.tenantId, userId: person.id, roleId: input.roleId, assignedById: actor.userId })
          .onConflictDoNothing({ target: [userRoles.tenantId, userRoles.userId, userRoles.roleId] })
      } else {
        await lockOut(tx, person.id, actor.userId, input.action)
      }
    } catch (error) {
      if (error instanceof HttpError) {
        throw new HttpError(error.status, error.code, msg('serverErrors.bulkNothingChanged', { name: person.fullName, reason: error.message }), { fieldErrors: error.fieldErrors })
      }
      throw error
    }
  }
  return people.length
}
