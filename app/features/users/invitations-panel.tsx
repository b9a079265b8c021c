import { useRouter } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { Copy, MailPlus, RotateCw, X } from 'lucide-react'
import { useState } from 'react'
import { toast } from 'sonner'
import { Badge, Button, Card } from '~/components/ui'
import { ConfirmDialog } from '~/components/ui/confirm'
import { TableHead } from '~/components/ui/table-head'
import { TableScroller } from '~/components/ui/table-scroller'
import { errorMessage } from '~/lib/errors'
import { tr } from '~/lib/i18n'
import { useI18n } from '~/lib/i18n/react'
import { useImpersonating } from '../console/impersonation-limits'
import { getInvitationLink, type listInvitations, resendInvitationLink, revokeInvitationLink } from './users.functions'

export type PendingInvitation = Awaited<ReturnType<typeof listInvitations>>[number]

async function copy(link: string) {
  try {
    await navigator.clipboard.writeText(link)
    toast.success(tr('invitations.copied'))
  } catch {
    // No clipboard (an insecure origin, a denied permission): show the link so it can be copied by hand.
    toast.info(link, { duration: 20_000, description: tr('invitations.copyThis') })
  }
}

/** The workspace's pending invitations, with copy link, resend (a new link; the old one dies) and revoke. */
export function InvitationsPanel({ invitations }: { invitations: PendingInvitation[] }) {
  const router = useRouter()
  const { t, format } = useI18n()
  const day = (value: Date | string) => format.date.format(new Date(value))
  const linkOf = useServerFn(getInvitationLink)
  const resend = useServerFn(resendInvitationLink)
  const revoke = useServerFn(revokeInvitationLink)
  const [busy, setBusy] = useState<string>()
  const [resending, setResending] = useState<PendingInvitation>()
  const [revoking, setRevoking] = useState<PendingInvitation>()
  // A link shown or made now would outlive an impersonation: only revoking stays possible then.
  const impersonating = useImpersonating()

  if (invitations.length === 0) return null

  async function onCopy(invitation: PendingInvitation) {
    setBusy(invitation.id)
    try {
      const { link } = await linkOf({ data: { id: invitation.id } })
      await copy(link)
    } catch (e) {
      toast.error(errorMessage(e))
    } finally {
      setBusy(undefined)
    }
  }

  return (
    <Card className="mb-4 min-w-0">
      <h2 className="flex items-center gap-2 text-base font-semibold">
        <MailPlus aria-hidden className="size-4" /> {t('invitations.pending')} <Badge tone="info">{invitations.length}</Badge>
      </h2>
      <TableScroller label={t('invitations.pending')} className="mt-2">
        <table className="min-w-full text-left text-sm">
          <caption className="sr-only">{t('invitations.pending')}</caption>
          <TableHead
            columns={[
              t('invitations.email'),
              t('invitations.role'),
              t('invitations.invitedBy'),
              t('invitations.sent'),
              t('invitations.expires'),
              { label: t('common.actions'), hidden: true, end: true },
            ]}
          />
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {invitations.map((invitation) => (
              <tr key={invitation.id}>
                <td className="py-2 pr-3">
                  <span className="font-medium">{invitation.email}</span>
                  {invitation.fullName && <span className="block text-xs text-slate-600 dark:text-slate-400">{invitation.fullName}</span>}
                </td>
                <td className="px-3 py-2">{invitation.roleName ?? <span className="text-slate-600 dark:text-slate-400">{t('invitations.noRole')}</span>}</td>
                <td className="px-3 py-2">{invitation.invitedBy ?? <span className="text-slate-600 dark:text-slate-400">{t('invitations.unknown')}</span>}</td>
                <td className="whitespace-nowrap px-3 py-2">{day(invitation.createdAt)}</td>
                <td className="whitespace-nowrap px-3 py-2">
                  {invitation.expired ? <Badge tone="warning">{t('invitations.expiredOn', { date: day(invitation.expiresAt) })}</Badge> : day(invitation.expiresAt)}
                </td>
                <td className="py-2 pl-3">
                  <div className="flex justify-end gap-1">
                    {!invitation.expired && !impersonating && (
                      <Button variant="ghost" pending={busy === invitation.id} onClick={() => onCopy(invitation)} aria-label={t('invitations.copyFor', { email: invitation.email })}>
                        <Copy aria-hidden className="size-4" /> {t('invitations.copyLink')}
                      </Button>
                    )}
                    {!impersonating && (
                      <Button variant="ghost" onClick={() => setResending(invitation)} aria-label={t('invitations.resendTo', { email: invitation.email })}>
                        <RotateCw aria-hidden className="size-4" /> {t('invitations.resend')}
                      </Button>
                    )}
                    <Button variant="ghost" onClick={() => setRevoking(invitation)} aria-label={t('invitations.revokeTo', { email: invitation.email })}>
                      <X aria-hidden className="size-4" /> {t('invitations.revoke')}
                    </Button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroller>
      <ConfirmDialog
        open={resending !== undefined}
        title={t('invitations.resendTitle', { email: resending?.email ?? '' })}
        confirmLabel={t('invitations.resend')}
        tone="primary"
        onClose={() => setResending(undefined)}
        onConfirm={async () => {
          if (!resending) return
          const result = await resend({ data: { id: resending.id } })
          await router.invalidate()
          toast.success(t('invitations.newLink', { email: result.email }))
          await copy(result.link)
        }}
      >
        {t('invitations.resendBody')}
      </ConfirmDialog>
      <ConfirmDialog
        open={revoking !== undefined}
        title={t('invitations.revokeTitle', { email: revoking?.email ?? '' })}
        confirmLabel={t('invitations.revoke')}
        onClose={() => setRevoking(undefined)}
        onConfirm={async () => {
          if (!revoking) return
          const result = await revoke({ data: { id: revoking.id } })
          await router.invalidate()
          toast.success(t('invitations.revoked', { email: result.email }))
        }}
      >
        {t('invitations.revokeBody')}
      </ConfirmDialog>
    </Card>
  )
}

/** What a search found among pending invitations: the address is not a person yet. */
export function InvitedMatches({ invited }: { invited: Array<Pick<PendingInvitation, 'id' | 'email' | 'fullName' | 'expired'>> }) {
  const { t } = useI18n()
  if (invited.length === 0) return null
  return (
    <section aria-label={t('invitations.invitedNotJoined')} className="mb-4 rounded-xl bg-amber-50 p-4 text-sm ring-1 ring-amber-200 dark:bg-amber-950/40 dark:ring-amber-900">
      <h2 className="font-semibold">{t('invitations.invitedNotJoined')}</h2>
      <ul className="mt-2 space-y-1">
        {invited.map((i) => (
          <li key={i.id} className="flex flex-wrap items-center gap-2">
            <span className="font-medium">{i.email}</span>
            {i.fullName && <span className="text-slate-700 dark:text-slate-300">({i.fullName})</span>}
            <Badge tone="warning">{i.expired ? t('invitations.statusExpired') : t('invitations.statusPending')}</Badge>
          </li>
        ))}
      </ul>
    </section>
  )
}
