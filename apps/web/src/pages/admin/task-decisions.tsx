// The decision forms of the console's task page: a manual review, a dispute's split.
import { useEffect, useState } from 'preact/hooks'
import { type AdminTask, decideReview, type Outcome, resolveDispute } from '../../api/admin.ts'
import { ErrorText } from '../../components/layout.tsx'
import { formatMoney, useT } from '../../i18n/index.ts'
import { statusLabel } from '../../lib/labels.ts'
import { staffError } from './load.ts'
export function ReviewForm({ task, onDone }: { task: AdminTask; onDone: (msg: string) => void }) {
  const t = useT()
  const [note, setNote] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const decide = async (decision: 'APPROVE' | 'REJECT') => {
    setBusy(true)
    setError(null)
    try {
      const r = await decideReview(task.task_id, decision, note.trim())
      onDone(t('admin.review.done', { status: statusLabel(r.status) }))
    } catch (err) {
      setError(staffError(err))
    } finally {
      setBusy(false)
    }
  }
  // Keyboard shortcuts: Alt+A approves, Alt+R rejects (not while typing elsewhere).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || busy) return
      if (e.key === 'a' || e.key === 'A') void decide('APPROVE')
      if (e.key === 'r' || e.key === 'R') void decide('REJECT')
    }
    addEventListener('keydown', onKey)
    return () => removeEventListener('keydown', onKey)
  })
  return (
    <section class="panel stack" aria-labelledby="decide-h">
      <h2 id="decide-h">{t('admin.review.title')}</h2>
      <label>
        {t('admin.review.note')}
        <textarea
          rows={3}
          value={note}
          onInput={(e) => setNote((e.currentTarget as HTMLTextAreaElement).value)}
        />
      </label>
      <ErrorText message={error} />
      <div class="row">
        <button type="button" disabled={busy} onClick={() => decide('APPROVE')} aria-keyshortcuts="Alt+A">
          {t('admin.review.approve')}
        </button>
        <button
          type="button"
          class="secondary"
          disabled={busy}
          onClick={() => decide('REJECT')}
          aria-keyshortcuts="Alt+R"
        >
          {t('admin.review.reject')}
        </button>
      </div>
      <small>{t('admin.review.keys')}</small>
    </section>
  )
}

const micros = (usd: number) => BigInt(Math.round(usd * 1_000_000))
const usd = (m: bigint) => Number(m) / 1_000_000

/** What each side gets, the server's arithmetic (`splitByPercent`) on integer micro-dollars. */
function shares(task: AdminTask, outcome: Outcome, percent: number) {
  const reward = micros(task.reward_usd)
  const fee = micros(task.platform_fee_usd)
  if (outcome === 'REFUND_AGENT') return { operator: 0, agent: usd(reward + fee), fee: 0 }
  const p = outcome === 'PAY_OPERATOR' ? 100 : percent
  const op = (reward * BigInt(Math.round(p * 100))) / 10_000n
  return { operator: usd(op), agent: usd(reward - op), fee: usd(fee) }
}

export function ResolveForm({ task, onDone }: { task: AdminTask; onDone: (msg: string) => void }) {
  const t = useT()
  const [outcome, setOutcome] = useState<Outcome>('SPLIT')
  const [percent, setPercent] = useState('50')
  const [note, setNote] = useState('')
  const [confirming, setConfirming] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const p = Number(percent)
  const badPercent =
    outcome === 'SPLIT' && (!Number.isFinite(p) || percent.trim() === '' || p <= 0 || p >= 100)
  const s = shares(task, outcome, badPercent ? 0 : p)
  const review = (e: Event) => {
    e.preventDefault()
    setError(null)
    if (badPercent) return setError(t('admin.dispute.badPercent'))
    if (!note.trim()) return setError(t('admin.dispute.noteNeeded'))
    setConfirming(true)
  }
  const confirm = async () => {
    setBusy(true)
    setError(null)
    try {
      const r = await resolveDispute(task.task_id, outcome, note.trim(), p)
      onDone(
        t(r.agent_restricted ? 'admin.dispute.doneRestricted' : 'admin.dispute.done', {
          status: statusLabel(r.status),
        }),
      )
    } catch (err) {
      setError(staffError(err))
      setConfirming(false)
    } finally {
      setBusy(false)
    }
  }
  const choose = (o: Outcome) => {
    setOutcome(o)
    setConfirming(false)
  }
  return (
    <form class="panel stack" aria-labelledby="resolve-h" onSubmit={review} noValidate>
      <h2 id="resolve-h">{t('admin.dispute.title')}</h2>
      <fieldset>
        <legend>{t('admin.dispute.outcome')}</legend>
        {(['PAY_OPERATOR', 'REFUND_AGENT', 'SPLIT'] as const).map((o) => (
          <label key={o} class="chip">
            <input type="radio" name="outcome" checked={outcome === o} onChange={() => choose(o)} />
            {t(`admin.outcome.${o}`)}
          </label>
        ))}
      </fieldset>
      {outcome === 'SPLIT' && (
        <label>
          {t('admin.dispute.percent')}
          <input
            type="number"
            inputMode="decimal"
            min={1}
            max={99}
            step="any"
            value={percent}
            aria-describedby="shares"
            onInput={(e) => {
              setPercent((e.currentTarget as HTMLInputElement).value)
              setConfirming(false)
              setError(null)
            }}
          />
        </label>
      )}
      <dl class="balances" id="shares" aria-live="polite" data-testid="shares">
        <div>
          <dt>{t('admin.dispute.operatorGets')}</dt>
          <dd>{badPercent ? '—' : formatMoney(s.operator)}</dd>
        </div>
        <div>
          <dt>{t('admin.dispute.agentGets')}</dt>
          <dd>{badPercent ? '—' : formatMoney(s.agent)}</dd>
        </div>
        <div>
          <dt>{t('admin.dispute.fee')}</dt>
          <dd>{formatMoney(s.fee)}</dd>
        </div>
      </dl>
      <label>
        {t('admin.dispute.note')}
        <textarea
          rows={3}
          value={note}
          onInput={(e) => {
            setNote((e.currentTarget as HTMLTextAreaElement).value)
            setConfirming(false)
          }}
        />
      </label>
      <ErrorText message={error} />
      {!confirming ? (
        <button type="submit">{t('admin.dispute.review')}</button>
      ) : (
        <fieldset>
          <legend>{t('admin.dispute.confirmTitle')}</legend>
          <p class="banner">
            {t('admin.dispute.confirmText', {
              operator: formatMoney(s.operator),
              agent: formatMoney(s.agent),
            })}
          </p>
          <div class="row">
            <button type="button" disabled={busy} onClick={confirm}>
              {t('admin.dispute.confirm')}
            </button>
            <button type="button" class="secondary" onClick={() => setConfirming(false)}>
              {t('admin.dispute.change')}
            </button>
          </div>
        </fieldset>
      )}
    </form>
  )
}

/** A task as staff see it: the review or the dispute, with everything needed to decide it. */
