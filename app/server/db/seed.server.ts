import { hashPassword } from 'better-auth/crypto'
import { and, eq, sql } from 'drizzle-orm'
import { CONSOLE_SLUG } from '~/lib/enums'
import { updateTenant } from '~/features/tenants/tenant-changes.server'
import { provisionTenant } from '~/features/tenants/tenants.server'
import { createUser } from '~/features/users/users.server'
import type { Tx } from './client.server'
import { categories, organizations, rolePermissions, roles, teams, tenants, users, userTeamLinks } from './schema'
import { withConsole, withResolver, withTenant } from './scope.server'

export const DEMO_ACCOUNTS = [
  { host: CONSOLE_SLUG, email: 'root@haven.test', role: 'superuser' },
  { host: 'acme', email: 'owner@acme.test', role: 'owner' },
  { host: 'acme', email: 'admin@acme.test', role: 'admin' },
  { host: 'acme', email: 'member@acme.test', role: 'member' },
  { host: 'acme', email: 'same@example.test', role: 'member (also at globex, a different person)' },
  { host: 'globex', email: 'owner@globex.test', role: 'owner' },
  { host: 'globex', email: 'same@example.test', role: 'member (also at acme, a different person)' },
  { host: 'initech', email: 'owner@initech.test', role: 'owner (workspace suspended)' },
] as const

export async function isDatabaseEmpty(): Promise<boolean> {
  const rows = await withResolver((tx) => tx.select({ id: tenants.id }).from(tenants).limit(1))
  return rows.length === 0
}

