/**
 * The permission catalog. Permissions are fixed in code (roles are per tenant); the migration runner mirrors
 * this list into the `permissions` table so role_permissions can reference it with a foreign key.
 * Client-safe: no server imports.
 */
export const PERMISSIONS = {
  'users:read': { group: 'Users', description: 'See the people in this workspace and their roles' },
  'users:write': { group: 'Users', description: 'Create, invite, edit, deactivate, delete and restore people' },
  'roles:manage': { group: 'Roles', description: 'Create custom roles, edit the permission matrix, assign roles' },
  'teams:read': { group: 'Teams', description: 'See organizations, teams and their members' },
  'teams:write': { group: 'Teams', description: 'Create and edit organizations and teams, manage team members' },
  'categories:read': { group: 'Categories', description: 'Browse the category tree' },
  'categories:write': { group: 'Categories', description: 'Create, rename, move, reorder, delete and restore categories' },
  'audit:read': { group: 'Audit', description: "Read this workspace's audit log and export it" },
  'trash:purge': { group: 'Trash', description: 'Permanently delete items from the trash' },
  'tenant:manage': { group: 'Workspace', description: 'Change workspace name, preferences and security settings' },
} as const satisfies Record<string, { group: string; description: string }>

export type Permission = keyof typeof PERMISSIONS
export const PERMISSION_KEYS = Object.keys(PERMISSIONS) as Permission[]

export function isPermission(value: string): value is Permission {
  return Object.hasOwn(PERMISSIONS, value)
}

/** System roles exist in every tenant, are created at provisioning and cannot be renamed or deleted. */
export const SYSTEM_ROLES = {
  owner: { name: 'Owner', description: 'Full control of the workspace', permissions: PERMISSION_KEYS },
  admin: {
    name: 'Admin',
    description: 'Runs the workspace day to day',
    permissions: PERMISSION_KEYS.filter((p) => p !== 'trash:purge' && p !== 'tenant:manage'),
  },
  member: {
    name: 'Member',
    description: 'Uses the workspace',
    permissions: ['users:read', 'teams:read', 'categories:read'] satisfies Permission[],
  },
} as const satisfies Record<string, { name: string; description: string; permissions: readonly Permission[] }>

export type SystemRoleKey = keyof typeof SYSTEM_ROLES
