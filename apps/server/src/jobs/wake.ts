import type { JobLane } from '../config-jobs.ts'
import type { Ctx } from '../context.ts'
import { listen, notifyExpression, notifyPending } from '../store/notify.ts'
import type { Tx } from '../store/schema.ts'

/** The channel due jobs are announced on; `humcli_create_task` sends on it too. */
export const JOBS_CHANNEL = 'humcli_jobs'

/**
 * In the enqueueing transaction: whether the workers of `lane` still have to be woken when it
 * commits (PostgreSQL; see `notifyPending`). The enqueueing statement then sends it itself.
 */
export const jobDueNotifyPending = (tx: Tx, lane: JobLane) => notifyPending(tx, JOBS_CHANNEL, lane)

/** The wake-up of `lane` as an expression (`notifyExpression`); `lane` may be a statement's placeholder. */
export const jobDueExpression = (lane: unknown) => notifyExpression(JOBS_CHANNEL, lane)

/** Wakes a lane when a job of it is enqueued anywhere (PostgreSQL only); returns a function that stops. */
export async function listenForJobs(ctx: Ctx, onLane: (lane: JobLane) => void): Promise<() => Promise<void>> {
  if (ctx.store.dialect !== 'postgres') return async () => {}
  return listen(ctx.config, JOBS_CHANNEL, (m) => onLane(m as JobLane), ctx.log)
}
