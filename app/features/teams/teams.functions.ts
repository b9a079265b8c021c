import { createServerFn } from '@tanstack/react-start'
import { input } from '~/lib/validate'
import { requirePermission } from '~/server/middleware'
import {
  addTeamMemberSchema,
  createOrganizationSchema,
  createTeamSchema,
  idSchema,
  listOrganizationsSchema,
  listTeamMembersSchema,
  listTeamsSchema,
  setTeamMemberRoleSchema,
  teamMemberSchema,
  updateOrganizationSchema,
  updateTeamSchema,
} from './teams.schemas'
import * as store from './teams.server'

export const listOrganizations = createServerFn({ method: 'GET' })
  .middleware([requirePermission('teams:read')])
  .validator(input(listOrganizationsSchema))
  .handler(({ data, context }) => store.findOrganizations(context.tx, data))

export const createOrganization = createServerFn({ method: 'POST' })
  .middleware([requirePermission('teams:write')])
  .validator(input(createOrganizationSchema))
  .handler(async ({ data, context }) => {
    const row = await store.createOrganization(context.tx, context.tenantId, data)
    return { id: row.id, name: row.name }
  })

export const updateOrganization = createServerFn({ method: 'POST' })
  .middleware([requirePermission('teams:write')])
  .validator(input(updateOrganizationSchema))
  .handler(async ({ data, context }) => {
    const row = await store.updateOrganization(context.tx, data)
    return { id: row.id, name: row.name, description: row.description }
  })

export const deleteOrganization = createServerFn({ method: 'POST' })
  .middleware([requirePermission('teams:write')])
  .validator(input(idSchema))
  .handler(({ data, context }) => store.deleteOrganization(context.tx, data.id, context.user.id))

export const listTeams = createServerFn({ method: 'GET' })
  .middleware([requirePermission('teams:read')])
  .validator(input(listTeamsSchema))
  .handler(({ data, context }) => store.findTeams(context.tx, data))

export const getTeam = createServerFn({ method: 'GET' })
  .middleware([requirePermission('teams:read')])
  .validator(input(idSchema))
  .handler(({ data, context }) => store.requireTeam(context.tx, data.id))

export const createTeam = createServerFn({ method: 'POST' })
  .middleware([requirePermission('teams:write')])
  .validator(input(createTeamSchema))
  .handler(async ({ data, context }) => {
    const row = await store.createTeam(context.tx, context.tenantId, data)
    return { id: row.id, name: row.name, organizationId: row.organizationId }
  })

export const updateTeam = createServerFn({ method: 'POST' })
  .middleware([requirePermission('teams:write')])
  .validator(input(updateTeamSchema))
  .handler(({ data, context }) => store.updateTeam(context.tx, data))

export const deleteTeam = createServerFn({ method: 'POST' })
  .middleware([requirePermission('teams:write')])
  .validator(input(idSchema))
  .handler(async ({ data, context }) => {
    await store.deleteTeam(context.tx, data.id, context.user.id)
    return { ok: true as const }
  })

export const listTeamMembers = createServerFn({ method: 'GET' })
  .middleware([requirePermission('teams:read')])
  .validator(input(listTeamMembersSchema))
  .handler(({ data, context }) => store.findTeamMembers(context.tx, data))

export const addTeamMember = createServerFn({ method: 'POST' })
  .middleware([requirePermission('teams:write')])
  .validator(input(addTeamMemberSchema))
  .handler(({ data, context }) => store.addTeamMember(context.tx, context.tenantId, data))

export const setTeamMemberRole = createServerFn({ method: 'POST' })
  .middleware([requirePermission('teams:write')])
  .validator(input(setTeamMemberRoleSchema))
  .handler(({ data, context }) => store.setTeamMemberRole(context.tx, data))

export const removeTeamMember = createServerFn({ method: 'POST' })
  .middleware([requirePermission('teams:write')])
  .validator(input(teamMemberSchema))
  .handler(({ data, context }) => store.removeTeamMember(context.tx, data))
