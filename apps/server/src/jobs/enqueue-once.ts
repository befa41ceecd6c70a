import type { Tx } from '../store/schema.ts'
import { enqueueJob, type JobInput, type JobKind } from './enqueue.ts'

/**
 * For the kinds that run as one self-rescheduling chain per deployment (`chain.watch`,
 * `retention.prune`): queues the job unless one of its kind is already in one of `pending`.
 * At start-up that is queued or running (a restart adds no second chain); a run queuing its
 * successor passes only `queued`, since it is itself running. Returns whether it queued.
 */
export async function enqueueOnce<K extends JobKind>(
  tx: Tx,
  job: JobInput<K>,
  pending: readonly ('queued' | 'running')[] = ['queued', 'running'],
): Promise<boolean> {
  const waiting = await tx
    .selectFrom('jobs')
    .select('id')
    .where('kind', '=', job.kind)
    .where('status', 'in', pending)
    .limit(1)
    .executeTakeFirst()
  if (waiting) return false
  await enqueueJob(tx, job)
  return true
}
