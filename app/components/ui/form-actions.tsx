import { useI18n } from '~/lib/i18n/react'
import { Button } from './index'

/** The row under a form in a dialog: Cancel (which may ask before discarding edits) and the submit button. */
export function FormActions({ pending, submitLabel, onCancel }: { pending: boolean; submitLabel: string; onCancel: () => void }) {
  const { t } = useI18n()
  return (
    <div className="flex justify-end gap-2">
      <Button type="button" variant="secondary" onClick={onCancel} disabled={pending}>
        {t('common.cancel')}
      </Button>
      <Button type="submit" pending={pending}>
        {submitLabel}
      </Button>
    </div>
  )
}
