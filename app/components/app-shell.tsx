import { Link, useRouter, useRouterState } from '@tanstack/react-router'
import { useServerFn } from '@tanstack/react-start'
import { LogOut, MenuIcon, Monitor, Moon, Sun, UserRound, X } from 'lucide-react'
import { type ReactNode, useEffect, useRef, useState } from 'react'
import { toast } from 'sonner'
import { signOut } from '../features/auth/auth.functions'
import { updatePreferences } from '../features/profile/profile.functions'
import { errorMessage } from '../lib/errors'
import { useI18n } from '../lib/i18n/react'
import { adminSectionLabel, can, type NavItem } from '../lib/navigation'
import { applyTheme, type Theme } from '../lib/theme'
import { Menu, menuItemClass } from './ui/menu'
import { useModal, wrapTab } from './ui/use-modal'

type ShellUser = { fullName: string; email: string; preferences: { theme?: Theme } }

const THEME_ICON = { system: Monitor, light: Sun, dark: Moon }
const NEXT_THEME: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' }

export function AppShell({
  brand,
  nav,
  permissions,
  user,
  profileTo,
  signInTo,
  defaultTheme = 'system',
  children,
}: {
  brand: string
  nav: NavItem[]
  permissions: readonly string[]
  user: ShellUser
  profileTo?: string
  signInTo: string
  /** The workspace's default, used until the person picks a theme of their own. */
  defaultTheme?: Theme
  children: ReactNode
}) {
  const router = useRouter()
  const { t } = useI18n()
  const doSignOut = useServerFn(signOut)
  const savePreferences = useServerFn(updatePreferences)
  const theme: Theme = user.preferences.theme ?? defaultTheme
  const ThemeIcon = THEME_ICON[theme]

  useEffect(() => applyTheme(theme), [theme])

  async function cycleTheme() {
    const next = NEXT_THEME[theme]
    applyTheme(next)
    try {
      await savePreferences({ data: { theme: next } })
      await router.invalidate()
    } catch (e) {
      toast.error(errorMessage(e))
    }
  }

  async function onSignOut() {
    try {
      await doSignOut()
      toast.success(t('shell.signedOut'))
      await router.invalidate()
      await router.navigate({ href: signInTo })
    } catch (e) {
      toast.error(errorMessage(e))
    }
  }

  const visible = nav.filter((item) => can(permissions, item.anyOf))
  const sections = [
    { key: 'main', label: undefined, items: visible.filter((i) => i.section === 'main') },
    { key: 'admin', label: t(adminSectionLabel(permissions)), items: visible.filter((i) => i.section === 'admin') },
  ].filter((s) => s.items.length > 0)

  return (
    <div className="min-h-screen md:flex">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2">
        {t('shell.skip')}
      </a>
      <aside className="hidden border-slate-200 bg-white md:block md:w-60 md:shrink-0 md:border-r dark:border-slate-800 dark:bg-slate-900">
        <Brand name={brand} />
        <NavSections sections={sections} />
      </aside>
      <div className="min-w-0 flex-1">
        <header className="sticky top-0 z-30 flex h-14 items-center gap-2 border-b border-slate-200 bg-white px-4 md:static dark:border-slate-800 dark:bg-slate-900">
          <NavDrawer brand={brand} sections={sections} />
          <span className="min-w-0 flex-1 truncate font-semibold md:hidden">{brand}</span>
          <span className="hidden flex-1 md:block" />
          <button
            type="button"
            onClick={cycleTheme}
            className="rounded-md p-2 text-slate-600 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-slate-300 dark:hover:bg-slate-800"
            aria-label={t('shell.themeSwitch', { theme: t(`shell.themes.${theme}`), next: t(`shell.themes.${NEXT_THEME[theme]}`) })}
            title={t('shell.theme', { theme: t(`shell.themes.${theme}`) })}
          >
            <ThemeIcon aria-hidden className="size-5" />
          </button>
          <Menu
            // The accessible name contains the visible one (WCAG 2.5.3), so "Olivia Owner" works for voice control too.
            label={t('shell.accountMenu', { name: user.fullName })}
            button={
              <>
                <UserRound aria-hidden className="size-5" />
                <span className="hidden sm:inline">{user.fullName}</span>
              </>
            }
          >
            {(close) => (
              <>
                <p className="truncate px-3 py-2 text-xs text-slate-500 dark:text-slate-400">{user.email}</p>
                {profileTo && (
                  <Link to={profileTo} role="menuitem" className={menuItemClass} onClick={close}>
                    {t('shell.profile')}
                  </Link>
                )}
                <button
                  type="button"
                  role="menuitem"
                  className={menuItemClass}
                  onClick={() => {
                    close()
                    void onSignOut()
                  }}
                >
                  <LogOut aria-hidden className="size-4" /> {t('shell.signOut')}
                </button>
              </>
            )}
          </Menu>
        </header>
        <main id="main" className="mx-auto max-w-6xl px-4 py-6 sm:px-6 sm:py-8">
          <HeadingFocus />
          {children}
        </main>
      </div>
    </div>
  )
}

