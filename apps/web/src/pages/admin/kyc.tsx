import { useState } from 'preact/hooks'
import { decideKyc, getOperator, kycDocuments, kycQueue, loadQueues } from '../../api/admin.ts'
import { ErrorText } from '../../components/layout.tsx'
import type { MessageKey } from '../../i18n/en.ts'
import { formatDate, formatRelative, useT } from '../../i18n/index.ts'
import { Link } from '../../lib/router.tsx'
import { AdminLayout } from './layout.tsx'
import { staffError, useLoad } from './load.ts'

/** Operators whose identity check waits, oldest submission first. */
export function KycQueuePage() {
  const t = useT()
  const { value, error } = useLoad(kycQueue)
  return (
    <AdminLayout title={t('admin.kyc.title')}>
      <ErrorText message={error} />
      {!value && !error && <p aria-busy="true">{t('common.loading')}</p>}
      {value && (
        <>
          <p class="hint">{t('admin.queue.count', { n: value.pagination.total })}</p>
          {value.data.length === 0 && <p>{t('admin.kyc.empty')}</p>}
          <ol class="cards" aria-label={t('admin.kyc.title')}>
            {value.data.map((o) => (
              <li key={o.operator_id} class="card">
                <Link href={`/admin/kyc/${o.operator_id}`}>
                  <h2>{o.name}</h2>
                </Link>
                <p class="meta">
                  <span>{o.email}</span>
                  <span>{[o.location.city, o.location.country].filter(Boolean).join(', ')}</span>
                  {o.kyc_submitted_at && (
                    <span>{t('admin.kyc.sent', { when: formatRelative(o.kyc_submitted_at) })}</span>
                  )}
                </p>
              </li>
            ))}
          </ol>
        </>
      )}
    </AdminLayout>
  )
}

const DOC_LABEL: Record<string, MessageKey> = {
  id_document: 'kyc.id',
  selfie: 'kyc.selfie',
  proof_of_address: 'kyc.address',
}

/** One operator's documents (decrypted for this viewing only, never cached) and the decision. */
export function KycDetailPage({ params }: { params: Record<string, string> }) {
  const t = useT()
  const id = params.id!
  const op = useLoad(() => getOperator(id), [id])
  const docs = useLoad(() => kycDocuments(id), [id])
  const [reason, setReason] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const decide = async (decision: 'APPROVE' | 'REJECT') => {
    setError(null)
    if (decision === 'REJECT' && !reason.trim()) return setError(t('admin.kyc.reasonNeeded'))
    setBusy(true)
    try {
      const r = await decideKyc(id, decision, reason.trim())
      setDone(t('admin.kyc.done', { status: t(`kyc.${r.kyc_status}` as MessageKey) }))
      await Promise.all([op.reload(), loadQueues().catch(() => {})])
    } catch (err) {
      setError(staffError(err))
    } finally {
      setBusy(false)
    }
  }
  const o = op.value
  return (
    <AdminLayout title={o ? t('admin.kyc.of', { name: o.name }) : t('admin.kyc.title')}>
      <ErrorText message={op.error ?? docs.error} />
      {done && (
        <p class="ok" role="status">
          {done}
        </p>
      )}
      {o && (
        <p class="meta">
          <span>{o.email}</span>
          <span>{t(`kyc.${o.kyc_status}` as MessageKey)}</span>
          <Link href={`/admin/operators/${o.operator_id}`}>{t('admin.kyc.profile')}</Link>
        </p>
      )}
      {docs.value && docs.value.documents.length === 0 && <p>{t('admin.kyc.noDocs')}</p>}
      {docs.value && (
        <ul class="proof-photos">
          {docs.value.documents.map((d) => (
            <li key={d.purpose} class="panel">
              <h2>{DOC_LABEL[d.purpose] ? t(DOC_LABEL[d.purpose]!) : d.purpose}</h2>
              {d.content_type.startsWith('image/') ? (
                <img src={d.data_url} alt={DOC_LABEL[d.purpose] ? t(DOC_LABEL[d.purpose]!) : d.purpose} />
              ) : (
                <a href={d.data_url} download={d.purpose}>
                  {t('admin.kyc.download', { type: d.content_type })}
                </a>
              )}
              <small>{formatDate(d.uploaded_at)}</small>
            </li>
          ))}
        </ul>
      )}
      {o?.kyc_status === 'PENDING' && (
        <section class="panel stack" aria-labelledby="kyc-decide">
          <h2 id="kyc-decide">{t('admin.kyc.decide')}</h2>
          <label>
            {t('admin.kyc.reason')}
            <textarea
              rows={2}
              value={reason}
              onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)}
            />
          </label>
          <ErrorText message={error} />
          <div class="row">
            <button type="button" disabled={busy} onClick={() => decide('APPROVE')}>
              {t('admin.kyc.approve')}
            </button>
            <button type="button" class="secondary" disabled={busy} onClick={() => decide('REJECT')}>
              {t('admin.kyc.reject')}
            </button>
          </div>
        </section>
      )}
      {o && o.kyc_status !== 'PENDING' && !done && <ErrorText message={error} />}
    </AdminLayout>
  )
}
