import type { Task, TaskSummary } from '@humcli/sdk'
import { run } from './command.ts'
import { minutes, shortTime, table, truncate, usd } from './format.ts'

/** `humcli tasks list`: one row per task. */
export function taskTable(rows: TaskSummary[]): string {
  return table(
    ['TASK', 'STATUS', 'TYPE', 'REWARD', 'CREATED', 'DEADLINE', 'TITLE'],
    rows.map((t) => [
      t.task_id,
      t.status,
      t.task_type,
      usd(t.reward_usd),
      shortTime(t.created_at),
      shortTime(t.deadline),
      truncate(t.title, 40),
    ]),
  )
}

function where(t: Task): string {
  if (!t.location) return ''
  const place = t.location.address ? `${t.location.address} ` : ''
  return ` at ${place}(${t.location.lat}, ${t.location.lng}) within ${t.location_radius_m} m`
}

/** `humcli tasks get`: the task as labelled lines. */
export function taskDetails(t: Task): string {
  const lines: Array<[string, string]> = [
    ['status', `${t.status}${t.sandbox ? ' (sandbox: simulated operator and proof)' : ''}`],
    ['type', `${t.task_type} (${t.domain})${where(t)}`],
    ['reward', `${usd(t.reward_usd)} (fee ${usd(t.platform_fee_usd)}, escrow ${usd(t.escrow_usd)})`],
    ['deadline', t.deadline],
    ['proof asked', t.proof_requirements.join('; ')],
  ]
  if (t.operator) lines.push(['operator', `${t.operator.name} (rating ${t.operator.rating.toFixed(1)})`])
  if (t.estimate) {
    lines.push([
      'estimate',
      `${minutes(t.estimate.total_minutes)}${t.estimate.note ? ` — ${t.estimate.note}` : ''}`,
    ])
  }
  if (t.proof) {
    lines.push(['proof', `${t.proof.photos.length} photo(s), submitted ${t.proof.submittedAt}`])
    if (t.proof.notes) lines.push(['notes', t.proof.notes])
    for (const url of t.proof.photos) lines.push(['photo', url])
  }
  if (t.guardian_result) {
    const g = t.guardian_result
    lines.push(['guardian', `${g.decision} (confidence ${g.confidence}): ${g.reasoning}`])
  }
  if (t.cancel_reason) lines.push(['cancelled', t.cancel_reason])
  if (t.credential_available) lines.push(['credential', `ready: ${run(`tasks credential ${t.task_id}`)}`])
  for (const tr of t.transitions) {
    lines.push([
      'history',
      `${shortTime(tr.at)}  ${tr.from ?? '(new)'} → ${tr.to}  by ${tr.actor}${tr.reason ? ` (${tr.reason})` : ''}`,
    ])
  }
  const width = Math.max(...lines.map(([k]) => k.length))
  // Multi-line values (operator notes) continue under their first line.
  const indent = `\n${' '.repeat(width + 4)}`
  return [
    `${t.task_id}  ${t.title}`,
    ...lines.map(([k, v]) => `  ${k.padEnd(width)}  ${v.split(/\r?\n/).join(indent)}`),
  ].join('\n')
}

/** What a status asks of the agent, if anything (printed by `tasks wait` and `tasks create`). */
export function nextStep(t: Task): string | null {
  switch (t.status) {
    case 'ESTIMATE_PENDING':
      return `${t.operator?.name ?? 'An operator'} estimates ${minutes(t.estimate?.total_minutes)}: approve with \`${run(`tasks approve-estimate ${t.task_id}`)}\` or reject with \`${run(`tasks reject-estimate ${t.task_id} --reason …`)}\``
    case 'SUBMITTED':
    case 'MANUAL_REVIEW':
      return `Proof is in: look with \`${run(`tasks get ${t.task_id}`)}\`, then \`${run(`tasks verify ${t.task_id} --approve`)}\` (or --reject --reason …)`
    default:
      return null
  }
}