/** Seeds the demo: the console realm with a superuser, acme, globex and the suspended initech. */
export async function seedDemo(password: string) {
  // One hash for every demo account: scrypt is deliberately slow and the password is the same.
  const hash = await hashPassword(password)
  const pw = { hash }

  const provisioned = await withConsole({ requestId: 'seed' }, async (tx) => {
    const platform = await provisionTenant(tx, {
      name: 'Haven Console',
      slug: CONSOLE_SLUG,
      plan: 'enterprise',
      owner: { email: 'root@haven.test', fullName: 'Root Operator', isSuperuser: true, password: pw },
    })
    const acme = await provisionTenant(tx, {
      name: 'Acme Inc.',
      slug: 'acme',
      plan: 'team',
      owner: { email: 'owner@acme.test', fullName: 'Olivia Owner', password: pw },
    })
    const globex = await provisionTenant(tx, {
      name: 'Globex Corp.',
      slug: 'globex',
      plan: 'enterprise',
      owner: { email: 'owner@globex.test', fullName: 'Hank Scorpio', password: pw },
    })
    const initech = await provisionTenant(tx, {
      name: 'Initech',
      slug: 'initech',
      isActive: false,
      owner: { email: 'owner@initech.test', fullName: 'Bill Lumbergh', password: pw },
    })
    // Initech shows the suspended page; the console shows why and since when, as for a suspension made there.
    await updateTenant(tx, initech.tenant.id, { suspendedAt: sql`now()`, suspensionReason: 'Demo: suspended to show what its people see' })
    // Acme lets Haven support sign in as its people (the console's impersonation demo); globex does not.
    await updateTenant(tx, acme.tenant.id, { settings: { allowImpersonation: true } })
    return { platform, acme, globex, initech }
  })

  const { acme, globex } = provisioned
  await withTenant({ tenantId: acme.tenant.id, userId: acme.owner.id, requestId: 'seed' }, async (tx) => {
    const tenantId = acme.tenant.id
    const admin = await createUser(tx, { tenantId, email: 'admin@acme.test', fullName: 'Adam Admin', roleIds: [acme.roleIds.admin], password: pw })
    const member = await createUser(tx, { tenantId, email: 'member@acme.test', fullName: 'Mia Member', roleIds: [acme.roleIds.member], password: pw })
    const same = await createUser(tx, {
      tenantId,
      email: 'same@example.test',
      fullName: 'Sam Acme',
      roleIds: [acme.roleIds.member],
      password: pw,
      metadata: { department: 'finance' },
    })
    const people = await seedPeople(tx, tenantId, acme.roleIds.member)

    const [editor] = await tx
      .insert(roles)
      .values({ tenantId, name: 'Catalog editor', description: 'Keeps the category tree in shape' })
      .returning()
    if (!editor) throw new Error('seed: role insert returned no row')
    await tx.insert(rolePermissions).values(
      (['users:read', 'teams:read', 'categories:read', 'categories:write'] as const).map((permissionKey) => ({
        tenantId,
        roleId: editor.id,
        permissionKey,
      })),
    )

    const orgs = await tx
      .insert(organizations)
      .values([
        { tenantId, name: 'Engineering', description: 'Builds the products' },
        { tenantId, name: 'Sales', description: 'Sells the products' },
      ])
      .returning()
    const [engineering, sales] = orgs
    if (!engineering || !sales) throw new Error('seed: organization insert returned no rows')
    const teamRows = await tx
      .insert(teams)
      .values([
        { tenantId, organizationId: engineering.id, name: 'Platform', description: 'Infrastructure and tooling' },
        { tenantId, organizationId: engineering.id, name: 'Web', description: 'The customer-facing site' },
        { tenantId, organizationId: sales.id, name: 'EMEA', description: 'Europe, Middle East and Africa' },
        { tenantId, organizationId: sales.id, name: 'Americas', description: 'North and South America' },
      ])
      .returning()
    const [platform, web, emea] = teamRows
    if (!platform || !web || !emea) throw new Error('seed: team insert returned no rows')
    await tx.insert(userTeamLinks).values([
      { tenantId, teamId: platform.id, userId: admin.id, role: 'owner' },
      { tenantId, teamId: platform.id, userId: member.id, role: 'member' },
      { tenantId, teamId: web.id, userId: member.id, role: 'admin' },
      { tenantId, teamId: emea.id, userId: same.id, role: 'member' },
      ...people.slice(0, 6).map((p, i) => ({ tenantId, teamId: i % 2 ? web.id : platform.id, userId: p.id, role: 'member' as const })),
    ])

    await seedCategoryTree(tx, tenantId)
    // Some history beyond creation, so the audit log has updates and soft deletes to show.
    await tx.update(roles).set({ description: 'Keeps the category tree tidy and complete' }).where(and(eq(roles.tenantId, tenantId), eq(roles.id, editor.id)))
    const [leaver, gone] = people.slice(-2)
    if (leaver) await tx.update(users).set({ isActive: false }).where(and(eq(users.tenantId, tenantId), eq(users.id, leaver.id)))
    if (gone) {
      await tx
        .update(users)
        .set({ isDeleted: true, deletedAt: sql`now()`, deletedById: acme.owner.id })
        .where(and(eq(users.tenantId, tenantId), eq(users.id, gone.id)))
    }
    await tx.execute(sql`select haven_audit_event('SIGN_IN', 'users', ${admin.id}::uuid, '{"method":"password","seeded":true}'::jsonb)`)
  })

  await withTenant({ tenantId: globex.tenant.id, userId: globex.owner.id, requestId: 'seed' }, async (tx) => {
    await createUser(tx, {
      tenantId: globex.tenant.id,
      email: 'same@example.test',
      fullName: 'Sam Globex',
      roleIds: [globex.roleIds.member],
      password: pw,
    })
    const [research] = await tx
      .insert(organizations)
      .values({ tenantId: globex.tenant.id, name: 'Research', description: 'Doomsday devices' })
      .returning()
    if (research) await tx.insert(teams).values({ tenantId: globex.tenant.id, organizationId: research.id, name: 'Labs' })
    await tx.insert(categories).values([
      { tenantId: globex.tenant.id, name: 'Projects', position: 0 },
      { tenantId: globex.tenant.id, name: 'Facilities', position: 1 },
    ])
  })
  return provisioned
}

const FIRST = ['Ada', 'Ben', 'Chloe', 'Dev', 'Elena', 'Farid', 'Grace', 'Hugo', 'Iris', 'Jonas', 'Kemi', 'Liam']
const LAST = ['Lovelace', 'Okafor', 'Nguyen', 'Patel', 'Rossi', 'Haddad', 'Hopper', 'Moreau', 'Tanaka', 'Berg']
const DEPARTMENTS = ['engineering', 'sales', 'finance', 'support']

