import type { JobLane } from '../config-jobs.ts'
import type { JobKind } from './enqueue.ts'

/**
 * What a worker runs: every job kind, and `webhooks.deliver`, the webhook attempts the deliveries
 * lane claims straight from `webhook_deliveries` (ADR 0027) — no job row each.
 */
export type WorkKind = JobKind | 'webhooks.deliver'

/** Which lane runs each kind (ADR 0013): slow network work never shares slots with the rest. */
export const LANE_OF: Record<WorkKind, JobLane> = {
  'webhooks.deliver': 'deliveries',
  'webhooks.fan_out': 'timers',
  'estimate.expire': 'timers',
  'task.deadline': 'timers',
  'review.auto_approve': 'timers',
  'earnings.release': 'timers',
  'credentials.purge': 'timers',
  'retention.prune': 'timers',
  'retention.analyze': 'timers',
  'guardian.review': 'guardian',
  'email.send': 'mail',
  'payouts.send': 'payouts',
  // Chain RPC calls: network work, kept apart from reviews and timers like payouts.
  'chain.watch': 'payouts',
  'sandbox.accept': 'sandbox',
  'sandbox.start': 'sandbox',
  'sandbox.submit': 'sandbox',
}

export const WORK_KINDS = Object.keys(LANE_OF) as readonly WorkKind[]

export const laneOf = (kind: WorkKind): JobLane => LANE_OF[kind]

/** The kinds of each lane, limited to `only` when a worker runs a subset (`humcli worker --kinds`). */
export function kindsByLane(only?: readonly WorkKind[]): Map<JobLane, WorkKind[]> {
  const lanes = new Map<JobLane, WorkKind[]>()
  for (const [kind, lane] of Object.entries(LANE_OF) as [WorkKind, JobLane][]) {
    if (only && !only.includes(kind)) continue
    lanes.set(lane, [...(lanes.get(lane) ?? []), kind])
  }
  return lanes
}
