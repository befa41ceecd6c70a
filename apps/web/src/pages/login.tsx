import { sessionEnded, signIn } from '../api/client.ts'
import { Layout } from '../components/layout.tsx'
import { SignInForm } from '../components/sign-in-form.tsx'
import { useT } from '../i18n/index.ts'
import { describeError } from '../lib/errors.ts'
import { Link, navigate, useQuery } from '../lib/router.tsx'
import { useStore } from '../lib/store.ts'

export function LoginPage() {
  const t = useT()
  const next = useQuery().get('next') ?? '/tasks'
  const ended = useStore(sessionEnded)
  const submit = async (form: FormData) => {
    await signIn(String(form.get('email')), String(form.get('password')))
    navigate(next.startsWith('/') ? next : '/tasks', { replace: true })
  }
  return (
    <Layout title={t('auth.login.title')}>
      {ended && (
        <p class="notice" role="status">
          {t('err.sessionExpired')}
        </p>
      )}
      <SignInForm
        onSubmit={submit}
        describe={(err) => describeError(err, { UNAUTHORIZED: 'err.wrongPassword' })}
        submitLabel={t('auth.login.submit')}
      >
        <label>
          {t('auth.email')}
          <input name="email" type="email" autocomplete="email" required />
        </label>
        <label>
          {t('auth.password')}
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
      </SignInForm>
      <p>
        <Link href="/signup">{t('auth.toSignup')}</Link>
      </p>
    </Layout>
  )
}
