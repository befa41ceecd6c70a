import { BROWSE_SORTS, TASK_TYPES } from '@humcli/contract/enums'
import { useEffect, useState } from 'preact/hooks'
import { type BrowseInput, browse, type OperatorTaskPage } from '../api/operator.ts'
import { ErrorText, Layout } from '../components/layout.tsx'
import { TaskCard } from '../components/task-card.tsx'
import { useT } from '../i18n/index.ts'
import { describeError } from '../lib/errors.ts'
import { currentPosition, type GeoFailure, PLACES } from '../lib/geo.ts'
import { typeLabel } from '../lib/labels.ts'
import { navigate, useQuery } from '../lib/router.tsx'

const PAGE = 20

function setParam(q: URLSearchParams, name: string, value: string | null) {
  const next = new URLSearchParams(q)
  if (value) next.set(name, value)
  else next.delete(name)
  if (name !== 'page') next.delete('page')
  navigate(`/tasks?${next}`, { replace: true })
}

function WhereControls({ q }: { q: URLSearchParams }) {
  const t = useT()
  const [geoError, setGeoError] = useState<string | null>(null)
  const near = q.get('near')
  const place = PLACES.find((p) => `${p.lat},${p.lng}` === near)
  const locate = async () => {
    setGeoError(null)
    try {
      const p = await currentPosition()
      setParam(q, 'near', `${p.lat.toFixed(5)},${p.lng.toFixed(5)}`)
    } catch (err) {
      setGeoError(t((err as GeoFailure) === 'denied' ? 'err.geoDenied' : 'err.geoUnavailable'))
    }
  }
  return (
    <fieldset class="where">
      <legend>{t('tasks.where')}</legend>
      <p class="hint" id="geo-hint">
        {t('tasks.locationPrompt')}
      </p>
      <button type="button" onClick={locate} aria-describedby="geo-hint">
        {t('tasks.useLocation')}
      </button>
      <label>
        {t('tasks.choosePlace')}
        <select
          value={place ? near! : near ? 'me' : ''}
          onChange={(e) => {
            const v = (e.currentTarget as HTMLSelectElement).value
            if (v !== 'me') setParam(q, 'near', v || null)
          }}
        >
          <option value="">{t('tasks.anywhere')}</option>
          {near && !place && <option value="me">{t('tasks.myPosition')}</option>}
          {PLACES.map((p) => (
            <option key={p.name} value={`${p.lat},${p.lng}`}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
      <ErrorText message={geoError} />
    </fieldset>
  )
}

function Filters({ q }: { q: URLSearchParams }) {
  const t = useT()
  const sorts = BROWSE_SORTS.filter((s) => s !== 'distance' || q.get('near'))
  return (
    <div class="filters">
      <label>
        {t('tasks.sort')}
        <select
          value={q.get('sort') ?? (q.get('near') ? 'distance' : 'newest')}
          onChange={(e) => setParam(q, 'sort', (e.currentTarget as HTMLSelectElement).value)}
        >
          {sorts.map((s) => (
            <option key={s} value={s}>
              {t(`sort.${s}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('tasks.type')}
        <select
          value={q.get('type') ?? ''}
          onChange={(e) => setParam(q, 'type', (e.currentTarget as HTMLSelectElement).value || null)}
        >
          <option value="">{t('tasks.allTypes')}</option>
          {TASK_TYPES.map((type) => (
            <option key={type} value={type}>
              {typeLabel(type)}
            </option>
          ))}
        </select>
      </label>
    </div>
  )
}

function Pager({ q, total }: { q: URLSearchParams; total: number }) {
  const t = useT()
  const page = Number(q.get('page') ?? '1')
  const pages = Math.max(1, Math.ceil(total / PAGE))
  if (pages <= 1) return null
  return (
    <nav class="pager" aria-label={t('page.of', { page, pages })}>
      <button type="button" disabled={page <= 1} onClick={() => setParam(q, 'page', String(page - 1))}>
        {t('page.prev')}
      </button>
      <span>{t('page.of', { page, pages })}</span>
      <button type="button" disabled={page >= pages} onClick={() => setParam(q, 'page', String(page + 1))}>
        {t('page.next')}
      </button>
    </nav>
  )
}

export function TasksPage() {
  const t = useT()
  const q = useQuery()
  const key = q.toString()
  const [result, setResult] = useState<OperatorTaskPage | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    const page = Number(q.get('page') ?? '1')
    setError(null)
    browse({
      near: q.get('near') ?? undefined,
      radius_km: q.get('near') ? Number(q.get('radius') ?? 50) : undefined,
      task_type: (q.get('type') ?? undefined) as never,
      sort: (q.get('sort') ?? undefined) as BrowseInput['sort'],
      limit: PAGE,
      offset: (page - 1) * PAGE,
    })
      .then(setResult)
      .catch((err) => setError(describeError(err)))
  }, [key])
  return (
    <Layout title={t('tasks.title')}>
      <WhereControls q={q} />
      <Filters q={q} />
      <ErrorText message={error} />
      {!result && !error && <p aria-busy="true">{t('common.loading')}</p>}
      {result && (
        <>
          <p class="hint">{t('tasks.count', { count: result.pagination.total })}</p>
          {result.data.length === 0 && <p>{t('tasks.empty')}</p>}
          <ul class="cards">
            {result.data.map((task) => (
              <TaskCard key={task.task_id} task={task} />
            ))}
          </ul>
          <Pager q={q} total={result.pagination.total} />
        </>
      )}
    </Layout>
  )
}