type NavSection = { key: string; label?: string; items: NavItem[] }

function Brand({ name }: { name: string }) {
  return (
    <div className="flex h-14 items-center gap-2 px-4">
      <span aria-hidden className="grid size-7 place-items-center rounded-md bg-indigo-600 text-sm font-bold text-white">
        {name.slice(0, 1).toUpperCase()}
      </span>
      <span className="truncate font-semibold">{name}</span>
    </div>
  )
}

function NavSections({ sections, onNavigate }: { sections: NavSection[]; onNavigate?: () => void }) {
  const { t } = useI18n()
  return (
    <nav aria-label={t('nav.main')} className="space-y-4 px-2 pb-4">
      {sections.map((section) => (
        <div key={section.key}>
          {section.label && <p className="px-2 pb-1 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">{section.label}</p>}
          <ul className="space-y-0.5">
            {section.items.map((item) => (
              <li key={item.to}>
                <Link
                  to={item.to}
                  onClick={onNavigate}
                  activeOptions={{ exact: item.to === '/tenant' || item.to === '/console' }}
                  className="block rounded-md px-2 py-2 text-sm text-slate-700 hover:bg-slate-100 md:py-1.5 dark:text-slate-300 dark:hover:bg-slate-800"
                  activeProps={{ className: 'bg-slate-100 font-semibold text-slate-900 dark:bg-slate-800 dark:text-white' }}
                >
                  {t(item.label)}
                </Link>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </nav>
  )
}

/**
 * Below the md breakpoint the navigation lives in a drawer: a native modal <dialog>, so focus stays inside it, Escape
 * closes it and focus returns to the menu button. It also closes whenever the page changes.
 */
function NavDrawer({ brand, sections }: { brand: string; sections: NavSection[] }) {
  const [open, setOpen] = useState(false)
  const ref = useModal(open)
  const { t } = useI18n()
  const pathname = useRouterState({ select: (s) => s.location.pathname })

  // biome-ignore lint/correctness/useExhaustiveDependencies: the drawer closes when the path changes
  useEffect(() => setOpen(false), [pathname])

  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        aria-label={t('nav.open')}
        aria-haspopup="dialog"
        aria-expanded={open}
        className="-ml-2 rounded-md p-2 text-slate-600 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-500 md:hidden dark:text-slate-300 dark:hover:bg-slate-800"
      >
        <MenuIcon aria-hidden className="size-5" />
      </button>
      <dialog
        ref={ref}
        aria-label={t('nav.drawer')}
        onKeyDown={wrapTab}
        // Escape: the state follows at once (cancel), not only when the close event arrives, so the menu button opens
        // the drawer again straight away.
        onCancel={() => setOpen(false)}
        onClose={() => setOpen(false)}
        // A click on the backdrop lands on the <dialog> itself, outside its panel.
        onClick={(e) => {
          if (e.target === e.currentTarget) setOpen(false)
        }}
        className="fixed inset-y-0 left-0 m-0 h-full max-h-none w-72 max-w-[85vw] bg-white text-slate-900 shadow-xl backdrop:bg-slate-900/50 md:hidden dark:bg-slate-900 dark:text-slate-100"
      >
        <div className="flex items-center justify-between pr-2">
          <Brand name={brand} />
          <button
            type="button"
            onClick={() => setOpen(false)}
            aria-label={t('nav.close')}
            className="rounded-md p-2 text-slate-600 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-slate-300 dark:hover:bg-slate-800"
          >
            <X aria-hidden className="size-5" />
          </button>
        </div>
        <NavSections sections={sections} onNavigate={() => setOpen(false)} />
      </dialog>
    </>
  )
}

/**
 * After a client-side navigation to another page, focus moves to the new page's heading, so a screen reader announces
 * where the person is and the keyboard starts from the top of the content. Search-parameter changes (filters, paging)
 * and navigations from content that stays on screen keep focus where it is. The first page load leaves focus to the
 * browser.
 */
function HeadingFocus() {
  const pathname = useRouterState({ select: (s) => s.resolvedLocation?.pathname })
  const previous = useRef(pathname)
  useEffect(() => {
    if (previous.current === pathname) return
    previous.current = pathname
    const heading = document.querySelector<HTMLElement>('#main h1')
    if (!heading || heading.contains(document.activeElement)) return
    // A navigation made from inside the content that stays on screen (a category tree row that is selected, which
    // changes the URL) keeps its focus there; a link of a page that went away leaves focus on <body>.
    const active = document.activeElement
    if (active && active !== document.body && document.getElementById('main')?.contains(active)) return
    heading.tabIndex = -1
    heading.focus({ preventScroll: true })
  }, [pathname])
  return null
}

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
      <div>
        <h1 className="text-2xl font-bold tracking-tight">{title}</h1>
        {description && <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{description}</p>}
      </div>
      {actions && <div className="flex min-w-0 flex-wrap gap-2">{actions}</div>}
    </div>
  )
}
