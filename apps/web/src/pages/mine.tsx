import { TASK_STATUSES } from '@humcli/contract/enums'
import { useEffect, useState } from 'preact/hooks'
import { mine, type OperatorTaskPage } from '../api/operator.ts'
import { ErrorText, Layout } from '../components/layout.tsx'
import { QueuedUploads } from '../components/queued-uploads.tsx'
import { formatMoney, useT } from '../i18n/index.ts'
import { describeError } from '../lib/errors.ts'
import { statusLabel } from '../lib/labels.ts'
import { Link, navigate, useQuery } from '../lib/router.tsx'

export function MinePage() {
  const t = useT()
  const status = useQuery().get('status') ?? ''
  const [page, setPage] = useState<OperatorTaskPage | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    mine({ status: status || undefined, limit: 50 })
      .then(setPage)
      .catch((err) => setError(describeError(err)))
  }, [status])
  return (
    <Layout title={t('mine.title')}>
      <QueuedUploads />
      <label>
        {t('task.status', { status: '' })}
        <select
          value={status}
          onChange={(e) => {
            const v = (e.currentTarget as HTMLSelectElement).value
            navigate(v ? `/mine?status=${v}` : '/mine', { replace: true })
          }}
        >
          <option value="">{t('mine.all')}</option>
          {TASK_STATUSES.filter((s) => s !== 'PENDING').map((s) => (
            <option key={s} value={s}>
              {statusLabel(s)}
            </option>
          ))}
        </select>
      </label>
      <ErrorText message={error} />
      {page?.data.length === 0 && <p>{t('mine.empty')}</p>}
      <ul class="cards">
        {page?.data.map((task) => (
          <li key={task.task_id} class="card">
            <Link href={`/tasks/${task.task_id}`}>
              <h2>{task.title}</h2>
            </Link>
            <p class="meta">
              <span class="tag">{statusLabel(task.status!)}</span>
              <strong>{formatMoney(task.reward_usd)}</strong>
            </p>
          </li>
        ))}
      </ul>
    </Layout>
  )
}
