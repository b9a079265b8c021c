import { createFileRoute } from '@tanstack/react-router'
import { FolderTree } from 'lucide-react'
import { EmptyState } from '../../../../components/ui'

export const Route = createFileRoute('/tenant/_app/categories/')({
  component: () => (
    <EmptyState title="Choose a category">
      <FolderTree aria-hidden className="mx-auto mb-2 size-6 text-slate-400" />
      Select a category in the tree, or search for one, to see its path, details and subcategories.
    </EmptyState>
  ),
})
