import { iso } from '../clock.ts'
import type { Tx } from '../store/schema.ts'

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

export interface JobInput {
  kind: JobKind
  payload: Record<string, unknown>
  runAt: Date
  now: Date
  maxAttempts?: number
}

/** Schedules a job inside the caller's transaction, so it exists only if the business change commits. */
export async function enqueueJob(tx: Tx, job: JobInput): Promise<void> {
  await tx
    .insertInto('jobs')
    .values({
      kind: job.kind,
      payload: JSON.stringify(job.payload),
      run_at: iso(job.runAt),
      status: 'queued',
      attempts: 0n,
      max_attempts: BigInt(job.maxAttempts ?? 10),
      created_at: iso(job.now),
    })
    .execute()
}
