import type { TFunction } from 'i18next'
import { useI18n } from '~/lib/i18n/react'
import { Link } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import Bowser from 'bowser'
import { X } from 'lucide-react'
import { useEffect, useId, useState } from 'react'
import { Alert, Badge, Button, Skeleton } from '~/components/ui'
import { useModal } from '~/components/ui/use-modal'
import { errorMessage } from '~/lib/errors'
import { getAuditEvent } from './audit.functions'
import { AUDIT_ENTITY_TYPES, type AuditEntityType } from './audit.schemas'
import { fieldChanges } from './describe'
import { LocalTime, Value, When, What, Who } from './event-list'

const isEntityType = (table: string): table is AuditEntityType => (AUDIT_ENTITY_TYPES as readonly string[]).includes(table)

type Detail = Awaited<ReturnType<typeof getAuditEvent>>

function browserOf(t: TFunction, userAgent: string | null): string {
  if (!userAgent) return t('eventDetail.unknown')
  const parsed = Bowser.parse(userAgent)
  const browser = [parsed.browser.name, parsed.browser.version?.split('.')[0]].filter(Boolean).join(' ')
  const os = [parsed.os.name, parsed.os.versionName ?? parsed.os.version].filter(Boolean).join(' ')
  if (browser && os) return t('eventDetail.browserOn', { browser, os })
  return browser || os || userAgent
}

/**
 * One event in a modal: who, what, when, from where, and the field-level diff (changed fields by default, every
 * field on request), with secrets shown as hidden. Used by the viewer and the History tabs.
 */
