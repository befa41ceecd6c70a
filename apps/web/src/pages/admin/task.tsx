import { useState } from 'preact/hooks'
import { getTask, loadQueues } from '../../api/admin.ts'
import { ErrorText } from '../../components/layout.tsx'
import { formatDate, formatMoney, useT } from '../../i18n/index.ts'
import { statusLabel, typeLabel } from '../../lib/labels.ts'
import { Link } from '../../lib/router.tsx'
import { AdminLayout } from './layout.tsx'
import { useLoad } from './load.ts'
import { ResolveForm, ReviewForm } from './task-decisions.tsx'
import { Guardian, Photos } from './task-evidence.tsx'

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
