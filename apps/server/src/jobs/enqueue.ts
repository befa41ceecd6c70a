import { iso } from '../clock.ts'
import type { Tx } from '../store/schema.ts'
import { statement } from '../store/statement.ts'

export type JobKind =
  | 'estimate.expire'
  | 'task.deadline'
  | 'review.auto_approve'
  | 'earnings.release'
  | 'webhooks.fan_out'
  | 'webhooks.deliver'
  | 'guardian.review'
  | 'credentials.purge'
  | 'payouts.send'
  | 'sandbox.accept'
  | 'sandbox.start'
  | 'sandbox.submit'
  | 'email.send'
  | 'chain.watch'

export interface JobInput {
  kind: JobKind
  payload: Record<string, unknown>
  runAt: Date
  now: Date
  maxAttempts?: number
}

const insertJob = statement(
  (db, p: { kind: JobKind; payload: string; run_at: string; max_attempts: bigint; created_at: string }) =>
    db.insertInto('jobs').values({
      kind: p.kind,
      payload: p.payload,
      run_at: p.run_at,
      status: 'queued',
      attempts: 0n,
      max_attempts: p.max_attempts,
      created_at: p.created_at,
    }),
)

/** Schedules a job inside the caller's transaction, so it exists only if the business change commits. */
export async function enqueueJob(tx: Tx, job: JobInput): Promise<void> {
  await insertJob.run(tx, {
    kind: job.kind,
    payload: JSON.stringify(job.payload),
    run_at: iso(job.runAt),
    max_attempts: BigInt(job.maxAttempts ?? 10),
    created_at: iso(job.now),
  })
}
