import type { Ctx } from '../context.ts'
import { submitProof } from '../proof/submit-proof.ts'
import { SANDBOX_OPERATOR_ID } from './operator.ts'
import type { SandboxStepPayload } from './schedule.ts'
import { dueTask, runStep } from './step-guard.ts'
import { syntheticProof } from './synthetic-proof.ts'

/**
 * Job `sandbox.submit`: the simulated operator submits synthetic proof through the real
 * `submitProof`, which queues the review (sandbox tasks auto-approve, then complete).
 */
export async function simulateSubmit(ctx: Ctx, payload: SandboxStepPayload): Promise<void> {
  const task = await dueTask(ctx, payload, 'IN_PROGRESS')
  if (!task) return
  const proof = await syntheticProof(ctx.config, task, ctx.clock.now())
  await runStep(ctx, payload, () => submitProof(ctx, SANDBOX_OPERATOR_ID, task.id, proof))
}
