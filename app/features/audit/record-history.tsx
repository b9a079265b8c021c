import { useI18n } from '~/lib/i18n/react'
import { Link } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { useCallback, useEffect, useState } from 'react'
import { Alert, Button, EmptyState, Skeleton } from '~/components/ui'
import { errorMessage } from '~/lib/errors'
import { listAudit } from './audit.functions'
import type { AuditEntityType } from './audit.schemas'
import type { AuditEventView } from './audit.server'
import { AuditEventDetail } from './event-detail'
import { AuditEventList } from './event-list'

/** A record's History: the audit viewer filtered to that record, with the same rendering and detail. */
export function RecordHistory({ entity, recordId, title: givenTitle }: { entity: AuditEntityType; recordId: string; title?: string }) {
  const { t } = useI18n()
  const title = givenTitle ?? t('history.tab')
  const load = useServerFn(listAudit)
  const [items, setItems] = useState<AuditEventView[] | null>(null)
  const [cursor, setCursor] = useState<string | null>(null)
  const [error, setError] = useState<string>()
  const [pending, setPending] = useState(false)
  const [open, setOpen] = useState<string | null>(null)

  const fetchPage = useCallback(
    async (after?: string) => {
      setPending(true)
      setError(undefined)
      try {
        const page = await load({ data: { entity, record: recordId, related: true, pageSize: 20, cursor: after } })
        setItems((prev) => (after && prev ? [...prev, ...page.items] : page.items))
        setCursor(page.nextCursor)
      } catch (e) {
        setError(errorMessage(e))
      } finally {
        setPending(false)
      }
    },
    [load, entity, recordId],
  )

  useEffect(() => {
    void fetchPage()
  }, [fetchPage])

  return (
    <section aria-label={title}>
      <div className="mb-3 flex items-center justify-between">
        <h2 className="text-base font-semibold">{title}</h2>
        <Link
          to="/tenant/admin/audit"
          search={{ entity, record: recordId, related: true }}
          className="text-sm text-indigo-700 hover:underline dark:text-indigo-300"
        >
          {t('recordHistory.openInAudit')}
        </Link>
      </div>
      {error && <Alert>{error}</Alert>}
      {items === null && !error ? (
        <div role="status" aria-label={t('recordHistory.loading')} className="space-y-2">
          <Skeleton className="h-10 w-full" />
          <Skeleton className="h-10 w-full" />
        </div>
      ) : items && items.length === 0 ? (
        <EmptyState title={t('recordHistory.none')} />
      ) : items ? (
        <div className="-mx-4">
          <AuditEventList items={items} onOpen={setOpen} compact />
        </div>
      ) : null}
      {cursor && (
        <Button variant="secondary" className="mt-3" pending={pending} onClick={() => fetchPage(cursor)}>
          {t('recordHistory.older')}

        </Button>
      )}
      <AuditEventDetail id={open} onClose={() => setOpen(null)} />
    </section>
  )
}
