import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import { findTask, type TaskRow } from '../tasks/load.ts'
import { SANDBOX_OPERATOR_ID } from './operator.ts'
import type { SandboxStepPayload } from './schedule.ts'

/**
 * The task if the step it was queued for is still due: a sandbox task, at the version the step
 * carries, in `status`, and (once accepted) held by the simulated operator. Anything else means
 * the task moved on (cancelled, estimate rejected or expired, deadline passed): the step does nothing.
 */
export async function dueTask(
  ctx: Ctx,
  payload: SandboxStepPayload,
  status: string,
): Promise<TaskRow | null> {
  const task = await findTask(ctx.store.db, payload.taskId)
  if (task?.sandbox !== 1n || task.status !== status) return null
  if (task.version !== BigInt(payload.version)) return null
  if (status !== 'PENDING' && task.operator_id !== SANDBOX_OPERATOR_ID) return null
  return task
}

/**
 * Runs a step through the real verb. If the verb refuses because the task changed meanwhile (the
 * agent cancelled between our read and its transaction, or the deadline passed), the step is over
 * quietly; any other failure is thrown, so the job runner retries it with backoff.
 */
export async function runStep(
  ctx: Ctx,
  payload: SandboxStepPayload,
  fn: () => Promise<unknown>,
): Promise<void> {
  try {
    await fn()
  } catch (err) {
    if (!(err instanceof DomainError)) throw err
    const task = await findTask(ctx.store.db, payload.taskId)
    const movedOn = !task || task.version !== BigInt(payload.version)
    if (movedOn || err.code === 'GONE') {
      ctx.log.debug({ task: payload.taskId, code: err.code }, 'sandbox step skipped: the task moved on')
      return
    }
    throw err
  }
}
