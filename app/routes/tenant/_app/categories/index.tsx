import { useI18n } from '~/lib/i18n/react'
import { createFileRoute } from '@tanstack/react-router'
import { FolderTree } from 'lucide-react'
import { EmptyState } from '~/components/ui'

export const Route = createFileRoute('/tenant/_app/categories/')({
  component: ChooseCategory,
})

function ChooseCategory() {
  const { t } = useI18n()
  return (
    <EmptyState title={t('catalog.chooseTitle')}>
      <FolderTree aria-hidden className="mx-auto mb-2 size-6 text-slate-400" />
      {t('catalog.chooseBody')}
    </EmptyState>
  )
}

