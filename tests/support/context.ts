import { sql } from 'drizzle-orm'
import { signContext } from '~/server/db/context-key.server'

/** `select haven_set_context(…)` for a context signed with the server's key: what the scope sends, spelled out. */
export function setContextSql(role: string, tenantId: string | null, userId: string | null = null) {
  const { context, sig } = signContext([role, tenantId ?? '', userId ?? '', '', '', '', ''])
  return sql`select public.haven_set_context(${context}, ${sig})`
}

/** The verified context's fields as columns (NULL when none is set or it does not verify). */
export const VERIFIED = sql`(public.haven_context())[1] as ctx_role, (public.haven_context())[2] as tenant,
  (public.haven_context())[3] as "user", (public.haven_context())[7] as request`
