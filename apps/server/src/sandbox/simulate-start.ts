import type { Ctx } from '../context.ts'
import { startTask } from '../operators/start-task.ts'
import { SANDBOX_OPERATOR_ID } from './operator.ts'
import type { SandboxStepPayload } from './schedule.ts'
import { dueTask, runStep } from './step-guard.ts'

/** Job `sandbox.start`: the agent approved the estimate; the simulated operator starts (its submit step follows). */
export async function simulateStart(ctx: Ctx, payload: SandboxStepPayload): Promise<void> {
  const task = await dueTask(ctx, payload, 'ACCEPTED')
  if (!task) return
  await runStep(ctx, payload, () => startTask(ctx, SANDBOX_OPERATOR_ID, task.id))
}
