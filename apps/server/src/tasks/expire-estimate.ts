import type { Ctx } from '../context.ts'
import { lockRow, withTx } from '../store/tx.ts'
import { findTask } from './load.ts'
import { returnToPending } from './unassign.ts'

/** Timer: an estimate the agent did not answer in time. Does nothing if the task moved on since. */
export async function expireEstimate(ctx: Ctx, payload: { taskId: string; version: string }): Promise<void> {
  await withTx(ctx.store, async (tx) => {
    // Timers of one task may run at once (estimate expiry and deadline): the row lock makes the
    // second read what the first committed instead of losing its compare-and-set.
    await lockRow(tx, ctx.store.dialect, 'tasks', payload.taskId)
    const task = await findTask(tx, payload.taskId)
    if (task?.status !== 'ESTIMATE_PENDING' || task.version !== BigInt(payload.version)) return
    await returnToPending(ctx, tx, task, 'system', 'estimate expired')
  })
}
