import { useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { Check, Lock } from 'lucide-react'
import { useMemo, useState } from 'react'
import { toast } from 'sonner'
import { Button, Card, cx } from '~/components/ui'
import { UnsavedChangesGuard } from '~/components/unsaved-changes'
import { errorMessage } from '~/lib/errors'
import { useI18n } from '~/lib/i18n/react'
import { roleName } from '~/lib/i18n/roles'
import { PERMISSION_KEYS, PERMISSIONS, type Permission } from '~/lib/permissions'
import { useImpersonating } from '../console/impersonation-limits'
import { people, type RoleRow } from './role-list'
import { savePermissionMatrix } from './roles.functions'
import { TableScroller } from '~/components/ui/table-scroller'

const GROUPS = [...new Set(PERMISSION_KEYS.map((key) => PERMISSIONS[key].group))].map((group) => ({
  group,
  keys: PERMISSION_KEYS.filter((key) => PERMISSIONS[key].group === group),
}))

// Drawn rather than native so that a locked box still shows clearly whether it is ticked.
const CHECKBOX = cx(
  'peer size-4 cursor-pointer appearance-none rounded border border-slate-400 bg-white transition',
  'checked:border-indigo-600 checked:bg-indigo-600',
  'focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500',
  'disabled:cursor-not-allowed disabled:border-slate-200 disabled:bg-slate-100 disabled:checked:border-indigo-300 disabled:checked:bg-indigo-300',
  'dark:border-slate-500 dark:bg-slate-800 dark:checked:border-indigo-500 dark:checked:bg-indigo-500',
  'dark:disabled:border-slate-700 dark:disabled:bg-slate-800/50 dark:disabled:checked:border-indigo-800 dark:disabled:checked:bg-indigo-800',
)

const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>) => a.size === b.size && [...a].every((x) => b.has(x))

/**
 * Roles × permissions, edited locally and saved in one action. A box is disabled when its role is a system role
 * or when ticking it would grant a permission the signed-in person does not hold; unticking is always possible,
 * and re-ticking what was saved is not a grant.
 */
