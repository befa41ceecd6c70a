import { TASK_TYPES } from '@humcli/contract/enums'
import { useState } from 'preact/hooks'
import { signIn } from '../api/client.ts'
import { type RegisterInput, register } from '../api/operator.ts'
import { ErrorText, Layout } from '../components/layout.tsx'
import { useT } from '../i18n/index.ts'
import { describeError } from '../lib/errors.ts'
import { typeLabel } from '../lib/labels.ts'
import { Link, navigate } from '../lib/router.tsx'

function readForm(form: FormData): RegisterInput {
  const city = String(form.get('city') ?? '').trim()
  const country = String(form.get('country') ?? '').trim()
  const skills = form.getAll('skills').map(String) as RegisterInput['skills']
  return {
    name: String(form.get('name')).trim(),
    email: String(form.get('email')).trim(),
    password: String(form.get('password')),
    ...(city || country ? { location: { ...(city && { city }), ...(country && { country }) } } : {}),
    ...(skills?.length ? { skills } : {}),
  }
}

export function SignupPage() {
  const t = useT()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event) => {
    e.preventDefault()
    const input = readForm(new FormData(e.currentTarget as HTMLFormElement))
    setBusy(true)
    setError(null)
    try {
      await register(input)
      await signIn(input.email, input.password)
      navigate('/kyc', { replace: true })
    } catch (err) {
      setError(describeError(err, { CONFLICT: 'err.duplicateEmail' }))
    } finally {
      setBusy(false)
    }
  }
  return (
    <Layout title={t('auth.signup.title')}>
      <form class="stack" onSubmit={submit}>
        <label>
          {t('auth.name')}
          <input name="name" autocomplete="name" required maxLength={200} />
        </label>
        <label>
          {t('auth.email')}
          <input name="email" type="email" autocomplete="email" required />
        </label>
        <label>
          {t('auth.password')}
          <input
            name="password"
            type="password"
            autocomplete="new-password"
            required
            minLength={10}
            aria-describedby="pw-hint"
          />
          <small id="pw-hint">{t('auth.passwordHint')}</small>
        </label>
        <label>
          {t('auth.city')}
          <input name="city" autocomplete="address-level2" maxLength={100} />
        </label>
        <label>
          {t('auth.country')}
          <input name="country" autocomplete="country" maxLength={100} />
        </label>
        <fieldset>
          <legend>{t('auth.skills')}</legend>
          <div class="chips">
            {TASK_TYPES.map((type) => (
              <label key={type} class="chip">
                <input type="checkbox" name="skills" value={type} />
                {typeLabel(type)}
              </label>
            ))}
          </div>
        </fieldset>
        <ErrorText message={error} />
        <button type="submit" disabled={busy}>
          {t('auth.signup.submit')}
        </button>
      </form>
      <p>
        <Link href="/login">{t('auth.toLogin')}</Link>
      </p>
    </Layout>
  )
}
