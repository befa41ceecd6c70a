import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { assertAction, type TaskStatus } from '../domain/lifecycle.ts'
import { withTx } from '../store/tx.ts'
import { loadOperatorTask } from '../tasks/load.ts'
import { transitionTask } from '../tasks/transition.ts'

export async function startTask(ctx: Ctx, operatorId: string, taskId: string) {
  const now = ctx.clock.now()
  return withTx(ctx.store, async (tx) => {
    const task = await loadOperatorTask(tx, operatorId, taskId)
    assertAction(task.status as TaskStatus, 'start')
    const started = await transitionTask(ctx, tx, {
      task,
      to: 'IN_PROGRESS',
      actor: `operator:${operatorId}`,
      reason: 'work started',
      patch: { started_at: iso(now) },
      now,
    })
    return started
  })
}
