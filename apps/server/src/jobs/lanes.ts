import type { JobLane } from '../config-jobs.ts'
import type { JobKind } from './enqueue.ts'

/** Which lane runs each job kind (ADR 0013): slow network work never shares slots with the rest. */
export const LANE_OF: Record<JobKind, JobLane> = {
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

export const laneOf = (kind: JobKind): JobLane => LANE_OF[kind]

/** The kinds of each lane, limited to `only` when a worker runs a subset (`humcli worker --kinds`). */
export function kindsByLane(only?: readonly JobKind[]): Map<JobLane, JobKind[]> {
  const lanes = new Map<JobLane, JobKind[]>()
  for (const [kind, lane] of Object.entries(LANE_OF) as [JobKind, JobLane][]) {
    if (only && !only.includes(kind)) continue
    lanes.set(lane, [...(lanes.get(lane) ?? []), kind])
  }
  return lanes
}
