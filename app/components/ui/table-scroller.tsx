import { type ReactNode, useEffect, useRef, useState } from 'react'
import { cx } from './index'

/**
 * The box a data table scrolls sideways in when it is wider than the screen (a phone, a long language). While there
 * is more to one side, a shadow on that edge says so — a cut-off column alone does not — and the box becomes a named,
 * focusable region, so a keyboard can scroll it (arrow keys) and a screen reader announces what it holds. A table
 * that fits gets neither: no extra tab stop, no landmark. `className` styles the outer box (a card's ring, margins);
 * the table's sr-only header labels are positioned against the scroller itself, so they never widen the page.
 */
export function TableScroller({ label, className, children }: { label: string; className?: string; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null)
  const [more, setMore] = useState({ start: false, end: false })

  useEffect(() => {
    const el = ref.current
    if (!el) return
    const measure = () => {
      const hidden = el.scrollWidth - el.clientWidth
      const start = hidden > 1 && el.scrollLeft > 1
      const end = hidden > 1 && el.scrollLeft < hidden - 1
      setMore((m) => (m.start === start && m.end === end ? m : { start, end }))
    }
    measure()
    el.addEventListener('scroll', measure, { passive: true })
    const resized = new ResizeObserver(measure)
    resized.observe(el)
    for (const child of el.children) resized.observe(child)
    return () => {
      el.removeEventListener('scroll', measure)
      resized.disconnect()
    }
  }, [])

  const scrolls = more.start || more.end
  const region = scrolls ? ({ role: 'region', 'aria-label': label, tabIndex: 0 } as const) : {}
  const edge = 'pointer-events-none absolute inset-y-0 w-6 from-slate-900/15 to-transparent transition-opacity dark:from-black/70'
  return (
    <div className={cx('relative overflow-hidden', className)}>
      <div
        ref={ref}
        {...region}
        className="relative overflow-x-auto focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-indigo-500"
      >
        {children}
      </div>
      <div aria-hidden data-scroll-cue="start" className={cx(edge, 'left-0 bg-linear-to-r', more.start ? 'opacity-100' : 'opacity-0')} />
      <div aria-hidden data-scroll-cue="end" className={cx(edge, 'right-0 bg-linear-to-l', more.end ? 'opacity-100' : 'opacity-0')} />
    </div>
  )
}
