import type { Ctx } from '../context.ts'
import type { Tx } from '../store/schema.ts'
import type { TaskRow } from './load.ts'
import { transitionTask } from './transition.ts'

/** Back to PENDING with no operator: estimate rejected or expired, or the operator released it. */
export function returnToPending(ctx: Ctx, tx: Tx, task: TaskRow, actor: string, reason: string) {
  return transitionTask(tx, {
    task,
    to: 'PENDING',
    actor,
    reason,
    patch: { operator_id: null, estimate: null, accepted_at: null, started_at: null },
    now: ctx.clock.now(),
  })
}
