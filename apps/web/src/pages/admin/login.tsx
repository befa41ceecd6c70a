import { signInStaff } from '../../api/admin.ts'
import { SignInForm } from '../../components/sign-in-form.tsx'
import { useT } from '../../i18n/index.ts'
import { describeError } from '../../lib/errors.ts'
import { navigate, useQuery } from '../../lib/router.tsx'
import { AdminLayout } from './layout.tsx'

/** Staff sign-in: email, password and the current code of the authenticator app. */
export function StaffLoginPage() {
  const t = useT()
  const q = useQuery()
  const next = q.get('next') ?? '/admin/reviews'
  const submit = async (form: FormData) => {
    await signInStaff(String(form.get('email')), String(form.get('password')), String(form.get('code')))
    navigate(next.startsWith('/admin') ? next : '/admin/reviews', { replace: true })
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
      <SignInForm
        onSubmit={submit}
        // The server does not say which of the three was wrong (on purpose): neither do we.
        describe={(err) => describeError(err, { UNAUTHORIZED: 'admin.err.wrongLogin' })}
        submitLabel={t('admin.login.submit')}
      >
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
      </SignInForm>
    </AdminLayout>
  )
}
