import type { OperatorTask } from '../api/operator.ts'
import { formatDistance, formatMoney, formatRelative, useT } from '../i18n/index.ts'
import { typeLabel } from '../lib/labels.ts'
import { Link } from '../lib/router.tsx'

export function TaskCard({ task }: { task: OperatorTask }) {
  const t = useT()
  return (
    <li class="card">
      <Link href={`/tasks/${task.task_id}`}>
        <h2>{task.title}</h2>
      </Link>
      <p class="meta">
        <span class="tag">{typeLabel(task.task_type)}</span>
        <strong>{t('tasks.reward', { amount: formatMoney(task.reward_usd) })}</strong>
      </p>
      <p class="meta">
        <span>{t('tasks.deadline', { when: formatRelative(task.deadline) })}</span>
        {task.distance_km !== undefined && (
          <span>{t('tasks.distance', { distance: formatDistance(task.distance_km) })}</span>
        )}
      </p>
    </li>
  )
}
