import type { DailyStatsRow } from '@humcli/contract'
import { useMemo, useState } from 'preact/hooks'
import { dailyStats } from '../../api/admin.ts'
import { DayChart, type DaySeries } from '../../components/day-chart.tsx'
import { ErrorText } from '../../components/layout.tsx'
import type { MessageKey } from '../../i18n/en.ts'
import { formatMoney, locale, useT } from '../../i18n/index.ts'
import { navigate, useQuery } from '../../lib/router.tsx'
import { useStore } from '../../lib/store.ts'
import { AdminLayout } from './layout.tsx'
import { useLoad } from './load.ts'

const RANGES = [30, 90, 365] as const
type Range = (typeof RANGES)[number]
const DAY_MS = 86_400_000

/** The last `days` UTC days, today included. */
function lastDays(days: Range, now = Date.now()) {
  const to = new Date(now).toISOString().slice(0, 10)
  const from = new Date(now - (days - 1) * DAY_MS).toISOString().slice(0, 10)
  return { from, to }
}

type Field = Exclude<keyof DailyStatsRow, 'day'>
type Kind = 'count' | 'money' | 'duration'

interface ChartDef {
  id: string
  title: MessageKey
  kind: Kind
  fields: [Field, MessageKey][]
}

const CHARTS: ChartDef[] = [
  {
    id: 'tasks',
    title: 'admin.stats.tasks',
    kind: 'count',
    fields: [
      ['tasks_created', 'admin.stats.created'],
      ['tasks_completed', 'admin.stats.completed'],
    ],
  },
  {
    id: 'money',
    title: 'admin.stats.money',
    kind: 'money',
    fields: [
      ['escrowed_usd', 'admin.stats.escrowed'],
      ['released_usd', 'admin.stats.released'],
      ['refunded_usd', 'admin.stats.refunded'],
    ],
  },
  { id: 'fees', title: 'admin.stats.fees', kind: 'money', fields: [['fee_revenue_usd', 'admin.stats.fee']] },
  {
    id: 'guardian',
    title: 'admin.stats.guardian',
    kind: 'count',
    fields: [
      ['guardian_verified', 'admin.stats.verified'],
      ['guardian_manual_review', 'admin.stats.manual'],
      ['guardian_resubmit', 'admin.stats.resubmit'],
    ],
  },
  {
    id: 'median',
    title: 'admin.stats.median',
    kind: 'duration',
    fields: [['median_completion_s', 'admin.stats.medianSeries']],
  },
]

