/**
 * The header row of a plain data table: one `th scope="col"` per label, the last one right-aligned when it holds
 * actions (give it a visually hidden label, e.g. `{ label: 'Actions', hidden: true }`), and a width where a column
 * should not take its share of the spare room (`className: 'w-px'`). A hidden label is positioned: give the table's
 * scroller `relative`, or it widens the page on a phone.
 */
export function TableHead({ columns }: { columns: Array<string | { label: string; hidden?: boolean; end?: boolean; className?: string }> }) {
  return (
    <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500 dark:border-slate-800 dark:text-slate-400">
      <tr>
        {columns.map((c, i) => {
          const { label, hidden = false, end = false, className = '' } = typeof c === 'string' ? { label: c } : c
          const edge = i === 0 ? 'pr-3' : end ? 'pl-3 text-right' : 'px-3'
          return (
            <th key={label} scope="col" className={`py-2 font-semibold ${edge} ${className}`}>
              {hidden ? <span className="sr-only">{label}</span> : label}
            </th>
          )
        })}
      </tr>
    </thead>
  )
}
