import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { assertStatus } from '../domain/lifecycle.ts'
import { withTx } from '../store/tx.ts'
import { loadAgentTask, type TaskRow } from './load.ts'
import { transitionTask } from './transition.ts'

export async function approveEstimate(ctx: Ctx, agentId: string, taskId: string): Promise<TaskRow> {
  const now = ctx.clock.now()
  return withTx(ctx.store, async (tx) => {
    const task = await loadAgentTask(tx, agentId, taskId)
    assertStatus(task.status as never, ['ESTIMATE_PENDING'], 'approved')
    return transitionTask(tx, {
      task,
      to: 'ACCEPTED',
      actor: `agent:${agentId}`,
      reason: 'estimate approved',
      patch: { accepted_at: iso(now) },
      now,
    })
  })
}
