import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { assertStatus, type TaskStatus } from '../domain/lifecycle.ts'
import { queueSandboxStep } from '../sandbox/schedule.ts'
import { withTx } from '../store/tx.ts'
import { loadOperatorTask } from '../tasks/load.ts'
import { transitionTask } from '../tasks/transition.ts'

export async function startTask(ctx: Ctx, operatorId: string, taskId: string) {
  const now = ctx.clock.now()
  return withTx(ctx.store, async (tx) => {
    const task = await loadOperatorTask(tx, operatorId, taskId)
    assertStatus(task.status as TaskStatus, ['ACCEPTED'], 'started')
    const started = await transitionTask(tx, {
      task,
      to: 'IN_PROGRESS',
      actor: `operator:${operatorId}`,
      reason: 'work started',
      patch: { started_at: iso(now) },
      now,
    })
    await queueSandboxStep(ctx, tx, started, now)
    return started
  })
}
