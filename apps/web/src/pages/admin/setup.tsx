import { useEffect, useState } from 'preact/hooks'
import { completeSetup, readSetup, type StaffSetupInfo } from '../../api/admin.ts'
import { ApiError } from '../../api/client.ts'
import { ErrorText } from '../../components/layout.tsx'
import { formatDate, useT } from '../../i18n/index.ts'
import { describeError } from '../../lib/errors.ts'
import { Link } from '../../lib/router.tsx'
import { AdminLayout } from './layout.tsx'

/** The token of a set-up link, which is in the fragment (never sent to a server, never logged). */
const linkToken = () => new URLSearchParams(location.hash.slice(1)).get('token') ?? ''

/**
 * The one-time set-up link: the QR code to scan (the secret as text too), a password, and a
 * current code to prove the authenticator works. The link then stops working.
 */
export function SetupPage() {
  const t = useT()
  const [token] = useState(linkToken)
  const [info, setInfo] = useState<StaffSetupInfo | null>(null)
  const [loadError, setLoadError] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState(false)
  useEffect(() => {
    if (!token) return setLoadError(t('admin.setup.noToken'))
    readSetup(token)
      .then(setInfo)
      .catch((err) => setLoadError(describeError(err, { NOT_FOUND: 'admin.setup.dead' })))
  }, [token])
  const submit = async (e: Event) => {
    e.preventDefault()
    const form = new FormData(e.currentTarget as HTMLFormElement)
    const password = String(form.get('password'))
    if (password !== String(form.get('password2'))) return setError(t('admin.setup.mismatch'))
    setBusy(true)
    setError(null)
    try {
      await completeSetup({ token, password, totp_code: String(form.get('code')) })
      // Drop the spent token from the address bar and the history entry.
      history.replaceState(null, '', '/admin/setup')
      setDone(true)
    } catch (err) {
      // The server's sentence says what to fix (the password's length, a code that does not match).
      if (err instanceof ApiError && err.status === 400) setError(err.message)
      else setError(describeError(err, { NOT_FOUND: 'admin.setup.dead' }))
    } finally {
      setBusy(false)
    }
  }
  if (done) {
    return (
      <AdminLayout title={t('admin.setup.title')}>
        <p class="ok" role="status">
          {t('admin.setup.done')}
        </p>
        <p>
          <Link href="/admin/login">{t('admin.login.title')}</Link>
        </p>
      </AdminLayout>
    )
  }
  return (
    <AdminLayout title={t('admin.setup.title')}>
      <ErrorText message={loadError} />
      {!info && !loadError && <p aria-busy="true">{t('common.loading')}</p>}
      {info && (
        <>
          <p>
            {t('admin.setup.intro', {
              email: info.email,
              role: t(`admin.role.${info.role}`),
              when: formatDate(info.expires_at),
            })}
          </p>
          <section class="panel" aria-labelledby="qr-h">
            <h2 id="qr-h">{t('admin.setup.scan')}</h2>
            <img
              class="qr"
              src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(info.qr_svg)}`}
              alt={t('admin.setup.qrAlt')}
            />
            <p>
              {t('admin.setup.manual')} <code data-testid="totp-secret">{info.totp_secret}</code>
            </p>
          </section>
          <form class="stack" onSubmit={submit}>
            <label>
              {t('admin.setup.password')}
              <input
                name="password"
                type="password"
                autocomplete="new-password"
                minLength={12}
                required
                aria-describedby="pw-hint"
              />
              <small id="pw-hint">{t('admin.setup.passwordHint')}</small>
            </label>
            <label>
              {t('admin.setup.password2')}
              <input name="password2" type="password" autocomplete="new-password" required />
            </label>
            <label>
              {t('admin.code')}
              <input
                name="code"
                inputMode="numeric"
                autocomplete="one-time-code"
                pattern="[0-9]{6}"
                maxLength={6}
                required
              />
            </label>
            <ErrorText message={error} />
            <button type="submit" disabled={busy}>
              {t('admin.setup.submit')}
            </button>
          </form>
        </>
      )}
    </AdminLayout>
  )
}
