import { TASK_STATUSES, type TaskStatus } from '@humcli/contract/enums'
import { tasks } from '../../api/dashboard.ts'
import { ErrorText } from '../../components/layout.tsx'
import { useDT as useT } from '../../i18n/dashboard.ts'
import { formatDate, formatMoney } from '../../i18n/index.ts'
import { statusLabel, typeLabel } from '../../lib/labels.ts'
import { Link, navigate, useQuery } from '../../lib/router.tsx'
import { DashLayout, useLoad } from './layout.tsx'

const PAGE = 20

/** The agent's tasks, newest first, filtered by status (kept in the address, so a reload keeps it). */
export function DashTasksPage() {
  const t = useT()
  const q = useQuery()
  const status = (TASK_STATUSES as readonly string[]).includes(q.get('status') ?? '')
    ? (q.get('status') as TaskStatus)
    : undefined
  const offset = Math.max(0, Number(q.get('offset')) || 0)
  const list = useLoad(() => tasks({ status, limit: PAGE, offset }), [status, offset])
  const total = list.data?.pagination.total ?? 0
  const go = (next: { status?: string; offset?: number }) => {
    const p = new URLSearchParams()
    if (next.status) p.set('status', next.status)
    if (next.offset) p.set('offset', String(next.offset))
    const qs = p.toString()
    navigate(`/dashboard/tasks${qs ? `?${qs}` : ''}`)
  }
  return (
    <DashLayout title={t('dash.tasks.title')}>
      <div class="toolbar">
        <label>
          {t('dash.tasks.status')}
          <select
            value={status ?? ''}
            onChange={(e) => go({ status: (e.currentTarget as HTMLSelectElement).value })}
          >
            <option value="">{t('mine.all')}</option>
            {TASK_STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="secondary" onClick={() => void list.reload()}>
          {t('dash.refresh')}
        </button>
      </div>
      <ErrorText message={list.error} />
      {list.data && (
        <p class="hint" role="status">
          {t('tasks.count', { count: total })}
        </p>
      )}
      {list.data && list.data.data.length === 0 && (
        <p>{status ? t('dash.tasks.emptyStatus') : t('dash.tasks.empty')}</p>
      )}
      <ul class="cards">
        {list.data?.data.map((task) => (
          <li key={task.task_id} class="card">
            <Link href={`/dashboard/tasks/${encodeURIComponent(task.task_id)}`}>
              <h2>{task.title}</h2>
            </Link>
            <p class="meta">
              <span class={`tag status-${task.status}`}>{statusLabel(task.status)}</span>
              <span>{typeLabel(task.task_type)}</span>
              <strong>{formatMoney(task.reward_usd)}</strong>
              <span>{t('dash.tasks.created', { when: formatDate(task.created_at) })}</span>
              <span>{t('dash.tasks.deadline', { when: formatDate(task.deadline) })}</span>
            </p>
          </li>
        ))}
      </ul>
      {total > PAGE && (
        <div class="pager">
          <button
            type="button"
            class="secondary"
            disabled={offset === 0}
            onClick={() => go({ status, offset: Math.max(0, offset - PAGE) })}
          >
            {t('page.prev')}
          </button>
          <span>{t('page.of', { page: Math.floor(offset / PAGE) + 1, pages: Math.ceil(total / PAGE) })}</span>
          <button
            type="button"
            class="secondary"
            disabled={offset + PAGE >= total}
            onClick={() => go({ status, offset: offset + PAGE })}
          >
            {t('page.next')}
          </button>
        </div>
      )}
    </DashLayout>
  )
}
