import { useState } from 'preact/hooks'
import { signInStaff } from '../../api/admin.ts'
import { ErrorText } from '../../components/layout.tsx'
import { useT } from '../../i18n/index.ts'
import { describeError } from '../../lib/errors.ts'
import { navigate, useQuery } from '../../lib/router.tsx'
import { AdminLayout } from './layout.tsx'

/** Staff sign-in: email, password and the current code of the authenticator app. */
export function StaffLoginPage() {
  const t = useT()
  const q = useQuery()
  const next = q.get('next') ?? '/admin/reviews'
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event) => {
    e.preventDefault()
    const form = new FormData(e.currentTarget as HTMLFormElement)
    setBusy(true)
    setError(null)
    try {
      await signInStaff(String(form.get('email')), String(form.get('password')), String(form.get('code')))
      navigate(next.startsWith('/admin') ? next : '/admin/reviews', { replace: true })
    } catch (err) {
      // The server does not say which of the three was wrong (on purpose): neither do we.
      setError(describeError(err, { UNAUTHORIZED: 'admin.err.wrongLogin' }))
    } finally {
      setBusy(false)
    }
  }
  return (
    <AdminLayout title={t('admin.login.title')}>
      <p>{t('admin.login.who')}</p>
      {q.get('expired') && (
        <p class="banner" role="status">
          {t('admin.login.expired')}
        </p>
      )}
      {q.get('out') && <p role="status">{t('admin.login.signedOut')}</p>}
      <form class="stack" onSubmit={submit}>
        <label>
          {t('auth.email')}
          <input name="email" type="email" autocomplete="username" required />
        </label>
        <label>
          {t('auth.password')}
          <input name="password" type="password" autocomplete="current-password" required />
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
            aria-describedby="code-hint"
          />
          <small id="code-hint">{t('admin.codeHint')}</small>
        </label>
        <ErrorText message={error} />
        <button type="submit" disabled={busy}>
          {t('admin.login.submit')}
        </button>
      </form>
    </AdminLayout>
  )
}
