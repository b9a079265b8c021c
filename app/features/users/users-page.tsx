import { getRouteApi, Link } from '@tanstack/react-router'
import { createColumnHelper, flexRender, getCoreRowModel, type RowSelectionState, useReactTable } from '@tanstack/react-table'
import { ArrowDown, ArrowUp, Search, UserPlus } from 'lucide-react'
import { type FormEvent, useEffect, useMemo, useRef, useState } from 'react'
import { z } from 'zod'
import { PageHeader } from '~/components/app-shell'
import { Badge, Button, cx, EmptyState, Field, Select, Skeleton } from '~/components/ui'
import { Pager } from '~/components/ui/pager'
import { AddPersonDialog } from './add-person-dialog'
import { LastingAccessNote, useImpersonating } from '../console/impersonation-limits'
import { BulkActions, ExportLink, PAGE_SIZES, selectionColumn } from './bulk-actions'
import { InvitationsPanel, InvitedMatches } from './invitations-panel'
import type { listUsers } from './users.functions'
import { USER_SORTS, USER_STATUSES } from './users.schemas'
import { useI18n } from '~/lib/i18n/react'
import { roleName } from '~/lib/i18n/roles'

import { can } from '~/lib/navigation'
import { TableScroller } from '~/components/ui/table-scroller'

const Route = getRouteApi('/tenant/_app/admin/users/')

export const searchSchema = z.object({
  q: z.string().optional(),
  roleId: z.string().optional(),
  teamId: z.string().optional(),
  status: z.enum(USER_STATUSES).optional(),
  metaKey: z.string().optional(),
  metaValue: z.string().optional(),
  sort: z.enum(USER_SORTS).optional(),
  dir: z.enum(['asc', 'desc']).optional(),
  cursor: z.string().optional(),
  pageSize: z.number().int().min(5).max(100).optional(),
})
type UsersSearch = z.infer<typeof searchSchema>

type Row = Awaited<ReturnType<typeof listUsers>>['items'][number]
const column = createColumnHelper<Row>()
/** Columns a phone leaves out: the name cell carries the email there, the person's page has the rest. */
const WIDE_ONLY = new Set(['email', 'roles', 'lastActive', 'created'])
const wideOnly = (id: string) => (WIDE_ONLY.has(id) ? 'hidden sm:table-cell' : undefined)

export function UsersLoading() {
  const { t } = useI18n()
  return (
    <div role="status" aria-busy="true" aria-label={t('users.loading')} className="space-y-3">
      <Skeleton className="h-8 w-48" />
      <Skeleton className="h-10 w-full" />
      {Array.from({ length: 8 }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: static placeholders
        <Skeleton key={i} className="h-12 w-full" />
      ))}
    </div>
  )
}

