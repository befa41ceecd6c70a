import type { Ctx } from '../context.ts'
import { assertAction, type TaskStatus } from '../domain/lifecycle.ts'
import { withTx } from '../store/tx.ts'
import { completeTask } from './complete.ts'
import { loadAgentTask, type TaskRow } from './load.ts'
import { transitionTask } from './transition.ts'

export interface VerifyInput {
  decision: 'APPROVE' | 'REJECT'
  reason?: string
}

/** The agent's verdict on submitted proof: APPROVE releases the escrow, REJECT opens a dispute. */
export async function verifyTask(
  ctx: Ctx,
  agentId: string,
  taskId: string,
  input: VerifyInput,
): Promise<TaskRow> {
  const now = ctx.clock.now()
  return withTx(ctx.store, async (tx) => {
    const task = await loadAgentTask(tx, agentId, taskId)
    assertAction(task.status as TaskStatus, 'verify')
    const actor = `agent:${agentId}`
    const reason = input.reason?.trim() || null
    if (input.decision === 'APPROVE') {
      return completeTask(ctx, tx, task, {
        actor,
        reason: reason ?? 'approved by agent',
        verifyReason: reason,
        now,
      })
    }
    return transitionTask(ctx, tx, {
      task,
      to: 'DISPUTED',
      actor,
      reason: reason ?? 'rejected by agent',
      patch: { verify_reason: reason },
      now,
    })
  })
}

/** Timer: a MANUAL_REVIEW nobody decided within the review period is approved. */
export async function autoApproveReview(
  ctx: Ctx,
  payload: { taskId: string; version: string },
): Promise<void> {
  const now = ctx.clock.now()
  await withTx(ctx.store, async (tx) => {
    const task = await tx.selectFrom('tasks').selectAll().where('id', '=', payload.taskId).executeTakeFirst()
    if (task?.status !== 'MANUAL_REVIEW' || task.version !== BigInt(payload.version)) return
    await completeTask(ctx, tx, task, {
      actor: 'system',
      reason: 'manual review not decided in time: auto-approved',
      now,
    })
  })
}
