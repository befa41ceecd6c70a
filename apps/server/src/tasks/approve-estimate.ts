import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { assertAction, type TaskStatus } from '../domain/lifecycle.ts'
import { loadOperator, operatorRating } from '../operators/load.ts'
import { withTx } from '../store/tx.ts'
import { loadAgentTask } from './load.ts'
import { transitionTask } from './transition.ts'

/** The agent accepts the operator's estimate: ESTIMATE_PENDING → ACCEPTED. Returns the compat reply. */
export async function approveEstimate(ctx: Ctx, agentId: string, taskId: string) {
  const now = ctx.clock.now()
  return withTx(ctx.store, async (tx) => {
    const task = await loadAgentTask(tx, agentId, taskId)
    assertAction(task.status as TaskStatus, 'approveEstimate')
    const t = await transitionTask(ctx, tx, {
      task,
      to: 'ACCEPTED',
      actor: `agent:${agentId}`,
      reason: 'estimate approved',
      patch: { accepted_at: iso(now) },
      now,
    })
    const op = await loadOperator(tx, t.operator_id!)
    const estimate = JSON.parse(t.estimate ?? '{}') as { total_minutes?: number }
    return {
      task_id: t.id,
      status: t.status,
      accepted_at: t.accepted_at,
      operator: { name: op.name, rating: await operatorRating(tx, op.id) },
      estimate_minutes: estimate.total_minutes ?? null,
    }
  })
}
