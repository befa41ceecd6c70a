import { addMs } from '../clock.ts'
import type { Ctx } from '../context.ts'
import type { JobInput, SandboxStepPayload } from '../jobs/enqueue.ts'
import type { TaskRow } from '../tasks/load.ts'

type SandboxStepKind = 'sandbox.accept' | 'sandbox.start' | 'sandbox.submit'

/** The status a sandbox task waits in → what the simulated operator does next. */
const NEXT_STEP: Partial<Record<string, SandboxStepKind>> = {
  PENDING: 'sandbox.accept',
  ACCEPTED: 'sandbox.start',
  IN_PROGRESS: 'sandbox.submit',
}

export type { SandboxStepPayload }

/**
 * The simulated operator's next step for a sandbox task that has just reached `task`'s status,
 * due `HUMCLI_SANDBOX_STEP_MS` from now; null for real tasks and statuses where it does nothing.
 * The verbs that move a task into a status where the operator acts (create, approve, back to
 * PENDING, start) queue it in their transaction (`entryTimerJobs`), so the step exists only if
 * the change that makes it due commits.
 */
export function sandboxStepJob(ctx: Ctx, task: TaskRow, now: Date): JobInput<SandboxStepKind> | null {
  if (task.sandbox !== 1n) return null
  const kind = NEXT_STEP[task.status]
  if (!kind) return null
  const payload: SandboxStepPayload = { taskId: task.id, version: task.version.toString() }
  return { kind, payload, runAt: addMs(now, ctx.config.sandboxStepMs), now }
}
