import { addMs } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { enqueueJob, type SandboxStepPayload } from '../jobs/enqueue.ts'
import type { Tx } from '../store/schema.ts'
import type { TaskRow } from '../tasks/load.ts'

/** The status a sandbox task waits in → what the simulated operator does next. */
const NEXT_STEP: Partial<Record<string, 'sandbox.accept' | 'sandbox.start' | 'sandbox.submit'>> = {
  PENDING: 'sandbox.accept',
  ACCEPTED: 'sandbox.start',
  IN_PROGRESS: 'sandbox.submit',
}

export type { SandboxStepPayload }

/**
 * Queues the simulated operator's next step for a sandbox task that has just reached `task`'s
 * status, `HUMCLI_SANDBOX_STEP_MS` from now, in the caller's transaction: the step exists only if
 * the change that makes it due commits. Called by the verbs that move a task into a status where
 * the operator acts (create, approve, back to PENDING, start). Real tasks: nothing.
 */
export async function queueSandboxStep(ctx: Ctx, tx: Tx, task: TaskRow, now: Date): Promise<void> {
  if (task.sandbox !== 1n) return
  const kind = NEXT_STEP[task.status]
  if (!kind) return
  const payload: SandboxStepPayload = { taskId: task.id, version: task.version.toString() }
  await enqueueJob(tx, { kind, payload, runAt: addMs(now, ctx.config.sandboxStepMs), now })
}