export function AuditEventDetail({ id, onClose }: { id: string | null; onClose: () => void }) {
  const ref = useModal(id !== null)
  const titleId = useId()
  const load = useServerFn(getAuditEvent)
  const { t, tr } = useI18n()
  const [detail, setDetail] = useState<Detail | null>(null)
  const [error, setError] = useState<string>()
  const [showAll, setShowAll] = useState(false)

  useEffect(() => {
    if (!id) return
    let live = true
    setDetail(null)
    setError(undefined)
    setShowAll(false)
    load({ data: { id } })
      .then((d) => live && setDetail(d))
      .catch((e: unknown) => live && setError(errorMessage(e)))
    return () => {
      live = false
    }
  }, [id, load])

  const changes = detail ? fieldChanges(detail.oldValues, detail.newValues, { all: showAll || detail.action !== 'UPDATE' }) : []
  const isRowChange = detail && ['CREATE', 'UPDATE', 'DELETE'].includes(detail.action)

  return (
    <dialog
      ref={ref}
      onClose={onClose}
      aria-labelledby={titleId}
      className="m-auto max-h-[calc(100dvh-2rem)] w-[calc(100%-1.5rem)] max-w-3xl rounded-xl bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:bg-slate-900 dark:text-slate-100"
    >
      <div className="flex items-start justify-between gap-4 border-b border-slate-200 px-6 py-4 dark:border-slate-800">
        <h2 id={titleId} className="text-lg font-semibold">
          {detail ? t(`auditActions.${detail.action}`) : t('eventDetail.event')}
          {detail && <span className="ml-2 text-sm font-normal text-slate-500 dark:text-slate-400"> · {isEntityType(detail.tableName) ? t(`auditEntities.${detail.tableName}`) : tr(`auditNouns.${detail.tableName}`)}</span>}
        </h2>
        <Button variant="ghost" aria-label={t('common.close')} onClick={onClose}>
          <X aria-hidden className="size-4" />
        </Button>
      </div>
      <div className="max-h-[70vh] overflow-y-auto px-6 py-4 text-sm">
        {error && <Alert>{error}</Alert>}
        {!detail && !error && (
          <div role="status" aria-label={t('eventDetail.loading')} className="space-y-2">
            <Skeleton className="h-5 w-2/3" />
            <Skeleton className="h-24 w-full" />
          </div>
        )}
        {detail && (
          <div className="space-y-4">
            <p className="text-base">
              <span className="font-medium">
                <Who event={detail} />
              </span>{' '}
              <What event={detail} />
            </p>
            <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
              <dt className="text-slate-500 dark:text-slate-400">{t('eventDetail.when')}</dt>
              <dd>
                <When iso={detail.createdAt} /> <span className="text-slate-500 dark:text-slate-400">(<LocalTime iso={detail.createdAt} />)</span>
              </dd>
              {detail.actor?.email && (
                <>
                  <dt className="text-slate-500 dark:text-slate-400">{t('eventDetail.email')}</dt>
                  <dd>{detail.actor.email}</dd>
                </>
              )}
              {detail.impersonator && (
                <>
                  <dt className="text-slate-500 dark:text-slate-400">{t('eventDetail.impersonatedBy')}</dt>
                  <dd>
                    {tr(detail.impersonator.name)} {detail.impersonator.email && <span className="text-slate-500 dark:text-slate-400">({detail.impersonator.email})</span>}
                  </dd>
                </>
              )}
              <dt className="text-slate-500 dark:text-slate-400">{t('eventDetail.ip')}</dt>
              <dd>{detail.ipAddress ?? t('eventDetail.unknown')}</dd>
              <dt className="text-slate-500 dark:text-slate-400">{t('eventDetail.browser')}</dt>
              <dd title={detail.userAgent ?? undefined}>{browserOf(t, detail.userAgent)}</dd>
              <dt className="text-slate-500 dark:text-slate-400">{t('eventDetail.request')}</dt>
              <dd>
                {detail.requestId ? (
                  <Link
                    to="/tenant/admin/audit"
                    search={{ requestId: detail.requestId }}
                    onClick={onClose}
                    aria-label={t('eventDetail.requestEvents', { id: detail.requestId })}
                    className="font-mono text-xs text-indigo-700 hover:underline dark:text-indigo-300"
                  >
                    {detail.requestId}
                  </Link>
                ) : (
                  t('eventDetail.none')
                )}
              </dd>
              <dt className="text-slate-500 dark:text-slate-400">{t('eventDetail.chain')}</dt>
              <dd>
                {detail.chainSeq ? (
                  <span>
                    {t('eventDetail.chainEvent', { seq: detail.chainSeq })} <span className="break-all font-mono text-xs text-slate-500 dark:text-slate-400">{detail.chainHash}</span>
                  </span>
                ) : (
                  <Badge>{t('eventDetail.notSealed')}</Badge>
                )}
              </dd>
            </dl>
            {isRowChange || changes.length > 0 ? (
              <section aria-label={t('eventDetail.changes')}>
                <div className="mb-2 flex items-center justify-between">
                  <h3 className="font-semibold">{detail.action === 'UPDATE' ? (showAll ? t('eventDetail.allFields') : t('eventDetail.changedFields')) : t('eventDetail.values')}</h3>
                  {detail.action === 'UPDATE' && (
                    <label className="flex items-center gap-2">
                      <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} /> {t('eventDetail.showAll')}
                    </label>
                  )}
                </div>
                {changes.length === 0 ? (
                  <p className="text-slate-500 dark:text-slate-400">{t('eventDetail.nothingVisible')}</p>
                ) : (
                  <table className="w-full table-fixed text-left">
                    <thead>
                      <tr className="text-slate-500 dark:text-slate-400">
                        <th scope="col" className="w-1/3 py-1 font-medium sm:w-1/4">
                          {t('eventDetail.field')}
                        </th>
                        {detail.oldValues !== null && (
                          <th scope="col" className="py-1 font-medium">
                            {t('eventDetail.before')}
                          </th>
                        )}
                        {detail.newValues !== null && (
                          <th scope="col" className="py-1 font-medium">
                            {t('eventDetail.after')}

                          </th>
                        )}
                      </tr>
                    </thead>
                    <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                      {changes.map((c) => {
                        const changed = JSON.stringify(c.from) !== JSON.stringify(c.to)
                        return (
                          <tr key={c.path} className={changed && detail.action === 'UPDATE' ? 'bg-amber-50 dark:bg-amber-950/30' : undefined}>
                            <th scope="row" className="hyphens-auto break-words py-1 pr-2 align-top font-medium">
                              {tr(c.label)}
                            </th>
                            {detail.oldValues !== null && (
                              <td className="break-words py-1 pr-2 align-top">
                                {changed && detail.action === 'UPDATE' ? (
                                  <del>
                                    <Value value={c.from} secret={c.secret} names={detail.names} words={c.fromWords} />
                                  </del>
                                ) : (
                                  <Value value={c.from} secret={c.secret} names={detail.names} words={c.fromWords} />
                                )}
                              </td>
                            )}
                            {detail.newValues !== null && (
                              <td className="break-words py-1 align-top">
                                {changed && detail.action === 'UPDATE' ? (
                                  <ins className="no-underline">
                                    <Value value={c.to} secret={c.secret} names={detail.names} words={c.toWords} />
                                  </ins>
                                ) : (
                                  <Value value={c.to} secret={c.secret} names={detail.names} words={c.toWords} />
                                )}
                              </td>
                            )}
                          </tr>
                        )
                      })}
                    </tbody>
                  </table>
                )}
              </section>
            ) : null}
          </div>
        )}
      </div>
    </dialog>
  )
}
