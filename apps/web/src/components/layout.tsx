import type { ComponentChildren } from 'preact'
import { reachable, session, signOut } from '../api/client.ts'
import { LOCALES, type Locale, locale, setLocale, useT } from '../i18n/index.ts'
import { online } from '../lib/online.ts'
import { Link, navigate } from '../lib/router.tsx'
import { useStore } from '../lib/store.ts'

export function LanguageSwitch() {
  const t = useT()
  const current = useStore(locale)
  return (
    <label class="lang">
      <span class="visually-hidden">{t('lang.label')}</span>
      <select
        value={current}
        onChange={(e) => setLocale((e.currentTarget as HTMLSelectElement).value as Locale)}
      >
        {Object.entries(LOCALES).map(([code, name]) => (
          <option key={code} value={code}>
            {name}
          </option>
        ))}
      </select>
    </label>
  )
}

function Nav() {
  const t = useT()
  const out = async () => {
    await signOut()
    navigate('/login')
  }
  return (
    <nav aria-label={t('nav.main')} class="nav">
      <Link href="/tasks">{t('nav.tasks')}</Link>
      <Link href="/mine">{t('nav.mine')}</Link>
      <Link href="/earnings">{t('nav.earnings')}</Link>
      <Link href="/profile">{t('nav.profile')}</Link>
      <button type="button" class="link" onClick={out}>
        {t('nav.signout')}
      </button>
    </nav>
  )
}

/**
 * Every page: header, the offline banner, the main landmark. The staff console passes its own
 * `nav` and `home`, and `wide` for pages that lay photos side by side.
 */
export function Layout(props: {
  title: string
  children: ComponentChildren
  nav?: ComponentChildren
  home?: string
  wide?: boolean
}) {
  const t = useT()
  const isOnline = useStore(online)
  const canReach = useStore(reachable)
  const state = useStore(session)
  return (
    <>
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <header class="top">
        <Link href={props.home ?? '/'} class="brand">
          {t('app.name')}
        </Link>
        <LanguageSwitch />
      </header>
      {props.nav ?? (state === 'signed-in' && <Nav />)}
      {(!isOnline || !canReach) && (
        <p class="banner" role="status">
          {t(isOnline ? 'banner.unreachable' : 'banner.offline')}
        </p>
      )}
      <main id="main" class={props.wide ? 'wide' : undefined}>
        <h1>{props.title}</h1>
        {props.children}
      </main>
    </>
  )
}

export function ErrorText(props: { message: string | null; id?: string }) {
  if (!props.message) return null
  return (
    <p class="error" role="alert" id={props.id}>
      {props.message}
    </p>
  )
}
