import { EventEmitter } from 'node:events'
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

/**
 * SQLite: the workers are in the enqueueing process, so a due job wakes its lane in-process. The
 * signal may come before the COMMIT: the lane's claim waits for the one connection, so it runs
 * after it (after a rollback it finds nothing, which costs one claim).
 */
const local = new EventEmitter().setMaxListeners(0)
export const wakeLocalLane = (lane: JobLane) => local.emit('due', lane)

/**
 * Wakes a lane when a job of it is enqueued: anywhere (PostgreSQL NOTIFY), or in this process
 * (SQLite; another process's jobs are found by polling). Returns a function that stops.
 */
export async function listenForJobs(ctx: Ctx, onLane: (lane: JobLane) => void): Promise<() => Promise<void>> {
  if (ctx.store.dialect !== 'postgres') {
    local.on('due', onLane)
    return async () => {
      local.off('due', onLane)
    }
  }
  return listen(ctx.config, JOBS_CHANNEL, (m) => onLane(m as JobLane), ctx.log)
}
