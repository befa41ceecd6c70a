import type { ComponentChildren } from 'preact'
import { useCallback, useEffect, useState } from 'preact/hooks'
import { ApiError } from '../../api/client.ts'
import { agentSession, signOutAgent } from '../../api/dashboard.ts'
import { LanguageSwitch } from '../../components/layout.tsx'
import { type DashKey, dt, useDT as useT } from '../../i18n/dashboard.ts'
import { describeError } from '../../lib/errors.ts'
import { online } from '../../lib/online.ts'
import { currentUrl, Link, navigate } from '../../lib/router.tsx'
import { useStore } from '../../lib/store.ts'

const NAV: [href: string, label: DashKey][] = [
  ['/dashboard', 'dash.nav.account'],
  ['/dashboard/tasks', 'dash.nav.tasks'],
  ['/dashboard/keys', 'dash.nav.keys'],
  ['/dashboard/webhooks', 'dash.nav.webhooks'],
  ['/dashboard/wallet', 'dash.nav.wallet'],
]

function DashNav() {
  const t = useT()
  const path = useStore(currentUrl).split('?')[0]!
  const out = async () => {
    await signOutAgent()
    navigate('/dashboard/login')
  }
  const isCurrent = (href: string) =>
    href === '/dashboard' ? path === href : path === href || path.startsWith(`${href}/`)
  return (
    <nav aria-label={t('nav.main')} class="nav">
      {NAV.map(([href, label]) => (
        <a
          key={href}
          href={href}
          aria-current={isCurrent(href) ? 'page' : undefined}
          onClick={(e) => {
            if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return
            e.preventDefault()
            navigate(href)
          }}
        >
          {t(label)}
        </a>
      ))}
      <button type="button" class="link" onClick={out}>
        {t('nav.signout')}
      </button>
    </nav>
  )
}

/** Every dashboard page: header, the agent's navigation, a wide main landmark on desktop. */
export function DashLayout(props: { title: string; children: ComponentChildren }) {
  const t = useT()
  const state = useStore(agentSession)
  const isOnline = useStore(online)
  return (
    <>
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <header class="top">
        <Link href="/dashboard" class="brand">
          {t('dash.brand')}
        </Link>
        <LanguageSwitch />
      </header>
      {state === 'signed-in' && <DashNav />}
      {!isOnline && (
        <p class="banner" role="status">
          {t('dash.offline')}
        </p>
      )}
      <main id="main" class="dash">
        <h1>{props.title}</h1>
        {props.children}
      </main>
    </>
  )
}

const BY_CODE: Partial<Record<string, DashKey>> = {
  UNAUTHORIZED: 'dash.err.session',
  NOT_FOUND: 'dash.err.notFound',
}

/**
 * One sentence for a failed dashboard call. Agents are developers: a refused request (4xx) shows
 * the server's own sentence, which says what is wrong and how to fix it; a few codes have a
 * dashboard wording; offline and 5xx get the app's.
 */
export function dashError(err: unknown, overrides: Partial<Record<string, DashKey>> = {}): string {
  if (err instanceof ApiError) {
    const key = overrides[err.code] ?? BY_CODE[err.code]
    if (key) return dt(key)
    if (err.status < 500 && err.message) return err.message
  }
  return describeError(err)
}

/** Page data: loaded on mount and whenever `deps` change; the value, its error, a reload. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T | null>(null)
  const [error, setError] = useState<string | null>(null)
  const reload = useCallback(async () => {
    try {
      setData(await load())
      setError(null)
    } catch (err) {
      setError(dashError(err))
    }
  }, deps)
  useEffect(() => {
    void reload()
  }, [reload])
  return { data, error, reload, set: setData }
}

/** Copies text to the clipboard; says so, or says to copy by hand where the browser refuses. */
export function CopyButton(props: { text: string; label: string }) {
  const t = useT()
  const [done, setDone] = useState<'ok' | 'failed' | null>(null)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text)
      setDone('ok')
    } catch {
      setDone('failed')
    }
  }
  return (
    <span class="copy">
      <button type="button" class="secondary" onClick={copy}>
        {props.label}
      </button>
      <span role="status" class={done === 'failed' ? 'error' : 'ok'}>
        {done === 'ok' ? t('dash.copied') : done === 'failed' ? t('dash.copyFailed') : ''}
      </span>
    </span>
  )
}
