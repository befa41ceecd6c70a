import type { AdminTask } from '../../api/admin.ts'
import { useT } from '../../i18n/index.ts'

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
export function Photos({ task }: { task: AdminTask }) {
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

export function Guardian({ task }: { task: AdminTask }) {
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
