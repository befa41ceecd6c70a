import { useState } from 'preact/hooks'
import { type AdminPayout, loadQueues, reconcile, stuckPayouts } from '../../api/admin.ts'
import { ErrorText } from '../../components/layout.tsx'
import { formatMoney, formatRelative, useT } from '../../i18n/index.ts'
import { Link } from '../../lib/router.tsx'
import { AdminLayout } from './layout.tsx'
import { staffError, useLoad } from './load.ts'

const TX_HASH = /^0x[0-9a-fA-F]{64}$/

function Reconcile({ payout, onDone }: { payout: AdminPayout; onDone: () => void }) {
  const t = useT()
  const [hash, setHash] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const send = async (outcome: 'CONFIRMED' | 'FAILED') => {
    setError(null)
    if (outcome === 'CONFIRMED' && !TX_HASH.test(hash.trim())) return setError(t('admin.payouts.badHash'))
    setBusy(true)
    try {
      await reconcile(payout.payout_id, outcome, outcome === 'CONFIRMED' ? hash.trim() : '', '')
      onDone()
    } catch (err) {
      setError(staffError(err))
    } finally {
      setBusy(false)
    }
  }
  const id = `hash-${payout.payout_id}`
  return (
    <div class="stack">
      <label for={id}>{t('admin.payouts.hash')}</label>
      <input
        id={id}
        value={hash}
        spellcheck={false}
        autocomplete="off"
        placeholder="0x…"
        onInput={(e) => setHash((e.currentTarget as HTMLInputElement).value)}
      />
      <ErrorText message={error} />
      <div class="row">
        <button type="button" disabled={busy} onClick={() => send('CONFIRMED')}>
          {t('admin.payouts.confirm')}
        </button>
        <button type="button" class="secondary" disabled={busy} onClick={() => send('FAILED')}>
          {t('admin.payouts.failed')}
        </button>
      </div>
    </div>
  )
}

/** Payouts sent to the chain with no recorded answer for over 10 minutes, oldest first. */
export function PayoutsPage() {
  const t = useT()
  const { value, error, reload } = useLoad(stuckPayouts)
  const [done, setDone] = useState<string | null>(null)
  const finished = (p: AdminPayout) => async () => {
    setDone(t('admin.payouts.done', { id: p.payout_id }))
    await Promise.all([reload(), loadQueues().catch(() => {})])
  }
  return (
    <AdminLayout title={t('admin.payouts.title')}>
      <p>{t('admin.payouts.intro')}</p>
      <ErrorText message={error} />
      {done && (
        <p class="ok" role="status">
          {done}
        </p>
      )}
      {!value && !error && <p aria-busy="true">{t('common.loading')}</p>}
      {value && value.data.length === 0 && <p>{t('admin.payouts.empty')}</p>}
      {value && (
        <ol class="cards" aria-label={t('admin.payouts.title')}>
          {value.data.map((p) => (
            <li key={p.payout_id} class="card">
              <h2>{formatMoney(p.amount_usd)}</h2>
              <p class="meta">
                <code>{p.payout_id}</code>
                <Link href={`/admin/operators/${p.operator_id}`}>{p.operator_id}</Link>
                <span>
                  {p.chain} · <code>{p.to_address}</code>
                </span>
                {p.send_attempted_at && (
                  <span>{t('admin.payouts.sent', { when: formatRelative(p.send_attempted_at) })}</span>
                )}
              </p>
              <Reconcile payout={p} onDone={finished(p)} />
            </li>
          ))}
        </ol>
      )}
    </AdminLayout>
  )
}
