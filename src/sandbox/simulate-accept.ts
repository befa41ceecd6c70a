import { randomInt } from 'node:crypto'
import type { Ctx } from '../context.ts'
import { acceptTask } from '../operators/accept-task.ts'
import type { TaskRow } from '../tasks/load.ts'
import { SANDBOX_OPERATOR_ID } from './operator.ts'
import type { SandboxStepPayload } from './schedule.ts'
import { dueTask, runStep } from './step-guard.ts'

/** Plausible working times by domain, in minutes: [shortest, longest]. */
const ESTIMATE_RANGE: Record<string, [number, number]> = {
  PHYSICAL: [30, 180],
  DIGITAL: [10, 60],
  CREDENTIAL: [15, 90],
}

/** A plausible estimate in 5-minute steps, never longer than half the time left before the deadline. */
export function sandboxEstimate(task: TaskRow, now: Date) {
  const [lo, hi] = ESTIMATE_RANGE[task.domain] ?? [15, 60]
  const left = Math.floor((new Date(task.deadline).getTime() - now.getTime()) / 120_000)
  const total = Math.max(1, Math.min(5 * Math.round(randomInt(lo, hi + 1) / 5), left))
  const hours = Math.floor(total / 60)
  const minutes = total % 60
  return {
    estimate_hours: hours,
    estimate_minutes: minutes,
    estimate_note: `Simulated operator (sandbox): I can do "${task.title.slice(0, 80)}" in about ${hours ? `${hours} h ` : ''}${minutes} min.`,
  }
}

/** Job `sandbox.accept`: the simulated operator takes an open sandbox task with a generated estimate. */
export async function simulateAccept(ctx: Ctx, payload: SandboxStepPayload): Promise<void> {
  const task = await dueTask(ctx, payload, 'PENDING')
  if (!task) return
  const estimate = sandboxEstimate(task, ctx.clock.now())
  await runStep(ctx, payload, () =>
    acceptTask(ctx, SANDBOX_OPERATOR_ID, task.id, estimate, { simulated: true }),
  )
}