/** A duration in seconds, as the console shows it: "42 min", "3 h 5 min", "2 d 4 h". */
export function formatDuration(s: number): string {
  const m = Math.round(s / 60)
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`
  return `${Math.floor(h / 24)} d ${h % 24} h`
}

/** The median chart's axis: "40 min" below two hours, "1.5 h" above, on round steps. */
const shortDuration = (s: number) => (s < 7200 ? `${Math.round(s / 60)} min` : `${+(s / 3600).toFixed(1)} h`)
const DURATION_STEPS = [
  60,
  300,
  600,
  900,
  1800,
  3600,
  7200,
  4 * 3600,
  6 * 3600,
  12 * 3600,
  86_400,
  2 * 86_400,
]

function useFormat(kind: Kind) {
  const loc = useStore(locale)
  return useMemo(() => {
    const count = new Intl.NumberFormat(loc, { maximumFractionDigits: 0 })
    if (kind === 'money') return formatMoney
    if (kind === 'duration') return formatDuration
    return (v: number) => count.format(v)
  }, [kind, loc])
}

const sum = (rows: DailyStatsRow[], f: Field) =>
  Math.round(rows.reduce((a, r) => a + Number(r[f] ?? 0), 0) * 1e6) / 1e6

/**
 * One chart: the canvas (hidden from assistive technology), its legend, a one-sentence summary
 * that screen readers read instead, and the same figures as a table behind a toggle.
 */
function Chart(props: { def: ChartDef; rows: DailyStatsRow[]; days: string[] }) {
  const t = useT()
  const [table, setTable] = useState(false)
  const { def, rows } = props
  const format = useFormat(def.kind)
  const series: DaySeries[] = useMemo(
    () =>
      def.fields.map(([f, label]) => ({
        label: t(label),
        values: rows.map((r) => (r[f] === null ? null : Number(r[f]))),
      })),
    [rows, def],
  )
  const summary =
    def.kind === 'duration'
      ? summaryOfMedian(rows, t)
      : def.fields
          .map(([f, label]) => t('admin.stats.total', { what: t(label), n: format(sum(rows, f)) }))
          .join('; ')
  const tableId = `stats-table-${def.id}`
  return (
    <section class="panel stats-chart" aria-labelledby={`stats-h-${def.id}`} data-testid={`chart-${def.id}`}>
      <h2 id={`stats-h-${def.id}`}>{t(def.title)}</h2>
      <p class="hint" data-testid={`summary-${def.id}`}>
        {summary}
      </p>
      <ul class="legend" aria-hidden="true">
        {def.fields.map(([f, label], i) => (
          <li key={f}>
            <span class={`swatch swatch-${i}`} />
            {t(label)}
          </li>
        ))}
      </ul>
      <DayChart
        days={props.days}
        series={series}
        format={def.kind === 'duration' ? shortDuration : format}
        incrs={def.kind === 'duration' ? DURATION_STEPS : undefined}
      />
      <button
        type="button"
        class="link"
        aria-expanded={table}
        aria-controls={tableId}
        onClick={() => setTable(!table)}
      >
        {table ? t('admin.stats.hideTable') : t('admin.stats.showTable')}
      </button>
      {table && (
        <div class="scroll" id={tableId}>
          <table class="table">
            <caption class="visually-hidden">{t(def.title)}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.stats.day')}</th>
                {def.fields.map(([f, label]) => (
                  <th key={f} scope="col">
                    {t(label)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {[...rows].reverse().map((r) => (
                <tr key={r.day}>
                  <th scope="row">{r.day}</th>
                  {def.fields.map(([f]) => (
                    <td key={f} data-field={f}>
                      {r[f] === null ? '—' : format(Number(r[f]))}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

function summaryOfMedian(rows: DailyStatsRow[], t: ReturnType<typeof useT>): string {
  const known = rows.filter((r) => r.median_completion_s !== null)
  if (known.length === 0) return t('admin.stats.noCompletions')
  const values = known.map((r) => r.median_completion_s!)
  return t('admin.stats.medianRange', {
    min: formatDuration(Math.min(...values)),
    max: formatDuration(Math.max(...values)),
    n: known.length,
  })
}

/** `/admin/stats`: the dashboard's charts of the last 30, 90 or 365 UTC days. */
export function StatsPage() {
  const t = useT()
  const q = useQuery()
  const asked = Number(q.get('days'))
  const days: Range = (RANGES as readonly number[]).includes(asked) ? (asked as Range) : 30
  const { from, to } = lastDays(days)
  const { value, error } = useLoad(() => dailyStats(from, to), [from, to])
  const rows = value?.data ?? []
  const dayList = useMemo(() => rows.map((r) => r.day), [value])
  return (
    <AdminLayout title={t('admin.stats.title')}>
      <fieldset class="range">
        <legend>{t('admin.stats.range')}</legend>
        {RANGES.map((n) => (
          <label key={n} class="chip">
            <input
              type="radio"
              name="range"
              value={n}
              checked={n === days}
              onChange={() => navigate(`/admin/stats?days=${n}`, { replace: true })}
            />
            {t('admin.stats.days', { n })}
          </label>
        ))}
      </fieldset>
      <p class="hint" data-testid="stats-window">
        {t('admin.stats.window', { from, to })}
      </p>
      <ErrorText message={error} />
      {!value && !error && <p aria-busy="true">{t('common.loading')}</p>}
      {value && (
        <div class="stats-grid">
          {CHARTS.map((def) => (
            <Chart key={def.id} def={def} rows={rows} days={dayList} />
          ))}
        </div>
      )}
    </AdminLayout>
  )
}
