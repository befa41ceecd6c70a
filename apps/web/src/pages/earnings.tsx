import { useEffect, useState } from 'preact/hooks'
import { earnings, type OperatorEarnings, type PayoutView, payouts, requestPayout } from '../api/operator.ts'
import { ErrorText, Layout } from '../components/layout.tsx'
import { formatDate, formatMoney, useT } from '../i18n/index.ts'
import { describeError } from '../lib/errors.ts'
import { isValidEvmAddress } from '../lib/evm.ts'

const MIN_PAYOUT = 10

function PayoutForm({ available, onDone }: { available: number; onDone: () => void }) {
  const t = useT()
  const [error, setError] = useState<string | null>(null)
  const [ok, setOk] = useState<string | null>(null)
  const [key] = useState(() => crypto.randomUUID())
  const submit = async (e: Event) => {
    e.preventDefault()
    const f = new FormData(e.currentTarget as HTMLFormElement)
    const address = String(f.get('wallet')).trim()
    const amount = Number(f.get('amount'))
    setOk(null)
    if (!isValidEvmAddress(address)) return setError(t('payout.badAddress'))
    if (!(amount >= MIN_PAYOUT)) return setError(t('payout.min', { min: formatMoney(MIN_PAYOUT) }))
    if (amount > available) return setError(t('payout.tooMuch', { max: formatMoney(available) }))
    setError(null)
    try {
      await requestPayout({ amount_usd: amount, method: 'usdc', chain: 'base', wallet_address: address }, key)
      setOk(t('payout.done'))
      onDone()
    } catch (err) {
      setError(describeError(err))
    }
  }
  return (
    <form class="panel stack" onSubmit={submit} noValidate>
      <h2>{t('payout.title')}</h2>
      <label>
        {t('payout.address')}
        <input name="wallet" autocomplete="off" spellcheck={false} placeholder="0x…" />
      </label>
      <label>
        {t('payout.amount')}
        <input name="amount" type="number" min={MIN_PAYOUT} step="0.01" inputMode="decimal" />
      </label>
      <ErrorText message={error} />
      {ok && <p class="ok">{ok}</p>}
      <button type="submit">{t('payout.submit')}</button>
    </form>
  )
}

export function EarningsPage() {
  const t = useT()
  const [data, setData] = useState<OperatorEarnings | null>(null)
  const [list, setList] = useState<PayoutView[]>([])
  const [error, setError] = useState<string | null>(null)
  const load = () => {
    earnings()
      .then(setData)
      .catch((err) => setError(describeError(err)))
    payouts()
      .then((p) => setList(p.data))
      .catch(() => {})
  }
  useEffect(load, [])
  return (
    <Layout title={t('earn.title')}>
      <ErrorText message={error} />
      {data && (
        <dl class="panel balances">
          <div>
            <dt>{t('earn.pending')}</dt>
            <dd data-testid="pending">{formatMoney(data.pending_balance)}</dd>
          </div>
          <div>
            <dt>{t('earn.available')}</dt>
            <dd>{formatMoney(data.available_balance)}</dd>
          </div>
          <div>
            <dt>{t('earn.total')}</dt>
            <dd>{formatMoney(data.total_earned)}</dd>
          </div>
        </dl>
      )}
      {data && data.recent_tasks.length > 0 && (
        <section class="panel">
          <h2>{t('earn.recent')}</h2>
          <ul>
            {data.recent_tasks.map((r) => (
              <li key={r.task_id}>
                {r.title}: {formatMoney(r.reward_usd)}
                {r.available_at && ` · ${t('earn.availableAt', { when: formatDate(r.available_at) })}`}
              </li>
            ))}
          </ul>
        </section>
      )}
      {data && <PayoutForm available={data.available_balance} onDone={load} />}
      <section class="panel">
        <h2>{t('payout.list')}</h2>
        {list.length === 0 && <p>{t('payout.none')}</p>}
        <ul>
          {list.map((p) => (
            <li key={p.payout_id}>
              {formatMoney(p.amount_usd)} · {p.status} · {formatDate(p.created_at)}
              {p.tx_hash && <code> {p.tx_hash}</code>}
            </li>
          ))}
        </ul>
      </section>
    </Layout>
  )
}
