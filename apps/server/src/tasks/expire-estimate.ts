import type { Ctx } from '../context.ts'
import { withTx } from '../store/tx.ts'
import { findTask } from './load.ts'
import { returnToPending } from './unassign.ts'

/** Timer: an estimate the agent did not answer in time. Does nothing if the task moved on since. */
export async function expireEstimate(ctx: Ctx, payload: { taskId: string; version: string }): Promise<void> {
  await withTx(ctx.store, async (tx) => {
    const task = await findTask(tx, payload.taskId)
    if (task?.status !== 'ESTIMATE_PENDING' || task.version !== BigInt(payload.version)) return
    await returnToPending(ctx, tx, task, 'system', 'estimate expired')
  })
}
