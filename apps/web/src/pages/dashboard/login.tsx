import { useEffect, useState } from 'preact/hooks'
import {
  agentSession,
  requestLoginLink,
  sessionEnded,
  signInWithKey,
  signInWithLink,
} from '../../api/dashboard.ts'
import { ErrorText } from '../../components/layout.tsx'
import { SignInForm } from '../../components/sign-in-form.tsx'
import { useDT as useT } from '../../i18n/dashboard.ts'
import { navigate, useQuery } from '../../lib/router.tsx'
import { useStore } from '../../lib/store.ts'
import { DashLayout, dashError } from './layout.tsx'

const safeNext = (next: string | null) =>
  next?.startsWith('/dashboard') && !next.startsWith('/dashboard/login') ? next : '/dashboard'

/** Sign-in: a login link by email, or a pasted API key; the emailed link lands here with `#token=`. */
export function DashLoginPage() {
  const t = useT()
  const next = safeNext(useQuery().get('next'))
  const state = useStore(agentSession)
  const ended = useStore(sessionEnded)
  const [linkError, setLinkError] = useState<string | null>(null)
  const [redeeming, setRedeeming] = useState(false)
  const [sent, setSent] = useState<string | null>(null)
  // One flag for both forms: neither button works while either form is being sent.
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    const redeem = () => {
      const token = new URLSearchParams(location.hash.slice(1)).get('token')
      if (!token) return
      // The token works once: out of the address bar (and history) before it is used.
      history.replaceState(null, '', location.pathname + location.search)
      setRedeeming(true)
      setLinkError(null)
      signInWithLink(token)
        .then(() => navigate(next, { replace: true }))
        .catch((err) => setLinkError(dashError(err, { UNAUTHORIZED: 'dash.err.badLink' })))
        .finally(() => setRedeeming(false))
    }
    redeem()
    // A link opened in a tab that already shows this page changes only the hash.
    addEventListener('hashchange', redeem)
    return () => removeEventListener('hashchange', redeem)
  }, [])

  const askLink = async (form: FormData) => {
    const email = String(form.get('email')).trim()
    setSent(null)
    await requestLoginLink(email)
    setSent(t('dash.login.sent', { email }))
  }
  const withKey = async (form: FormData) => {
    await signInWithKey(String(form.get('api_key')))
    navigate(next, { replace: true })
  }

  if (state === 'signed-in' && !redeeming) {
    return (
      <DashLayout title={t('dash.login.title')}>
        <p>{t('dash.login.already')}</p>
        <p>
          <a href="/dashboard">{t('dash.nav.account')}</a>
        </p>
      </DashLayout>
    )
  }
  return (
    <DashLayout title={t('dash.login.title')}>
      {ended === 'expired' && (
        <p class="banner" role="alert">
          {t('dash.login.expired')}
        </p>
      )}
      {redeeming && <p aria-busy="true">{t('dash.login.redeeming')}</p>}
      <ErrorText message={linkError} />
      <p class="hint">{t('dash.login.intro')}</p>
      <div class="grid2">
        <section class="panel" aria-labelledby="by-email">
          <h2 id="by-email">{t('dash.login.byEmail')}</h2>
          <SignInForm
            onSubmit={askLink}
            describe={(err) => dashError(err)}
            submitLabel={t('dash.login.sendLink')}
            status={
              sent && (
                <p class="ok" role="status">
                  {sent}
                </p>
              )
            }
            busy={busy}
            onBusy={setBusy}
          >
            <label>
              {t('auth.email')}
              <input name="email" type="email" autocomplete="email" required />
            </label>
          </SignInForm>
        </section>
        <section class="panel" aria-labelledby="by-key">
          <h2 id="by-key">{t('dash.login.byKey')}</h2>
          <SignInForm
            onSubmit={withKey}
            describe={(err) => dashError(err, { UNAUTHORIZED: 'dash.err.badKey' })}
            submitLabel={t('dash.login.submitKey')}
            busy={busy}
            onBusy={setBusy}
          >
            <label>
              {t('dash.login.apiKey')}
              <input
                name="api_key"
                type="password"
                autocomplete="off"
                spellcheck={false}
                required
                minLength={10}
                aria-describedby="key-hint"
              />
            </label>
            <p class="hint" id="key-hint">
              {t('dash.login.keyHint')}
            </p>
          </SignInForm>
        </section>
      </div>
      <p class="hint">
        {t('dash.login.notAgent')} <a href="/login">{t('dash.login.operators')}</a> ·{' '}
        <a href="/admin">{t('dash.login.staff')}</a>
      </p>
    </DashLayout>
  )
}
