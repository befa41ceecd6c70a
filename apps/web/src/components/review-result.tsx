import type { OperatorTask } from '../api/operator.ts'
import type { MessageKey } from '../i18n/en.ts'
import { useT } from '../i18n/index.ts'

/** The Guardian's decision and its reasons; on RESUBMIT, what to fix, check by check. */
export function ReviewResult({ task }: { task: OperatorTask }) {
  const t = useT()
  const g = task.guardian_result
  if (!g) return null
  const resubmit = g.decision === 'RESUBMIT' && task.status === 'IN_PROGRESS'
  const weak = g.checks.filter((c) => c.score < 70 && c.weight !== 0)
  return (
    <section class="panel" aria-labelledby="review-title">
      <h2 id="review-title">{t(`decision.${g.decision}` as MessageKey)}</h2>
      {resubmit && <p>{t('result.resubmitIntro')}</p>}
      <p>{g.reasoning}</p>
      {(resubmit ? weak : g.checks).length > 0 && (
        <>
          <h3>{t('result.reasons')}</h3>
          <ul>
            {(resubmit ? weak : g.checks).map((c) => (
              <li key={c.name}>
                <strong>{c.name.replaceAll('_', ' ')}</strong> ({c.score}/100): {c.reason}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  )
}
