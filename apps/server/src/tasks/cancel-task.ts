import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { assertAction, DEADLINE_CANCELLABLE, type TaskStatus } from '../domain/lifecycle.ts'
import type { Tx } from '../store/schema.ts'
import { lockRow, withTx } from '../store/tx.ts'
import { findTask, loadAgentTask, type TaskRow } from './load.ts'
import { refundEscrow } from './settle.ts'
import { transitionTask } from './transition.ts'

/** Cancels with a full refund of the escrow, fee included. */
export function cancelWithRefund(
  ctx: Ctx,
  tx: Tx,
  task: TaskRow,
  actor: string,
  cancelReason: string,
  now: Date,
) {
  return transitionTask(ctx, tx, {
    task,
    to: 'CANCELLED',
    actor,
    reason: cancelReason,
    // A cancelled task's credential is never handed over: it is dropped in the same transaction.
    patch: { cancelled_at: iso(now), cancel_reason: cancelReason, credentials: null },
    ledger: task.escrow_micros > 0n ? refundEscrow(task) : undefined,
    now,
  })
}

export async function cancelTask(
  ctx: Ctx,
  agentId: string,
  taskId: string,
  reason?: string,
): Promise<TaskRow> {
  const now = ctx.clock.now()
  return withTx(ctx.store, async (tx) => {
    const task = await loadAgentTask(tx, agentId, taskId)
    assertAction(task.status as TaskStatus, 'cancel')
    return cancelWithRefund(ctx, tx, task, `agent:${agentId}`, reason?.trim() || 'CANCELLED_BY_AGENT', now)
  })
}

/** Timer: the deadline passed before the work was submitted. */
export async function expireDeadline(ctx: Ctx, payload: { taskId: string }): Promise<void> {
  const now = ctx.clock.now()
  await withTx(ctx.store, async (tx) => {
    // See expireEstimate: a timer racing another on the same task waits for it, then acts on what it left.
    await lockRow(tx, ctx.store.dialect, 'tasks', payload.taskId)
    const task = await findTask(tx, payload.taskId)
    if (!task || !DEADLINE_CANCELLABLE.includes(task.status as TaskStatus)) return
    if (new Date(task.deadline).getTime() > now.getTime()) return
    await cancelWithRefund(ctx, tx, task, 'system', 'DEADLINE_EXPIRED', now)
  })
}
