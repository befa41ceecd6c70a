import { useEffect, useState } from 'preact/hooks'
import {
  type AdminTask,
  decideReview,
  getTask,
  loadQueues,
  type Outcome,
  resolveDispute,
} from '../../api/admin.ts'
import { ErrorText } from '../../components/layout.tsx'
import { formatDate, formatMoney, useT } from '../../i18n/index.ts'
import { statusLabel, typeLabel } from '../../lib/labels.ts'
import { Link } from '../../lib/router.tsx'
import { AdminLayout } from './layout.tsx'
import { staffError, useLoad } from './load.ts'

const yesNo = (t: ReturnType<typeof useT>, v: boolean | null | undefined) =>
  v === null || v === undefined ? t('admin.fact.unknown') : v ? t('admin.fact.yes') : t('admin.fact.no')

/**
 * Where a photo was taken, plotted against the task: the task at the centre, its radius as a
 * circle, the photo's EXIF position as a dot (north up; an equirectangular offset in metres).
 */
function OffsetPlot(props: { task: AdminTask; gps: { lat: number; lng: number }; label: string }) {
  const loc = props.task.location
  if (!loc) return null
  const dx = (props.gps.lng - loc.lng) * Math.cos((loc.lat * Math.PI) / 180) * 111_320
  const dy = (props.gps.lat - loc.lat) * 110_540
  const radius = props.task.location_radius_m
  const span = Math.max(radius, Math.abs(dx), Math.abs(dy)) * 1.25 || 1
  const k = 50 / span
  const inside = Math.hypot(dx, dy) <= radius
  return (
    <svg class="offset" viewBox="-60 -60 120 120" role="img" aria-label={props.label}>
      <circle r={radius * k} fill="#e8eef6" stroke="#0b5cad" stroke-dasharray="3 2" />
      <line x1="-4" x2="4" stroke="#14171a" />
      <line y1="-4" y2="4" stroke="#14171a" />
      <circle cx={dx * k} cy={-dy * k} r="4" fill={inside ? '#1b6e2d' : '#a4161a'} />
      <text y="-52" text-anchor="middle" font-size="9" fill="#4a5560">
        N
      </text>
    </svg>
  )
}

/** The photos, large and side by side, each with what its EXIF says against the task. */
function Photos({ task }: { task: AdminTask }) {
  const t = useT()
  const proof = task.proof
  if (!proof || proof.photos.length === 0) return <p>{t('admin.proof.none')}</p>
  return (
    <ul class="proof-photos">
      {proof.photos.map((src, i) => {
        const d = proof.photo_details[i]
        const f = task.photo_facts[i]
        const ev = proof.client_evidence?.[i]
        return (
          <li key={src} class="panel">
            <a href={src} target="_blank" rel="noreferrer">
              <img src={src} alt={t('admin.proof.photo', { n: i + 1 })} loading="lazy" />
            </a>
            <dl class="facts">
              <dt>{t('admin.fact.taken')}</dt>
              <dd>{d?.taken_at ?? t('admin.fact.unknown')}</dd>
              <dt>{t('admin.fact.inWindow')}</dt>
              <dd class={f?.taken_within_work_window === false ? 'bad' : undefined}>
                {yesNo(t, f?.taken_within_work_window)}
              </dd>
              <dt>{t('admin.fact.gps')}</dt>
              <dd>{d?.gps ? `${d.gps.lat.toFixed(5)}, ${d.gps.lng.toFixed(5)}` : t('admin.fact.unknown')}</dd>
              <dt>{t('admin.fact.distance')}</dt>
              <dd class={f?.within_radius === false ? 'bad' : undefined}>
                {f?.distance_from_task_m == null
                  ? t('admin.fact.unknown')
                  : t('admin.fact.metres', {
                      m: f.distance_from_task_m,
                      radius: task.location_radius_m,
                    })}
              </dd>
              {d?.gps && task.location && (
                <>
                  <dt>{t('admin.fact.plot')}</dt>
                  <dd>
                    <OffsetPlot
                      task={task}
                      gps={d.gps}
                      label={t('admin.fact.plotAlt', {
                        n: i + 1,
                        m: f?.distance_from_task_m ?? '?',
                        radius: task.location_radius_m,
                      })}
                    />
                  </dd>
                </>
              )}
              <dt>{t('admin.fact.camera')}</dt>
              <dd>{d?.camera ?? t('admin.fact.unknown')}</dd>
              {ev && (
                <>
                  <dt>{t('admin.fact.device')}</dt>
                  <dd>
                    {ev.lat.toFixed(5)}, {ev.lng.toFixed(5)} (±{Math.round(ev.accuracy_m)} m)
                    {ev.requirement ? ` · ${ev.requirement}` : ''}
                  </dd>
                </>
              )}
            </dl>
          </li>
        )
      })}
    </ul>
  )
}