export function UsersPage() {
  const { page, options, invitations } = Route.useLoaderData()
  const search = Route.useSearch()
  const { permissions } = Route.useRouteContext()
  const navigate = Route.useNavigate()
  const [adding, setAdding] = useState(false)
  const { t, format } = useI18n()
  // The text filters are edited locally and applied on Search. They follow the URL when something else changed it
  // (back button, a link) — not when this form did, which would clobber whatever was typed since.
  const [text, setText] = useState({ q: search.q ?? '', metaKey: search.metaKey ?? '', metaValue: search.metaValue ?? '' })
  const submitted = useRef('')
  useEffect(() => {
    const fromUrl = { q: search.q ?? '', metaKey: search.metaKey ?? '', metaValue: search.metaValue ?? '' }
    if (JSON.stringify(fromUrl) !== submitted.current) setText(fromUrl)
  }, [search.q, search.metaKey, search.metaValue])
  const canWrite = can(permissions, ['users:write'])
  const impersonating = useImpersonating()
  // A selection belongs to the page it was made on: a new page or filter starts empty, so a bulk action only ever
  // acts on rows the person can see.
  const [selection, setSelection] = useState<{ page: unknown; rows: RowSelectionState }>({ page, rows: {} })
  const rowSelection = selection.page === page ? selection.rows : {}
  const setRowSelection = (next: RowSelectionState | ((old: RowSelectionState) => RowSelectionState)) =>
    setSelection((s) => ({ page, rows: typeof next === 'function' ? next(s.page === page ? s.rows : {}) : next }))
  const sort = search.sort ?? 'name'
  const dir = search.dir ?? 'asc'

  const setSearch = (patch: Partial<UsersSearch>) =>
    navigate({ search: (prev) => ({ ...prev, ...patch, cursor: 'cursor' in patch ? patch.cursor : undefined }) })

  const columns = useMemo(
    () => [
      column.accessor('fullName', {
        id: 'name',
        header: t('common.name'),
        cell: (info) => (
          <Link
            to="/tenant/admin/users/$userId"
            params={{ userId: info.row.original.id }}
            className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
          >
            {info.getValue()}
          </Link>
        ),
      }),
      column.accessor('email', { id: 'email', header: t('users.email') }),
      column.accessor('roles', {
        header: t('common.roles'),
        enableSorting: false,
        cell: (info) => (
          <span className="flex flex-wrap gap-1">
            {info.getValue().length === 0 ? <span className="text-slate-500 dark:text-slate-400">—</span> : info.getValue().map((r) => <Badge key={r.id}>{roleName(t, options.roles.find((o) => o.id === r.id) ?? r)}</Badge>)}
          </span>
        ),
      }),
      column.accessor('isActive', {
        header: t('common.status'),
        enableSorting: false,
        cell: (info) => (info.getValue() ? <Badge tone="success">{t('common.active')}</Badge> : <Badge tone="warning">{t('users.deactivated')}</Badge>),
      }),
      column.accessor('lastSignInAt', { id: 'lastActive', header: t('users.lastActive'), enableSorting: false, cell: (info) => { const v = info.getValue(); return v ? format.date.format(new Date(v)) : t('users.never') } }),
      column.accessor('createdAt', { id: 'created', header: t('users.added'), cell: (info) => format.date.format(new Date(info.getValue())) }),
    ],
    [t, format, options.roles],
  )
  const shown = useMemo(() => (canWrite ? [selectionColumn<Row>(t), ...columns] : columns), [canWrite, columns, t])

  const table = useReactTable({
    data: page.items,
    columns: shown,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (row) => row.id,
    enableRowSelection: canWrite,
    state: { rowSelection },
    onRowSelectionChange: setRowSelection,
    manualSorting: true,
    manualPagination: true,
  })

  function onSearch(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const next = { q: text.q.trim(), metaKey: text.metaKey.trim(), metaValue: text.metaValue.trim() }
    submitted.current = JSON.stringify(next)
    setSearch({ q: next.q || undefined, metaKey: next.metaKey || undefined, metaValue: next.metaValue || undefined })
  }

  const shownTotal = `${format.number.format(page.total)}${page.totalCapped ? '+' : ''}`
  const filtered = Boolean(search.q || search.roleId || search.teamId || (search.status && search.status !== 'all') || search.metaKey)

  return (
    <>
      <PageHeader
        title={t('users.title')}
        description={
          page.totalCapped
            ? t(filtered ? 'users.countMatchingCapped' : 'users.countCapped', { count: format.number.format(page.total) })
            : t(filtered ? 'users.countMatching' : 'users.count', { count: page.total })
        }
        actions={
          <div className="flex flex-wrap gap-2">
            <ExportLink filters={{ q: search.q, roleId: search.roleId, teamId: search.teamId, status: search.status, metaKey: search.metaKey, metaValue: search.metaValue }} />
            {canWrite && !impersonating && (
              <Button onClick={() => setAdding(true)}>
                <UserPlus aria-hidden className="size-4" /> {t('users.addPerson')}
              </Button>
            )}
          </div>
        }
      />
      {canWrite && impersonating && (
        <div className="mb-4">
          <LastingAccessNote />
        </div>
      )}
      {!filtered && <InvitationsPanel invitations={invitations} />}
      <form onSubmit={onSearch} className="mb-4 grid gap-3 rounded-xl bg-white p-4 ring-1 ring-slate-200 sm:grid-cols-2 lg:grid-cols-6 dark:bg-slate-900 dark:ring-slate-800">
        <Field
          label={t('users.searchLabel')}
          name="q"
          value={text.q}
          onChange={(e) => setText((v) => ({ ...v, q: e.target.value }))}
          className="lg:col-span-2"
          type="search"
        />
        <Select label={t('common.role')} value={search.roleId ?? ''} onChange={(e) => setSearch({ roleId: e.target.value || undefined })}>
          <option value="">{t('users.anyRole')}</option>
          {options.roles.map((r) => (
            <option key={r.id} value={r.id}>
              {roleName(t, r)}
            </option>
          ))}
        </Select>
        <Select label={t('users.team')} value={search.teamId ?? ''} onChange={(e) => setSearch({ teamId: e.target.value || undefined })}>
          <option value="">{t('users.anyTeam')}</option>
          {options.teams.map((team) => (
            <option key={team.id} value={team.id}>
              {team.name} ({team.organization})
            </option>
          ))}
        </Select>
        <Select label={t('common.status')} value={search.status ?? 'all'} onChange={(e) => setSearch({ status: e.target.value as UsersSearch['status'] })}>
          <option value="all">{t('users.anyStatus')}</option>
          <option value="active">{t('common.active')}</option>
          <option value="deactivated">{t('users.deactivated')}</option>
        </Select>
        <div className="flex items-end">
          <Button type="submit" variant="secondary" className="w-full">
            <Search aria-hidden className="size-4" /> {t('common.search')}
          </Button>
        </div>
        <Field
          label={t('users.metaKey')}
          name="metaKey"
          value={text.metaKey}
          onChange={(e) => setText((v) => ({ ...v, metaKey: e.target.value }))}
          placeholder={t('users.metaKeyExample')}
        />
        <Field
          label={t('users.metaValue')}
          name="metaValue"
          value={text.metaValue}
          onChange={(e) => setText((v) => ({ ...v, metaValue: e.target.value }))}
          placeholder={t('users.metaValueExample')}
        />
      </form>

      <InvitedMatches invited={page.invited} />
      <BulkActions
        selected={table.getSelectedRowModel().rows.map((r) => r.original)}
        roles={options.roles}
        canAssignRoles={can(permissions, ['roles:manage']) && !impersonating}
        onDone={() => setRowSelection({})}
      />
      {page.items.length === 0 ? (
        <EmptyState
          title={filtered ? t('users.noMatchTitle') : t('users.noPeopleTitle')}
          action={
            filtered ? (
              <Button variant="secondary" onClick={() => navigate({ search: {} })}>
                {t('users.clearFilters')}
              </Button>
            ) : undefined
          }
        >
          {filtered ? t('users.noMatchBody') : t('users.noPeopleBody')}
        </EmptyState>
      ) : (
        <div className="overflow-hidden rounded-xl bg-white ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800">
          <TableScroller label={t('users.title')}>
            <table className="min-w-full divide-y divide-slate-200 text-sm dark:divide-slate-800">
              <thead>
                {table.getHeaderGroups().map((group) => (
                  <tr key={group.id}>
                    {group.headers.map((header) => {
                      const sortable = (USER_SORTS as readonly string[]).includes(header.column.id)
                      const active = sort === header.column.id
                      const label = flexRender(header.column.columnDef.header, header.getContext())
                      return (
                        <th
                          key={header.id}
                          scope="col"
                          aria-sort={active ? (dir === 'asc' ? 'ascending' : 'descending') : undefined}
                          className={cx('px-4 py-3 text-left font-semibold text-slate-700 dark:text-slate-300', wideOnly(header.column.id))}
                        >
                          {sortable ? (
                            <button
                              type="button"
                              className="inline-flex items-center gap-1 hover:underline"
                              onClick={() => setSearch({ sort: header.column.id as UsersSearch['sort'], dir: active && dir === 'asc' ? 'desc' : 'asc' })}
                            >
                              {label}
                              {active && (dir === 'asc' ? <ArrowUp aria-hidden className="size-3.5" /> : <ArrowDown aria-hidden className="size-3.5" />)}
                            </button>
                          ) : (
                            label
                          )}
                        </th>
                      )
                    })}
                  </tr>
                ))}
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {table.getRowModel().rows.map((row) => (
                  <tr key={row.id} className="hover:bg-slate-50 dark:hover:bg-slate-800/50">
                    {row.getVisibleCells().map((cell) => (
                      <td key={cell.id} className={cx('px-4 py-3 sm:whitespace-nowrap', wideOnly(cell.column.id))}>
                        {flexRender(cell.column.columnDef.cell, cell.getContext())}
                        {cell.column.id === 'name' && <span className="block break-all text-xs text-slate-600 sm:hidden dark:text-slate-400">{row.original.email}</span>}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroller>
          <Pager
            label={t('users.pages')}
            className="border-t border-slate-200 px-4 py-3 dark:border-slate-800"
            status={t('users.shown', { shown: format.number.format(page.items.length), total: shownTotal })}
            hasPrevious={!!page.prevCursor}
            hasNext={!!page.nextCursor}
            onPrevious={() => setSearch({ cursor: page.prevCursor ?? undefined })}
            onNext={() => setSearch({ cursor: page.nextCursor ?? undefined })}
          >
            <Select label={t('users.rowsPerPage')} hideLabel value={String(page.pageSize)} onChange={(e) => setSearch({ pageSize: Number(e.target.value) })}>
              {PAGE_SIZES.map((n) => (
                <option key={n} value={n}>
                  {t('users.perPage', { count: n })}
                </option>
              ))}
            </Select>
          </Pager>
        </div>
      )}
      <AddPersonDialog
        open={adding}
        onClose={() => setAdding(false)}
        roles={options.roles}
        canAssignRoles={can(permissions, ['roles:manage']) && !impersonating}
      />
    </>
  )
}
