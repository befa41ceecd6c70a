import { type AdminTaskSummary, tasksWaiting } from '../../api/admin.ts'
import { ErrorText } from '../../components/layout.tsx'
import { formatMoney, formatRelative, useT } from '../../i18n/index.ts'
import { typeLabel } from '../../lib/labels.ts'
import { Link } from '../../lib/router.tsx'
import { AdminLayout } from './layout.tsx'
import { useLoad } from './load.ts'

function TaskQueue(props: { status: 'MANUAL_REVIEW' | 'DISPUTED'; title: string; empty: string }) {
  const t = useT()
  const { value, error } = useLoad(() => tasksWaiting(props.status), [props.status])
  return (
    <AdminLayout title={props.title}>
      <ErrorText message={error} />
      {!value && !error && <p aria-busy="true">{t('common.loading')}</p>}
      {value && (
        <>
          <p class="hint">{t('admin.queue.count', { n: value.pagination.total })}</p>
          {value.data.length === 0 && <p>{props.empty}</p>}
          <ol class="cards" aria-label={props.title}>
            {value.data.map((task: AdminTaskSummary) => (
              <li key={task.task_id} class="card">
                <Link href={`/admin/tasks/${task.task_id}`}>
                  <h2>{task.title}</h2>
                </Link>
                <p class="meta">
                  <span class="tag">{typeLabel(task.task_type)}</span>
                  <strong>{formatMoney(task.reward_usd)}</strong>
                  <span>{t('admin.queue.waiting', { when: formatRelative(task.updated_at) })}</span>
                  <code>{task.task_id}</code>
                </p>
                {task.verify_reason && (
                  <p>
                    {t('admin.dispute.reason')}: {task.verify_reason}
                  </p>
                )}
              </li>
            ))}
          </ol>
        </>
      )}
    </AdminLayout>
  )
}

export function ReviewsPage() {
  const t = useT()
  return (
    <TaskQueue status="MANUAL_REVIEW" title={t('admin.reviews.title')} empty={t('admin.reviews.empty')} />
  )
}

export function DisputesPage() {
  const t = useT()
  return <TaskQueue status="DISPUTED" title={t('admin.disputes.title')} empty={t('admin.disputes.empty')} />
}
