import { type KeyboardEvent, type ReactNode, useId, useRef, useState } from 'react'
import { cx } from '~/components/ui'
import { useI18n } from '~/lib/i18n/react'
import type { AuditEntityType } from './audit.schemas'
import { RecordHistory } from './record-history'

/**
 * A record page's tabs: its own content and its History (the audit log filtered to the record). Arrow keys move
 * between tabs (WAI-ARIA tabs pattern). Without `showHistory` the content is shown alone.
 */
export function HistoryTabs({
  label,
  entity,
  recordId,
  showHistory,
  children,
}: {
  label: string
  entity: AuditEntityType
  recordId: string
  showHistory: boolean
  children: ReactNode
}) {
  const { t: tt } = useI18n()
  const [tab, setTab] = useState<'main' | 'history'>('main')
  const id = useId()
  const refs = { main: useRef<HTMLButtonElement>(null), history: useRef<HTMLButtonElement>(null) }
  if (!showHistory) return <>{children}</>
  const onKey = (event: KeyboardEvent) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return
    const next = tab === 'main' ? 'history' : 'main'
    setTab(next)
    refs[next].current?.focus()
  }
  const tabClass = (active: boolean) =>
    cx(
      '-mb-px border-b-2 px-3 py-2 text-sm font-medium focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-500',
      active ? 'border-indigo-600 text-indigo-700 dark:text-indigo-300' : 'border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-slate-100',
    )
  return (
    <div>
      <div role="tablist" aria-label={tt('history.tabs', { label })} className="mb-4 flex gap-2 border-b border-slate-200 dark:border-slate-800">
        {(['main', 'history'] as const).map((t) => (
          <button
            key={t}
            ref={refs[t]}
            type="button"
            role="tab"
            id={`${id}-${t}-tab`}
            aria-selected={tab === t}
            aria-controls={`${id}-${t}`}
            tabIndex={tab === t ? 0 : -1}
            onClick={() => setTab(t)}
            onKeyDown={onKey}
            className={tabClass(tab === t)}
          >
            {t === 'main' ? label : tt('history.tab')}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${id}-${tab}`} aria-labelledby={`${id}-${tab}-tab`}>
        {tab === 'main' ? (
          children
        ) : (
          <div className="rounded-xl bg-white p-4 ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800">
            <RecordHistory entity={entity} recordId={recordId} />
          </div>
        )}
      </div>
    </div>
  )
}
