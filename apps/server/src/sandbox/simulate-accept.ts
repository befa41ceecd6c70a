import { randomInt } from 'node:crypto'
import { sql } from 'kysely'
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

/**
 * The simulated operator offers at most this many estimates per task: enough to try rejecting and
 * letting estimates expire, but a forgotten sandbox task does not cycle through an estimate (and
 * its webhooks) every hour until its deadline. After that it stays open until cancelled or expired.
 */
export const SANDBOX_MAX_ESTIMATES = 10

async function estimatesGiven(ctx: Ctx, taskId: string): Promise<number> {
  const r = await ctx.store.db
    .selectFrom('task_transitions')
    .select(sql<bigint>`count(*)`.as('n'))
    .where('task_id', '=', taskId)
    .where('to_status', '=', 'ESTIMATE_PENDING')
    .executeTakeFirstOrThrow()
  return Number(r.n)
}

/** Job `sandbox.accept`: the simulated operator takes an open sandbox task with a generated estimate. */
export async function simulateAccept(ctx: Ctx, payload: SandboxStepPayload): Promise<void> {
  const task = await dueTask(ctx, payload, 'PENDING')
  if (!task) return
  if ((await estimatesGiven(ctx, task.id)) >= SANDBOX_MAX_ESTIMATES) {
    ctx.log.info({ task: task.id }, 'sandbox: no more simulated estimates for this task')
    return
  }
  const estimate = sandboxEstimate(task, ctx.clock.now())
  await runStep(ctx, payload, () =>
    acceptTask(ctx, SANDBOX_OPERATOR_ID, task.id, estimate, { simulated: true }),
  )
}
