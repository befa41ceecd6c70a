import { useEffect, useState } from 'preact/hooks'
import { ApiError } from '../api/client.ts'
import { getTask, type OperatorTask, start } from '../api/operator.ts'
import { AcceptForm } from '../components/accept-form.tsx'
import { Countdown } from '../components/countdown.tsx'
import { ErrorText, Layout } from '../components/layout.tsx'
import { ProofForm } from '../components/proof-form.tsx'
import { QueuedUploads } from '../components/queued-uploads.tsx'
import { ReviewResult } from '../components/review-result.tsx'
import { formatDate, formatMoney, useT } from '../i18n/index.ts'
import { describeError } from '../lib/errors.ts'
import { statusLabel, typeLabel } from '../lib/labels.ts'
import { usePoll } from '../lib/poll.ts'
import { loadProfile, profile } from '../lib/profile.ts'
import { Link } from '../lib/router.tsx'
import { useStore } from '../lib/store.ts'
import { delivered, queue } from '../lib/upload-queue.ts'

/** Statuses that change without the operator: watched by polling. */
const WATCHED = new Set(['ESTIMATE_PENDING', 'SUBMITTED', 'MANUAL_REVIEW', 'DISPUTED', 'VERIFIED'])

function Details({ task }: { task: OperatorTask }) {
  const t = useT()
  const loc = task.location
  return (
    <>
      <p class="meta">
        <span class="tag">{typeLabel(task.task_type)}</span>
        <strong>{t('tasks.reward', { amount: formatMoney(task.reward_usd) })}</strong>
      </p>
      <p>
        {t('task.deadlineIn', { when: '' })}
        <Countdown to={task.deadline} /> ({formatDate(task.deadline)})
      </p>
      <p class="description">{task.description}</p>
      <h2>{t('task.requirements')}</h2>
      <ul class="checklist">
        {task.proof_requirements.map((r) => (
          <li key={r}>☐ {r}</li>
        ))}
      </ul>
      {loc && (
        <>
          <h2>{t('task.location')}</h2>
          <p>
            {loc.address ?? `${loc.lat}, ${loc.lng}`} ·{' '}
            <a
              href={`https://www.openstreetmap.org/?mlat=${loc.lat}&mlon=${loc.lng}#map=18/${loc.lat}/${loc.lng}`}
            >
              {t('task.openMaps')}
            </a>{' '}
            · <a href={`geo:${loc.lat},${loc.lng}`}>geo:</a>
          </p>
        </>
      )}
      {task.digital_instructions && (
        <>
          <h2>{t('task.instructions')}</h2>
          <p class="description">{task.digital_instructions}</p>
        </>
      )}
    </>
  )
}

function OpenTaskActions({ task, reload }: { task: OperatorTask; reload: () => void }) {
  const t = useT()
  const me = useStore(profile)
  // Fresh on every open task: staff may have approved the identity check meanwhile.
  useEffect(() => {
    void loadProfile().catch(() => {})
  }, [task.task_id])
  if (me && me.kyc_status !== 'APPROVED') {
    return (
      <div class="panel">
        <p>{t('kyc.needed')}</p>
        <Link href="/kyc">{t('kyc.go')}</Link>
      </div>
    )
  }
  return (
    <>
      <h2>{t('task.accept')}</h2>
      <AcceptForm taskId={task.task_id} onAccepted={reload} />
    </>
  )
}

function MyTaskActions({ task, reload }: { task: OperatorTask; reload: () => void }) {
  const t = useT()
  const [error, setError] = useState<string | null>(null)
  const waiting = useStore(queue).some((p) => p.taskId === task.task_id)
  const begin = async () => {
    try {
      await start(task.task_id)
      reload()
    } catch (err) {
      setError(describeError(err))
    }
  }
  return (
    <>
      <p class="status" role="status">
        {t('task.status', { status: statusLabel(task.status!) })}
      </p>
      {task.status === 'ESTIMATE_PENDING' && task.estimate && (
        <p>
          {t('task.pending')} {t('task.pendingCountdown', { when: '' })}
          <Countdown to={task.estimate.expires_at} />
        </p>
      )}
      {task.status === 'ACCEPTED' && (
        <>
          <p>{t('task.approved')}</p>
          <button type="button" onClick={begin}>
            {t('task.start')}
          </button>
        </>
      )}
      <ErrorText message={error} />
      <ReviewResult task={task} />
      <QueuedUploads taskId={task.task_id} requirements={task.proof_requirements} />
      {task.status === 'IN_PROGRESS' && !waiting && <ProofForm task={task} />}
    </>
  )
}

export function TaskPage({ params }: { params: Record<string, string> }) {
  const t = useT()
  const id = params.id!
  const [task, setTask] = useState<OperatorTask | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [gone, setGone] = useState<string | null>(null)
  const sent = useStore(delivered)
  const load = async (): Promise<boolean> => {
    try {
      const next = await getTask(id)
      const changed = next.status !== task?.status
      // An estimate no longer ours: the agent rejected it or it expired; the task is open again.
      if (task?.status === 'ESTIMATE_PENDING' && !next.status) setGone(t('task.rejected'))
      setTask(next)
      return changed
    } catch (err) {
      if (err instanceof ApiError && err.status === 404 && task?.status === 'ESTIMATE_PENDING')
        setGone(t('task.rejected'))
      else setError(describeError(err))
      return false
    }
  }
  useEffect(() => {
    void load()
  }, [id, sent.length])
  usePoll(WATCHED.has(task?.status ?? ''), load, [task?.status])
  return (
    <Layout title={task?.title ?? t('common.loading')}>
      <ErrorText message={error} />
      {gone && (
        <p class="error" role="alert">
          {gone}
        </p>
      )}
      {task && (
        <>
          <Details task={task} />
          {task.status ? (
            <MyTaskActions task={task} reload={load} />
          ) : (
            <OpenTaskActions task={task} reload={load} />
          )}
        </>
      )}
    </Layout>
  )
}
