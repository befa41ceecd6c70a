import type { Task } from '@humcli/contract'
import { useState } from 'preact/hooks'
import { approveEstimate, cancel, task as getTask, rejectEstimate, verify } from '../../api/dashboard.ts'
import { ErrorText } from '../../components/layout.tsx'
import { useDT as useT } from '../../i18n/dashboard.ts'
import { formatDate, formatMoney } from '../../i18n/index.ts'
import { statusLabel, typeLabel } from '../../lib/labels.ts'
import { usePoll } from '../../lib/poll.ts'
import { Link } from '../../lib/router.tsx'
import { DashLayout, dashError, useLoad } from './layout.tsx'

const FINAL = new Set(['COMPLETED', 'CANCELLED', 'EXPIRED', 'REFUNDED'])
const CANCELLABLE = new Set(['PENDING', 'ESTIMATE_PENDING', 'ACCEPTED'])
const VERIFIABLE = new Set(['SUBMITTED', 'MANUAL_REVIEW'])

/** A button that asks once more in place before it acts (no browser dialog). */
function Confirm(props: {
  label: string
  question: string
  confirm: string
  danger?: boolean
  busy: boolean
  onConfirm: () => void
}) {
  const t = useT()
  const [asking, setAsking] = useState(false)
  if (!asking) {
    return (
      <button type="button" class={props.danger ? 'danger' : 'secondary'} onClick={() => setAsking(true)}>
        {props.label}
      </button>
    )
  }
  return (
    <div class="confirm">
      <p>{props.question}</p>
      <button
        type="button"
        class={props.danger ? 'danger' : ''}
        disabled={props.busy}
        onClick={() => {
          setAsking(false)
          props.onConfirm()
        }}
      >
        {props.confirm}
      </button>
      <button type="button" class="secondary" onClick={() => setAsking(false)}>
        {t('dash.keep')}
      </button>
    </div>
  )
}

function Actions({ task, onDone }: { task: Task; onDone: (next?: Task) => Promise<void> }) {
  const t = useT()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const [reason, setReason] = useState('')
  const act = async (fn: () => Promise<unknown>, message: string) => {
    setBusy(true)
    setError(null)
    setDone(null)
    try {
      const r = await fn()
      setDone(message)
      setReason('')
      await onDone(r && typeof r === 'object' && 'transitions' in r ? (r as Task) : undefined)
    } catch (err) {
      setError(dashError(err))
    } finally {
      setBusy(false)
    }
  }
  const id = task.task_id
  const pending = task.status === 'ESTIMATE_PENDING' && task.estimate
  const verifiable = VERIFIABLE.has(task.status)
  const cancellable = CANCELLABLE.has(task.status)
  if (!pending && !verifiable && !cancellable && !done && !error) return null
  return (
    <section class="panel" aria-labelledby="actions">
      <h2 id="actions">{t('dash.task.actions')}</h2>
      {pending && task.estimate && (
        <div class="stack">
          <p>
            {t('dash.task.estimate', {
              operator: task.operator?.name ?? '—',
              minutes: task.estimate.total_minutes,
              when: formatDate(task.estimate.expires_at),
            })}
          </p>
          {task.estimate.note && <p class="quote">{task.estimate.note}</p>}
          <div class="row-actions">
            <button
              type="button"
              disabled={busy}
              onClick={() => act(() => approveEstimate(id), t('dash.task.approvedDone'))}
            >
              {t('dash.task.approve')}
            </button>
          </div>
          <label>
            {t('dash.task.rejectReason')}
            <input value={reason} maxLength={2000} onInput={(e) => setReason(e.currentTarget.value)} />
          </label>
          <div class="row-actions">
            <button
              type="button"
              class="secondary"
              disabled={busy || reason.trim() === ''}
              onClick={() => act(() => rejectEstimate(id, reason.trim()), t('dash.task.rejectedDone'))}
            >
              {t('dash.task.rejectEstimate')}
            </button>
          </div>
        </div>
      )}
      {verifiable && (
        <div class="stack">
          <p>{t('dash.task.verifyIntro')}</p>
          <div class="row-actions">
            <button
              type="button"
              disabled={busy}
              onClick={() => act(() => verify(id, 'APPROVE'), t('dash.task.verifiedDone'))}
            >
              {t('dash.task.verifyApprove')}
            </button>
          </div>
          <label>
            {t('dash.task.disputeReason')}
            <textarea
              value={reason}
              maxLength={2000}
              rows={3}
              onInput={(e) => setReason(e.currentTarget.value)}
            />
          </label>
          <div class="row-actions">
            <button
              type="button"
              class="danger"
              disabled={busy || reason.trim() === ''}
              onClick={() => act(() => verify(id, 'REJECT', reason.trim()), t('dash.task.disputedDone'))}
            >
              {t('dash.task.verifyReject')}
            </button>
          </div>
        </div>
      )}
      {cancellable && (
        <div class="row-actions">
          <Confirm
            label={t('dash.task.cancel')}
            question={t('dash.task.cancelQuestion', { amount: formatMoney(task.escrow_usd) })}
            confirm={t('dash.task.cancelConfirm')}
            danger
            busy={busy}
            onConfirm={() => act(() => cancel(id), t('dash.task.cancelledDone'))}
          />
        </div>
      )}
      <ErrorText message={error} />
      {done && (
        <p class="ok" role="status">
          {done}
        </p>
      )}
    </section>
  )
}

