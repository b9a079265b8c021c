import { z } from 'zod'
import { TEAM_ROLES } from '~/lib/enums'
import { searchText, text } from '~/lib/text'

export const name = text({ max: 100, min: 1, minMessage: 'Enter a name' })
export const description = text({ max: 500, multiline: true })
const teamRole = z.enum(TEAM_ROLES)

const paging = {
  q: searchText,
  page: z.number().int().min(1).max(10_000).default(1),
  pageSize: z.number().int().min(5).max(100).default(25),
}

export const idSchema = z.object({ id: z.uuid() })

export const listOrganizationsSchema = z.object(paging)
export type ListOrganizationsInput = z.output<typeof listOrganizationsSchema>

export const createOrganizationSchema = z.object({ name, description: description.default('') })
export type CreateOrganizationInput = z.output<typeof createOrganizationSchema>

export const updateOrganizationSchema = z.object({
  id: z.uuid(),
  data: z.object({ name, description }).partial(),
})
export type UpdateOrganizationInput = z.output<typeof updateOrganizationSchema>

export const listTeamsSchema = z.object({ ...paging, organizationId: z.uuid().optional() })
export type ListTeamsInput = z.output<typeof listTeamsSchema>

export const createTeamSchema = z.object({ organizationId: z.uuid('Choose an organization'), name, description: description.default('') })
export type CreateTeamInput = z.output<typeof createTeamSchema>

export const updateTeamSchema = z.object({
  id: z.uuid(),
  data: z.object({ name, description, organizationId: z.uuid('Choose an organization') }).partial(),
})
export type UpdateTeamInput = z.output<typeof updateTeamSchema>

export const listTeamMembersSchema = z.object({ ...paging, teamId: z.uuid() })
export type ListTeamMembersInput = z.output<typeof listTeamMembersSchema>

export const addTeamMemberSchema = z.object({ teamId: z.uuid(), userId: z.uuid('Choose a person'), role: teamRole.default('member') })
export type AddTeamMemberInput = z.output<typeof addTeamMemberSchema>

export const setTeamMemberRoleSchema = z.object({ teamId: z.uuid(), userId: z.uuid(), role: teamRole })
export type SetTeamMemberRoleInput = z.output<typeof setTeamMemberRoleSchema>

export const teamMemberSchema = z.object({ teamId: z.uuid(), userId: z.uuid() })
export type TeamMemberInput = z.output<typeof teamMemberSchema>

export const TEAM_ROLE_LABELS = {
  owner: 'Owner',
  admin: 'Admin',
  member: 'Member',
  guest: 'Guest',
} as const satisfies Record<(typeof TEAM_ROLES)[number], string>
