import type { OperatorRatings } from '@humcli/contract'
import { useEffect, useState } from 'preact/hooks'
import { ratings } from '../api/ratings.ts'
import { ErrorText, Layout } from '../components/layout.tsx'
import type { MessageKey } from '../i18n/en.ts'
import { formatDate, useT } from '../i18n/index.ts'
import { describeError } from '../lib/errors.ts'
import { loadProfile, profile } from '../lib/profile.ts'
import { Link } from '../lib/router.tsx'
import { useStore } from '../lib/store.ts'

export function ProfilePage() {
  const t = useT()
  const me = useStore(profile)
  const [received, setReceived] = useState<OperatorRatings | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    void loadProfile().catch((err) => setError(describeError(err)))
    ratings()
      .then(setReceived)
      .catch((err) => setError(describeError(err)))
  }, [])
  return (
    <Layout title={t('profile.title')}>
      <ErrorText message={error} />
      {me && (
        <section class="panel">
          <h2>{me.name}</h2>
          <p>{me.email}</p>
          <p>
            {t('kyc.status', { status: t(`kyc.${me.kyc_status}` as MessageKey) })} ·{' '}
            <Link href="/kyc">{t('kyc.title')}</Link>
          </p>
        </section>
      )}
      <section class="panel">
        <h2>{t('ratings.title')}</h2>
        {received && <p>{t('ratings.average', { score: received.average })}</p>}
        {received?.data.length === 0 && <p>{t('ratings.none')}</p>}
        <ul>
          {received?.data.map((r) => (
            <li key={r.task_id}>
              <strong>{'★'.repeat(r.score)}</strong> {r.title} · {formatDate(r.created_at)}
              {r.comment && <blockquote>{r.comment}</blockquote>}
            </li>
          ))}
        </ul>
      </section>
    </Layout>
  )
}
