import { SqliteAdapter } from 'kysely'
import { iso } from '../clock.ts'
import type { JobLane } from '../config-jobs.ts'
import { HeldInserts } from '../store/held-inserts.ts'
import type { Tx } from '../store/schema.ts'
import { statement } from '../store/statement.ts'
import { laneOf } from './lanes.ts'
import { jobDueExpression, jobDueNotifyPending, wakeLocalLane } from './wake.ts'

/** A sandbox step carries the task version it was queued for; another version means do nothing. */
export interface SandboxStepPayload {
  taskId: string
  version: string
}

/**
 * Every job kind and the payload it carries: `enqueueJob` accepts and each handler receives
 * exactly this shape (`JOB_HANDLERS` in handlers.ts is typed by it). A payload is stored as JSON,
 * so it holds strings and numbers only (bigints as decimal strings).
 */
export interface JobPayloads {
  'estimate.expire': { taskId: string; version: string }
  'task.deadline': { taskId: string }
  'review.auto_approve': { taskId: string; version: string }
  'earnings.release': { taskId: string; operatorId: string; amountMicros: string }
  'webhooks.fan_out': { eventId: string }
  'guardian.review': { taskId: string; version: string }
  'credentials.purge': { taskId: string }
  'payouts.send': { payoutId: string }
  'sandbox.accept': SandboxStepPayload
  'sandbox.start': SandboxStepPayload
  'sandbox.submit': SandboxStepPayload
  /** The body (it may hold a secret link) is encrypted under the master key while it waits. */
  'email.send': { id: string; to: string; subject: string; sealed: string }
  /** One watcher per deployment follows the deposit address; it carries nothing. */
  'chain.watch': Record<string, never>
  /** One pruner per deployment deletes finished work past its retention period (ADR 0025). */
  'retention.prune': Record<string, never>
  /** One per deployment keeps PostgreSQL's statistics fresh when autovacuum is off. */
  'retention.analyze': Record<string, never>
}

export type JobKind = keyof JobPayloads

export const JOB_KINDS = [
  'estimate.expire',
  'task.deadline',
  'review.auto_approve',
  'earnings.release',
  'webhooks.fan_out',
  'guardian.review',
  'credentials.purge',
  'payouts.send',
  'sandbox.accept',
  'sandbox.start',
  'sandbox.submit',
  'email.send',
  'chain.watch',
  'retention.prune',
  'retention.analyze',
] as const satisfies readonly JobKind[]

export interface JobInput<K extends JobKind> {
  kind: K
  payload: JobPayloads[K]
  runAt: Date
  now: Date
  maxAttempts?: number
}

/** A job as the `jobs` table stores it, queued. */
export type JobRow = {
  kind: JobKind
  payload: string
  run_at: string
  max_attempts: bigint
  created_at: string
  group_key: string | null
}

export function jobRow(job: JobInput<JobKind>): JobRow {
  return {
    kind: job.kind,
    payload: JSON.stringify(job.payload),
    run_at: iso(job.runAt),
    max_attempts: BigInt(job.maxAttempts ?? 10),
    created_at: iso(job.now),
    group_key: null,
  }
}

const jobValues = (p: JobRow) => ({
  kind: p.kind,
  payload: p.payload,
  run_at: p.run_at,
  status: 'queued' as const,
  attempts: 0n,
  max_attempts: p.max_attempts,
  created_at: p.created_at,
  group_key: p.group_key,
})
const insertJob = statement((db, p: JobRow) => db.insertInto('jobs').values(jobValues(p)))
/** PostgreSQL: the insert that also wakes the lane's workers at COMMIT, in the same round trip. */
const insertJobWaking = statement((db, p: JobRow & { lane: JobLane }) =>
  db.insertInto('jobs').values(jobValues(p)).returning(jobDueExpression(p.lane).as('woken')),
)

/**
 * Schedules a job inside the caller's transaction, so it exists only if the business change
 * commits. A job due now also wakes the workers of its lane: on PostgreSQL by NOTIFY (delivered
 * at COMMIT), on SQLite in this process (`wakeLocalLane`). With `held` (PostgreSQL) the row and
 * its wake-up wait for the holder's one statement.
 */
export async function enqueueJob<K extends JobKind>(
  tx: Tx,
  job: JobInput<K>,
  held: HeldInserts | null = null,
): Promise<void> {
  const lane = laneOf(job.kind)
  const due = job.runAt <= job.now
  if (held) {
    held.add('jobs', jobValues(jobRow(job)))
    if (due && jobDueNotifyPending(tx, lane)) held.notify(jobDueExpression(lane))
    return
  }
  if (due && jobDueNotifyPending(tx, lane)) await insertJobWaking.run(tx, { ...jobRow(job), lane })
  else await insertJob.run(tx, jobRow(job))
  if (due && tx.getExecutor().adapter instanceof SqliteAdapter) wakeLocalLane(lane)
}

/**
 * `enqueueJob` for many jobs in the caller's transaction. On PostgreSQL they go as one multi-row
 * insert per 500 (`HeldInserts`), with one wake-up per lane: for a fan-out's deliveries, a round
 * trip instead of one per delivery. SQLite runs each prepared insert in-process.
 */
export async function enqueueJobs(tx: Tx, jobs: readonly JobInput<JobKind>[]): Promise<void> {
  const held = HeldInserts.of(tx)
  for (const job of jobs) await enqueueJob(tx, job, held)
  await held?.flush()
}
