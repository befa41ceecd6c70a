import type { Ctx } from '../context.ts'
import { assertAction, type TaskStatus } from '../domain/lifecycle.ts'
import { withTx } from '../store/tx.ts'
import { loadAgentTask, type TaskRow } from './load.ts'
import { returnToPending } from './unassign.ts'

export async function rejectEstimate(
  ctx: Ctx,
  agentId: string,
  taskId: string,
  reason: string,
): Promise<TaskRow> {
  return withTx(ctx.store, async (tx) => {
    const task = await loadAgentTask(tx, agentId, taskId)
    assertAction(task.status as TaskStatus, 'rejectEstimate')
    return returnToPending(ctx, tx, task, `agent:${agentId}`, `estimate rejected: ${reason}`)
  })
}