function Guardian({ task }: { task: AdminTask }) {
  const t = useT()
  const g = task.guardian_result
  if (!g) return <p>{t('admin.guardian.none')}</p>
  return (
    <>
      <p>
        <strong>{t('admin.guardian.decision', { decision: g.decision, confidence: g.confidence })}</strong>
      </p>
      <p>{g.reasoning}</p>
      <div class="scroll">
        <table class="table">
          <caption class="visually-hidden">{t('admin.guardian.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('admin.guardian.check')}</th>
              <th scope="col">{t('admin.guardian.score')}</th>
              <th scope="col">{t('admin.guardian.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {g.checks.map((c) => (
              <tr key={c.name}>
                <td>{c.name}</td>
                <td class={c.score < 50 ? 'bad' : undefined}>{c.score}</td>
                <td>{c.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  )
}

function ReviewForm({ task, onDone }: { task: AdminTask; onDone: (msg: string) => void }) {
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

function ResolveForm({ task, onDone }: { task: AdminTask; onDone: (msg: string) => void }) {
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
export function TaskReviewPage({ params }: { params: Record<string, string> }) {
  const t = useT()
  const { value: task, error, reload } = useLoad(() => getTask(params.id!), [params.id])
  const [done, setDone] = useState<string | null>(null)
  const finished = async (msg: string) => {
    setDone(msg)
    await Promise.all([reload(), loadQueues().catch(() => {})])
  }
  return (
    <AdminLayout title={task?.title ?? t('admin.task.title')}>
      <ErrorText message={error} />
      {!task && !error && <p aria-busy="true">{t('common.loading')}</p>}
      {done && (
        <p class="ok" role="status">
          {done}
        </p>
      )}
      {task && (
        <>
          <p class="meta">
            <span>{t('admin.task.status', { status: statusLabel(task.status) })}</span>
            <span class="tag">{typeLabel(task.task_type)}</span>
            <strong>{formatMoney(task.reward_usd)}</strong>
            <code>{task.task_id}</code>
            <Link href={`/admin/agents/${task.agent_id}`}>{t('admin.task.agent')}</Link>
            {task.operator && (
              <Link href={`/admin/operators/${task.operator.operator_id}`}>
                {t('admin.task.operator', { name: task.operator.name })}
              </Link>
            )}
          </p>
          <div class="review-grid">
            <section aria-labelledby="proof-h">
              <h2 id="proof-h">{t('admin.proof.title')}</h2>
              <Photos task={task} />
              {task.proof?.notes && (
                <>
                  <h3>{t('admin.proof.notes')}</h3>
                  <p class="description">{task.proof.notes}</p>
                </>
              )}
              {task.reuse_matches.length > 0 && (
                <section class="panel" aria-labelledby="reuse-h">
                  <h3 id="reuse-h" class="bad">
                    {t('admin.reuse.title')}
                  </h3>
                  <ul class="thumbs">
                    {task.reuse_matches.map((m) => (
                      <li key={m.file_id}>
                        <img
                          src={m.url}
                          alt={t('admin.reuse.alt', { task: m.task_title ?? m.task_id ?? '' })}
                        />
                        <small>
                          {m.task_id ? (
                            <Link href={`/admin/tasks/${m.task_id}`}>{m.task_title ?? m.task_id}</Link>
                          ) : (
                            '—'
                          )}{' '}
                          · {t('admin.reuse.bits', { n: m.distance_bits })}
                        </small>
                      </li>
                    ))}
                  </ul>
                </section>
              )}
            </section>
            <div>
              <section class="panel" aria-labelledby="req-h">
                <h2 id="req-h">{t('task.requirements')}</h2>
                <ul>
                  {task.proof_requirements.map((r) => (
                    <li key={r}>{r}</li>
                  ))}
                </ul>
                <p class="description">{task.description}</p>
              </section>
              {task.status === 'DISPUTED' && task.verify_reason && (
                <section class="panel" aria-labelledby="reason-h">
                  <h2 id="reason-h">{t('admin.dispute.reason')}</h2>
                  <p class="description">{task.verify_reason}</p>
                </section>
              )}
              <section class="panel" aria-labelledby="g-h">
                <h2 id="g-h">{t('admin.guardian.title')}</h2>
                <Guardian task={task} />
              </section>
              {task.status === 'MANUAL_REVIEW' && <ReviewForm task={task} onDone={finished} />}
              {task.status === 'DISPUTED' && <ResolveForm task={task} onDone={finished} />}
              {task.resolution && (
                <p>
                  {t('admin.task.resolution', {
                    outcome: t(`admin.outcome.${task.resolution.outcome}`),
                    percent: task.resolution.operator_percent,
                    at: formatDate(task.resolution.at),
                  })}
                </p>
              )}
            </div>
          </div>
          <section aria-labelledby="hist-h">
            <h2 id="hist-h">{t('admin.task.history')}</h2>
            <div class="scroll">
              <table class="table">
                <thead>
                  <tr>
                    <th scope="col">{t('admin.col.at')}</th>
                    <th scope="col">{t('admin.col.change')}</th>
                    <th scope="col">{t('admin.col.actor')}</th>
                    <th scope="col">{t('admin.col.reason')}</th>
                  </tr>
                </thead>
                <tbody>
                  {task.transitions.map((tr) => (
                    <tr key={`${tr.at}-${tr.to}`}>
                      <td>{formatDate(tr.at)}</td>
                      <td>
                        {tr.from ?? '—'} → {tr.to}
                      </td>
                      <td>{tr.actor}</td>
                      <td>{tr.reason ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <section aria-labelledby="ledger-h">
            <h2 id="ledger-h">{t('admin.task.ledger')}</h2>
            <div class="scroll">
              <table class="table">
                <thead>
                  <tr>
                    <th scope="col">{t('admin.col.at')}</th>
                    <th scope="col">{t('admin.col.kind')}</th>
                    <th scope="col">{t('admin.col.account')}</th>
                    <th scope="col">{t('admin.col.amount')}</th>
                  </tr>
                </thead>
                <tbody>
                  {task.ledger.map((l, i) => (
                    <tr key={`${l.transaction_id}-${i}`}>
                      <td>{formatDate(l.at)}</td>
                      <td>{l.kind}</td>
                      <td>{l.account}</td>
                      <td>{formatMoney(l.amount_usd)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
    </AdminLayout>
  )
}
