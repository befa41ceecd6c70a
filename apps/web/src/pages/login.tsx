import { useState } from 'preact/hooks'
import { sessionEnded, signIn } from '../api/client.ts'
import { ErrorText, Layout } from '../components/layout.tsx'
import { useT } from '../i18n/index.ts'
import { describeError } from '../lib/errors.ts'
import { Link, navigate, useQuery } from '../lib/router.tsx'
import { useStore } from '../lib/store.ts'

export function LoginPage() {
  const t = useT()
  const next = useQuery().get('next') ?? '/tasks'
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const ended = useStore(sessionEnded)
  const submit = async (e: Event) => {
    e.preventDefault()
    const form = new FormData(e.currentTarget as HTMLFormElement)
    setBusy(true)
    setError(null)
    try {
      await signIn(String(form.get('email')), String(form.get('password')))
      navigate(next.startsWith('/') ? next : '/tasks', { replace: true })
    } catch (err) {
      setError(describeError(err, { UNAUTHORIZED: 'err.wrongPassword' }))
    } finally {
      setBusy(false)
    }
  }
  return (
    <Layout title={t('auth.login.title')}>
      {ended && (
        <p class="notice" role="status">
          {t('err.sessionExpired')}
        </p>
      )}
      <form class="stack" onSubmit={submit}>
        <label>
          {t('auth.email')}
          <input name="email" type="email" autocomplete="email" required />
        </label>
        <label>
          {t('auth.password')}
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <ErrorText message={error} />
        <button type="submit" disabled={busy}>
          {t('auth.login.submit')}
        </button>
      </form>
      <p>
        <Link href="/signup">{t('auth.toSignup')}</Link>
      </p>
    </Layout>
  )
}
