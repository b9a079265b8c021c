import { stringify } from 'csv-stringify/sync'

/**
 * The one CSV writer of Haven's exports (csv-stringify). `escape_formulas` puts a `'` before a cell that starts
 * with `=`, `+`, `-`, `@`, tab or carriage return, so a name such as `=HYPERLINK(…)` that a person typed is shown
 * as text, never run as a formula, when the file is opened in a spreadsheet.
 */
export function toCsv(records: unknown[][], columns?: string[]): string {
  return stringify(records, { header: columns !== undefined, columns, escape_formulas: true })
}