export function PermissionMatrix({ roles, held }: { roles: RoleRow[]; held: readonly string[] }) {
  const router = useRouter()
  const { t } = useI18n()
  // While impersonating, permissions can be taken away but not added (the server refuses it: lasting access).
  const impersonating = useImpersonating()
  const save = useServerFn(savePermissionMatrix)
  const [draft, setDraft] = useState<Record<string, Set<Permission>>>({})
  const [pending, setPending] = useState(false)

  const saved = useMemo(() => new Map(roles.map((r) => [r.id, new Set<Permission>(r.permissions)])), [roles])
  const current = (role: RoleRow) => draft[role.id] ?? saved.get(role.id) ?? new Set<Permission>()
  const changed = roles.filter((r) => {
    const d = draft[r.id]
    const s = saved.get(r.id)
    return d !== undefined && s !== undefined && !sameSet(d, s)
  })
  const dirty = changed.length > 0

  function toggle(role: RoleRow, key: Permission, on: boolean) {
    setDraft((d) => {
      const next = new Set(d[role.id] ?? saved.get(role.id))
      if (on) next.add(key)
      else next.delete(key)
      return { ...d, [role.id]: next }
    })
  }

  async function onSave() {
    setPending(true)
    try {
      const result = await save({ data: { roles: changed.map((r) => ({ id: r.id, permissions: [...current(r)] })) } })
      await router.invalidate()
      setDraft({})
      toast.success(t('matrix.saved', { what: t('matrix.roles', { count: result.changedRoles }) }))
    } catch (e) {
      toast.error(errorMessage(e))
      // Someone may have deleted or changed a role meanwhile; the draft survives the reload.
      await router.invalidate()
    } finally {
      setPending(false)
    }
  }

  return (
    <Card>
      <UnsavedChangesGuard dirty={dirty && !pending} />
      <h2 id="matrix-title" className="text-base font-semibold">
        {t('matrix.title')}
      </h2>
      <p className="mt-1 mb-4 text-sm text-slate-600 dark:text-slate-400">
        {t('matrix.intro')}
      </p>
      <TableScroller label={t('matrix.title')} className="-mx-6 border-y border-slate-200 dark:border-slate-800">
        <table aria-labelledby="matrix-title" className="w-full border-collapse text-sm">
          <thead>
            <tr className="bg-slate-50 dark:bg-slate-800">
              <th scope="col" className="sticky left-0 z-10 min-w-44 bg-slate-50 px-4 py-3 sm:min-w-64 sm:px-6 text-left font-semibold dark:bg-slate-800">
                {t('matrix.permission')}
              </th>
              {roles.map((role) => (
                <th key={role.id} scope="col" className="min-w-24 px-3 py-3 text-center sm:min-w-28 align-bottom font-semibold last:pr-6">
                  <span className="inline-flex items-center gap-1">
                    {role.isSystem && <Lock aria-hidden className="size-3.5 text-slate-400" />}
                    {roleName(t, role)}
                    {role.isSystem && <span className="sr-only">{t('matrix.systemLocked')}</span>}
                  </span>
                  <span className="block text-xs font-normal text-slate-500 dark:text-slate-400">{people(t, role.holders)}</span>
                </th>
              ))}
            </tr>
          </thead>
          {GROUPS.map(({ group, keys }) => (
            <tbody key={group} className="divide-y divide-slate-100 dark:divide-slate-800">
              <tr className="border-t border-slate-200 dark:border-slate-800">
                <th
                  scope="colgroup"
                  colSpan={roles.length + 1}
                  className="bg-white px-4 pt-4 pb-1 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 sm:px-6 dark:bg-slate-900 dark:text-slate-400"
                >
                  {/* The cell spans every column, so it scrolls away; the label inside it stays at the left edge. */}
                  <span className="sticky left-4 sm:left-6">{t(`permissionGroups.${group}`)}</span>
                </th>
              </tr>
              {keys.map((key) => {
                const holds = held.includes(key)
                return (
                  <tr key={key}>
                    <th scope="row" className="sticky left-0 z-10 bg-white px-4 py-2.5 text-left font-normal sm:px-6 dark:bg-slate-900">
                      <code className="font-mono text-xs text-indigo-700 dark:text-indigo-300">{key}</code>
                      <span className="block text-slate-600 dark:text-slate-400">{t(`permissions.${key}`)}</span>
                    </th>
                    {roles.map((role) => {
                      const checked = current(role).has(key)
                      const wasChecked = saved.get(role.id)?.has(key) ?? false
                      const lockedReason = role.isSystem
                        ? t('matrix.systemFixed', { name: roleName(t, role) })
                        : !holds && !wasChecked
                          ? t('matrix.notHeld', { key })
                          : impersonating && !wasChecked
                            ? t('matrix.notWhileImpersonating')
                            : undefined
                      return (
                        <td
                          key={role.id}
                          title={lockedReason}
                          className={cx('px-3 py-2.5 text-center last:pr-6', checked !== wasChecked && 'bg-amber-50 dark:bg-amber-950/40')}
                        >
                          <span className="relative inline-grid place-items-center align-middle">
                            <input
                              type="checkbox"
                              aria-label={t('matrix.cell', { key, name: roleName(t, role) })}
                              title={lockedReason}
                              checked={checked}
                              disabled={lockedReason !== undefined || pending}
                              onChange={(e) => toggle(role, key, e.target.checked)}
                              className={CHECKBOX}
                            />
                            <Check aria-hidden strokeWidth={3} className="pointer-events-none absolute hidden size-3 text-white peer-checked:block" />
                          </span>
                        </td>
                      )
                    })}
                  </tr>
                )
              })}
            </tbody>
          ))}
        </table>
      </TableScroller>
      <div className="flex flex-wrap items-center justify-end gap-3 pt-4">
        <p role="status" className="mr-auto text-sm text-amber-700 dark:text-amber-300">
          {dirty ? t('matrix.unsaved', { what: t('matrix.roles', { count: changed.length }) }) : ''}
        </p>
        <Button variant="secondary" onClick={() => setDraft({})} disabled={!dirty || pending}>
          {t('matrix.discard')}
        </Button>
        <Button onClick={onSave} disabled={!dirty} pending={pending}>
          {t('matrix.save')}

        </Button>
      </div>
    </Card>
  )
}
