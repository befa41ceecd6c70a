import type { Ctx } from '../context.ts'
import type { Tx } from '../store/schema.ts'
import type { TaskRow } from './load.ts'
import { transitionTask } from './transition.ts'

/**
 * Back to PENDING with no operator: estimate rejected or expired, or the operator released it.
 * A sandbox task is then open to the simulated operator again, as it would be to a new operator.
 */
export async function returnToPending(ctx: Ctx, tx: Tx, task: TaskRow, actor: string, reason: string) {
  const now = ctx.clock.now()
  const pending = await transitionTask(ctx, tx, {
    task,
    to: 'PENDING',
    actor,
    reason,
    patch: { operator_id: null, estimate: null, accepted_at: null, started_at: null },
    now,
  })
  return pending
}
