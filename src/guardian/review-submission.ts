import type { Ctx } from '../context.ts'
import { applyReviewDecision, type ReviewResult } from './apply-decision.ts'

export const SANDBOX_REVIEW: ReviewResult = {
  decision: 'VERIFIED',
  confidence: 100,
  reasoning: 'Sandbox task: auto-approved with synthetic proof; no money moved.',
  checks: [],
}

/**
 * Job `guardian.review`, queued in the same transaction as a proof submission. Runs once per
 * submission: it does nothing when the task has moved on since (the job carries the version).
 * Sandbox tasks auto-approve, as the sandbox documentation says. Other tasks wait for the
 * agent's verdict until the rules reviewer (issue 4) decides them here.
 */
export async function reviewSubmission(
  ctx: Ctx,
  payload: { taskId: string; version: string },
): Promise<void> {
  const task = await ctx.store.db
    .selectFrom('tasks')
    .select(['status', 'version', 'sandbox'])
    .where('id', '=', payload.taskId)
    .executeTakeFirst()
  if (task?.status !== 'SUBMITTED' || task.version !== BigInt(payload.version)) return
  if (task.sandbox !== 1n) return
  await applyReviewDecision(ctx, payload.taskId, SANDBOX_REVIEW, { onlyAtVersion: task.version })
}