async function seedPeople(tx: Tx, tenantId: string, memberRoleId: string) {
  const people = []
  for (let i = 0; i < 24; i++) {
    const first = FIRST[i % FIRST.length] ?? 'Pat'
    const last = LAST[(i * 7) % LAST.length] ?? 'Doe'
    people.push(
      await createUser(tx, {
        tenantId,
        email: `${first}.${last}${i}@acme.test`.toLowerCase(),
        fullName: `${first} ${last}`,
        roleIds: [memberRoleId],
        metadata: { department: DEPARTMENTS[i % DEPARTMENTS.length] ?? 'engineering', employeeNumber: 1000 + i },
      }),
    )
  }
  return people
}

const DEPARTMENT_TREE: Record<string, string[]> = {
  Electronics: ['Phones', 'Laptops', 'Cameras', 'Audio', 'Wearables', 'Accessories', 'Gaming'],
  Home: ['Kitchen', 'Furniture', 'Lighting', 'Bedding', 'Bath', 'Storage', 'Decor'],
  Garden: ['Tools', 'Plants', 'Outdoor furniture', 'Grills', 'Irrigation', 'Lawn care'],
  Sports: ['Cycling', 'Running', 'Swimming', 'Climbing', 'Team sports', 'Fitness', 'Winter sports'],
  Books: ['Fiction', 'Science', 'History', 'Children', 'Cooking', 'Travel'],
  Office: ['Paper', 'Writing', 'Desks', 'Chairs', 'Printers', 'Filing'],
}
const LEAVES = ['Budget', 'Premium', 'Refurbished', 'Bundles', 'Spare parts', 'Clearance', 'New arrivals']
/** A few branches go deeper, so the breadcrumb and search paths have something to show. */
const DEEPER: Record<string, Record<string, string[]>> = {
  Laptops: { '13-inch': ['Ultrabooks', 'Convertibles'], '14-inch': ['Ultrabooks', 'Business', 'Gaming'], '16-inch': ['Workstations', 'Gaming'] },
  Cycling: { Bikes: ['Road', 'Gravel', 'Mountain', 'City', 'Electric'], Components: ['Brakes', 'Drivetrain', 'Wheels'] },
  Kitchen: { Cookware: ['Frying pans', 'Saucepans', 'Woks'], Knives: ['Chef knives', 'Paring knives'] },
}

/**
 * A catalog of a few hundred nodes, four levels deep in places, one insert per level (the path trigger needs the
 * parent's row first).
 */
async function seedCategoryTree(tx: Tx, tenantId: string) {
  const tops = await tx
    .insert(categories)
    .values(
      Object.keys(DEPARTMENT_TREE).map((name, position) => ({
        tenantId,
        name,
        position,
        description: `Everything in ${name.toLowerCase()}`,
        metadata: { department: name.toLowerCase(), buyer: FIRST[position % FIRST.length] ?? 'Ada' },
      })),
    )
    .returning({ id: categories.id, name: categories.name })
  const seconds = await tx
    .insert(categories)
    .values(
      tops.flatMap((top) =>
        (DEPARTMENT_TREE[top.name] ?? []).map((name, position) => ({ tenantId, parentId: top.id, name, position, metadata: { shelf: `${top.name.slice(0, 2).toUpperCase()}-${position + 1}` } })),
      ),
    )
    .returning({ id: categories.id, name: categories.name })
  const thirds = await tx
    .insert(categories)
    .values(
      seconds.flatMap((second, i) => {
        const deeper = Object.keys(DEEPER[second.name] ?? {})
        return [...deeper, ...LEAVES.slice(0, 4 + (i % 4))].map((name, position) => ({ tenantId, parentId: second.id, name, position }))
      }),
    )
    .returning({ id: categories.id, name: categories.name, parentId: categories.parentId })
  const secondName = new Map(seconds.map((s) => [s.id, s.name]))
  const fourths = thirds.flatMap((third) =>
    (DEEPER[secondName.get(third.parentId ?? '') ?? '']?.[third.name] ?? []).map((name, position) => ({ tenantId, parentId: third.id, name, position })),
  )
  if (fourths.length > 0) await tx.insert(categories).values(fourths)
}
