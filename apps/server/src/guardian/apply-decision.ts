import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { assertAction, type TaskStatus } from '../domain/lifecycle.ts'
import { recordEvent } from '../outbox/record-event.ts'
import { withTx } from '../store/tx.ts'
import { completeTask } from '../tasks/complete.ts'
import { loadAnyTask, type TaskRow } from '../tasks/load.ts'
import { transitionTask } from '../tasks/transition.ts'

export interface ReviewResult {
  decision: 'VERIFIED' | 'MANUAL_REVIEW' | 'RESUBMIT'
  confidence: number
  reasoning: string
  /** One entry per check (weight 0: shown for information, not counted). */
  checks: { name: string; score: number; reason: string; weight?: number }[]
}

/** After this many weak proofs a further weak one goes to people instead of back to the operator. */
const MAX_RESUBMITS = 2

/**
 * Applies a review of submitted proof exactly as the lifecycle table says: VERIFIED then
 * COMPLETED with the escrow released; MANUAL_REVIEW with its auto-approve timer; RESUBMIT back
 * to IN_PROGRESS on attempts 1 and 2, MANUAL_REVIEW after that. Records `task.guardian_reviewed` in
 * the same transaction.
 */
export async function applyReviewDecision(
  ctx: Ctx,
  taskId: string,
  review: ReviewResult,
  opts: { onlyAtVersion?: bigint } = {},
): Promise<TaskRow | null> {
  const now = ctx.clock.now()
  return withTx(ctx.store, async (tx) => {
    const task = await loadAnyTask(tx, taskId)
    // A review job carries the version it was queued for; if the task moved on, it has nothing to do.
    if (opts.onlyAtVersion !== undefined && task.version !== opts.onlyAtVersion) return null
    assertAction(task.status as TaskStatus, 'guardianReview')
    const patch = { guardian_result: JSON.stringify(review) }
    const actor = 'system:guardian'
    let after: TaskRow
    if (review.decision === 'VERIFIED') {
      const verified = await transitionTask(ctx, tx, {
        task,
        to: 'VERIFIED',
        actor,
        reason: review.reasoning,
        patch,
        now,
      })
      after = await completeTask(ctx, tx, verified, {
        actor,
        reason: 'escrow released after verification',
        now,
      })
    } else if (review.decision === 'RESUBMIT' && task.submit_attempts <= BigInt(MAX_RESUBMITS)) {
      after = await transitionTask(ctx, tx, {
        task,
        to: 'IN_PROGRESS',
        actor,
        reason: review.reasoning,
        patch,
        now,
      })
    } else {
      after = await transitionTask(ctx, tx, {
        task,
        to: 'MANUAL_REVIEW',
        actor,
        reason: review.reasoning,
        patch,
        now,
      })
    }
    await recordEvent(tx, {
      type: 'task.guardian_reviewed',
      agentId: task.agent_id,
      operatorId: task.operator_id,
      taskId,
      data: {
        event: 'task.guardian_reviewed',
        task_id: taskId,
        decision: review.decision,
        confidence: review.confidence,
        status: after.status,
        attempt: Number(task.submit_attempts),
        timestamp: iso(now),
      },
      at: now,
    })
    return after
  })
}