function Proof({ task }: { task: Task }) {
  const t = useT()
  const proof = task.proof
  if (!proof) return null
  return (
    <section class="panel" aria-labelledby="proof">
      <h2 id="proof">{t('dash.task.proof')}</h2>
      <p class="hint">{t('dash.task.submitted', { when: formatDate(proof.submittedAt) })}</p>
      {proof.photos.length > 0 && (
        <ul class="photos">
          {proof.photos.map((src, i) => {
            const d = proof.photo_details[i]
            return (
              <li key={src}>
                <a href={src} target="_blank" rel="noopener noreferrer">
                  <img
                    src={src}
                    alt={t('dash.task.photoAlt', { n: i + 1, requirement: task.proof_requirements[i] ?? '' })}
                    loading="lazy"
                  />
                </a>
                {d && (
                  <small>
                    {[
                      d.taken_at && t('dash.task.takenAt', { when: d.taken_at }),
                      d.camera,
                      d.gps && `${d.gps.lat.toFixed(5)}, ${d.gps.lng.toFixed(5)}`,
                      d.width && d.height && `${d.width}×${d.height}`,
                    ]
                      .filter(Boolean)
                      .join(' · ')}
                  </small>
                )}
              </li>
            )
          })}
        </ul>
      )}
      {proof.notes && (
        <>
          <h3>{t('dash.task.notes')}</h3>
          <p class="quote">{proof.notes}</p>
        </>
      )}
      {proof.credential_fields && proof.credential_fields.length > 0 && (
        <p>{t('dash.task.credentialFields', { fields: proof.credential_fields.join(', ') })}</p>
      )}
    </section>
  )
}

function Guardian({ task }: { task: Task }) {
  const t = useT()
  const g = task.guardian_result
  if (!g) return null
  return (
    <section class="panel" aria-labelledby="guardian">
      <h2 id="guardian">{t('dash.task.guardian')}</h2>
      <p>
        <span class="tag">{t(`decision.${g.decision}`)}</span>{' '}
        {t('dash.task.confidence', { score: g.confidence })}
      </p>
      <p class="quote">{g.reasoning}</p>
      <ul class="rows">
        {g.checks.map((c) => (
          <li key={c.name}>
            <span class="row-main">
              <code>{c.name}</code>
              <strong class={c.score >= 70 ? 'pos' : 'neg'}>{c.score}</strong>
            </span>
            <span class="meta">
              <span>{c.reason}</span>
              {c.weight === 0 && <span class="tag">{t('dash.task.infoOnly')}</span>}
            </span>
          </li>
        ))}
      </ul>
    </section>
  )
}

