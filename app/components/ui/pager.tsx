import { ChevronLeft, ChevronRight } from 'lucide-react'
import type { ReactNode } from 'react'
import { useI18n } from '~/lib/i18n/react'
import { Button, cx } from './index'

/**
 * Previous and next under a list: where it stands on the left ("Page 2 of 5", "25 of 120 shown"), the buttons and any
 * further control (a page-size choice) on the right. A disabled button stays in place and looks disabled. `compact`
 * keeps the buttons' names for assistive technology only, for narrow columns.
 */
export function Pager({
  label,
  status,
  hasPrevious,
  hasNext,
  onPrevious,
  onNext,
  compact = false,
  className,
  children,
}: {
  label: string
  status: ReactNode
  hasPrevious: boolean
  hasNext: boolean
  onPrevious: () => void
  onNext: () => void
  compact?: boolean
  className?: string
  children?: ReactNode
}) {
  const { t } = useI18n()
  const name = compact ? 'sr-only' : undefined
  return (
    <nav aria-label={label} className={cx('flex flex-wrap items-center justify-between gap-2 text-sm', className)}>
      <p className="text-slate-600 dark:text-slate-400">{status}</p>
      <div className="flex items-end gap-2">
        {children}
        <Button variant="secondary" disabled={!hasPrevious} onClick={onPrevious}>
          <ChevronLeft aria-hidden className="size-4" /> <span className={name}>{t('common.previous')}</span>
        </Button>
        <Button variant="secondary" disabled={!hasNext} onClick={onNext}>
          <span className={name}>{t('common.next')}</span> <ChevronRight aria-hidden className="size-4" />
        </Button>
      </div>
    </nav>
  )
}

/** A Pager over numbered pages (offset paging): "Page 2 of 5". */
export function PageNumbers({ page, pages, onPage, ...rest }: { label: string; page: number; pages: number; onPage: (page: number) => void; compact?: boolean; className?: string }) {
  const { t, format } = useI18n()
  return (
    <Pager
      {...rest}
      status={t('common.pageOf', { page: format.number.format(page), pages: format.number.format(pages) })}
      hasPrevious={page > 1}
      hasNext={page < pages}
      onPrevious={() => onPage(page - 1)}
      onNext={() => onPage(page + 1)}
    />
  )
}
