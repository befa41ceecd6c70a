import { useEffect, useState } from 'preact/hooks'
import { submitKyc } from '../api/operator.ts'
import { ErrorText, Layout } from '../components/layout.tsx'
import type { MessageKey } from '../i18n/en.ts'
import { useT } from '../i18n/index.ts'
import { describeError } from '../lib/errors.ts'
import { loadProfile, profile } from '../lib/profile.ts'
import { Link } from '../lib/router.tsx'
import { useStore } from '../lib/store.ts'

const DOCS = [
  ['id_document', 'kyc.id', undefined],
  ['selfie', 'kyc.selfie', 'user'],
  ['proof_of_address', 'kyc.address', undefined],
] as const

export function KycPage() {
  const t = useT()
  const me = useStore(profile)
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    void loadProfile().catch((err) => setError(describeError(err)))
  }, [])
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const r = await submitKyc(new FormData(e.currentTarget as HTMLFormElement))
      setDone(t('kyc.sent', { status: t(`kyc.${r.kyc_status}` as MessageKey) }))
      await loadProfile()
    } catch (err) {
      setError(describeError(err))
    } finally {
      setBusy(false)
    }
  }
  const status = me?.kyc_status
  return (
    <Layout title={t('kyc.title')}>
      {status && (
        <p class="panel" role="status">
          {t('kyc.status', { status: t(`kyc.${status}` as MessageKey) })}
        </p>
      )}
      {done && <p class="ok">{done}</p>}
      {status === 'APPROVED' ? (
        <Link href="/tasks">{t('nav.tasks')}</Link>
      ) : (
        <form class="stack" onSubmit={submit}>
          <p>{t('kyc.intro')}</p>
          {DOCS.map(([name, label, capture]) => (
            <label key={name}>
              {t(label)}
              <input type="file" name={name} accept="image/*,application/pdf" capture={capture} required />
            </label>
          ))}
          <ErrorText message={error} />
          <button type="submit" disabled={busy}>
            {t('kyc.submit')}
          </button>
        </form>
      )}
    </Layout>
  )
}