function History({ task }: { task: Task }) {
  const t = useT()
  return (
    <section class="panel" aria-labelledby="history">
      <h2 id="history">{t('dash.task.history')}</h2>
      <ol class="rows">
        {task.transitions.map((tr, i) => (
          <li key={`${tr.at}-${i}`}>
            <span class="row-main">
              <span>
                {tr.from ? `${statusLabel(tr.from)} → ` : ''}
                <strong>{statusLabel(tr.to)}</strong>
              </span>
              <span>{formatDate(tr.at)}</span>
            </span>
            <span class="meta">
              <code>{tr.actor}</code>
              {tr.reason && <span>{tr.reason}</span>}
            </span>
          </li>
        ))}
      </ol>
      {task.resolution && (
        <p>
          {t('dash.task.resolution', {
            outcome: task.resolution.outcome,
            percent: task.resolution.operator_percent,
            note: task.resolution.note,
          })}
        </p>
      )}
    </section>
  )
}

/** One task: what was asked, the money, the operator, proof, the Guardian's checks, history, actions. */
export function DashTaskPage({ params }: { params: Record<string, string> }) {
  const t = useT()
  const id = params.id!
  const loaded = useLoad(() => getTask(id), [id])
  const task = loaded.data
  usePoll(!!task && !FINAL.has(task.status), async () => {
    const next = await getTask(id)
    const changed = next.status !== task?.status || next.transitions.length !== task?.transitions.length
    if (changed) loaded.set(next)
    return changed
  }, [id, task?.status, task?.transitions.length])
  return (
    <DashLayout title={task?.title ?? t('dash.task.title')}>
      <p>
        <Link href="/dashboard/tasks">← {t('dash.tasks.title')}</Link>
      </p>
      <ErrorText message={loaded.error} />
      {!task && !loaded.error && <p aria-busy="true">{t('common.loading')}</p>}
      {task && (
        <>
          <p class="meta">
            <span class={`tag status-${task.status}`} role="status">
              {statusLabel(task.status)}
            </span>
            <span>{typeLabel(task.task_type)}</span>
            <code>{task.task_id}</code>
          </p>
          {task.sandbox && task.sandbox_notice && <p class="notice">{task.sandbox_notice}</p>}
          <Actions task={task} onDone={async (next) => (next ? loaded.set(next) : loaded.reload())} />
          <div class="grid2">
            <section class="panel" aria-labelledby="what">
              <h2 id="what">{t('dash.task.what')}</h2>
              <p class="quote">{task.description}</p>
              <h3>{t('task.requirements')}</h3>
              <ul>
                {task.proof_requirements.map((r) => (
                  <li key={r}>{r}</li>
                ))}
              </ul>
              {task.location && (
                <p>
                  {t('task.location')}:{' '}
                  {task.location.address ?? `${task.location.lat}, ${task.location.lng}`} (
                  {t('dash.task.radius', { m: task.location_radius_m })})
                </p>
              )}
            </section>
            <section class="panel" aria-labelledby="money">
              <h2 id="money">{t('dash.task.money')}</h2>
              <dl class="facts">
                <dt>{t('task.reward')}</dt>
                <dd>{formatMoney(task.reward_usd)}</dd>
                <dt>{t('dash.task.fee')}</dt>
                <dd>{formatMoney(task.platform_fee_usd)}</dd>
                <dt>{t('dash.escrow')}</dt>
                <dd>{formatMoney(task.escrow_usd)}</dd>
                <dt>{t('dash.task.deadline')}</dt>
                <dd>{formatDate(task.deadline)}</dd>
                <dt>{t('dash.task.operator')}</dt>
                <dd>
                  {task.operator
                    ? t('dash.task.operatorRating', {
                        name: task.operator.name,
                        rating: task.operator.rating.toFixed(1),
                      })
                    : '—'}
                </dd>
              </dl>
            </section>
          </div>
          <Proof task={task} />
          <Guardian task={task} />
          <History task={task} />
        </>
      )}
    </DashLayout>
  )
}
