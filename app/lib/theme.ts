export const THEMES = ['system', 'light', 'dark'] as const
export type Theme = (typeof THEMES)[number]
const KEY = 'haven-theme'

/** Runs before first paint (inlined in <head>), so a dark page never flashes white. */
export const THEME_BOOT_SCRIPT = `(function(){try{var t=localStorage.getItem('${KEY}')||'system';var d=t==='dark'||(t==='system'&&matchMedia('(prefers-color-scheme: dark)').matches);document.documentElement.classList.toggle('dark',d)}catch(e){}})()`

export function applyTheme(theme: Theme) {
  try {
    localStorage.setItem(KEY, theme)
  } catch {}
  const dark = theme === 'dark' || (theme === 'system' && window.matchMedia('(prefers-color-scheme: dark)').matches)
  document.documentElement.classList.toggle('dark', dark)
}

/**
 * A workspace's default theme for a browser whose person has not chosen one here yet (nothing stored): runs inline
 * where the workspace is known (its sign-in and other public pages), before they paint.
 */
export function defaultThemeScript(theme: Theme): string {
  return `(function(){try{if(localStorage.getItem('${KEY}'))return;var t=${JSON.stringify(theme)};var d=t==='dark'||(t==='system'&&matchMedia('(prefers-color-scheme: dark)').matches);document.documentElement.classList.toggle('dark',d)}catch(e){}})()`
}
