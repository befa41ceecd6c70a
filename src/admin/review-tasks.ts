import { sql } from 'kysely'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import { assertStatus, type TaskStatus } from '../domain/lifecycle.ts'
import { splitByPercent } from '../domain/money.ts'
import { withTx } from '../store/tx.ts'
import { cancelWithRefund } from '../tasks/cancel-task.ts'
import { completeTask } from '../tasks/complete.ts'
import { loadAnyTask } from '../tasks/load.ts'
import { taskSummary } from '../tasks/serialize.ts'

export async function listTasksForReview(
  ctx: Ctx,
  input: { status: 'MANUAL_REVIEW' | 'DISPUTED'; limit: number; offset: number },
) {
  const q = ctx.store.db.selectFrom('tasks').where('status', '=', input.status)
  const total = await q.select(sql<bigint>`count(*)`.as('n')).executeTakeFirstOrThrow()
  const rows = await q.selectAll().orderBy('updated_at').limit(input.limit).offset(input.offset).execute()
  return {
    data: rows.map((t) => ({
      ...taskSummary(t),
      agent_id: t.agent_id,
      verify_reason: t.verify_reason,
      updated_at: t.updated_at,
    })),
    pagination: { limit: input.limit, offset: input.offset, total: Number(total.n) },
  }
}

/** Staff decide a MANUAL_REVIEW: approve pays the operator; reject refunds the agent in full. */
export async function decideManualReview(
  ctx: Ctx,
  adminId: string,
  taskId: string,
  input: { decision: 'APPROVE' | 'REJECT'; note?: string },
) {
  const now = ctx.clock.now()
  const actor = `admin:${adminId}`
  return withTx(ctx.store, async (tx) => {
    const task = await loadAnyTask(tx, taskId)
    assertStatus(task.status as TaskStatus, ['MANUAL_REVIEW'], 'reviewed')
    if (input.decision === 'APPROVE') {
      return completeTask(ctx, tx, task, { actor, reason: input.note ?? 'approved in manual review', now })
    }
    return cancelWithRefund(tx, task, actor, 'REJECTED_IN_REVIEW', now)
  })
}

export interface ResolveInput {
  outcome: 'PAY_OPERATOR' | 'REFUND_AGENT' | 'SPLIT'
  operator_percent?: number
  note: string
}

/** Ends a dispute: pay the operator, refund the agent, or split the reward; the fee goes to the platform when anyone is paid. */
export async function resolveDispute(ctx: Ctx, adminId: string, taskId: string, input: ResolveInput) {
  const now = ctx.clock.now()
  const actor = `admin:${adminId}`
  return withTx(ctx.store, async (tx) => {
    const task = await loadAnyTask(tx, taskId)
    assertStatus(task.status as TaskStatus, ['DISPUTED'], 'resolved')
    if (input.outcome === 'REFUND_AGENT') {
      const done = await cancelWithRefund(tx, task, actor, 'DISPUTE_REFUNDED', now)
      await tx
        .updateTable('tasks')
        .set({
          resolution: JSON.stringify({
            outcome: input.outcome,
            note: input.note,
            admin_id: adminId,
            at: now.toISOString(),
          }),
        })
        .where('id', '=', taskId)
        .execute()
      return { ...done, resolution: input.outcome }
    }
    let percent = 100
    if (input.outcome === 'SPLIT') {
      if (
        input.operator_percent === undefined ||
        input.operator_percent <= 0 ||
        input.operator_percent >= 100
      ) {
        throw new DomainError(
          'VALIDATION_FAILED',
          'A SPLIT needs `operator_percent` strictly between 0 and 100 (use PAY_OPERATOR or REFUND_AGENT otherwise).',
          [{ path: 'operator_percent', message: 'between 0 and 100 exclusive' }],
        )
      }
      percent = input.operator_percent
    }
    const [operatorShare] = splitByPercent(task.reward_micros, percent)
    const resolution = JSON.stringify({
      outcome: input.outcome,
      operator_percent: percent,
      note: input.note,
      admin_id: adminId,
      at: now.toISOString(),
    })
    return completeTask(ctx, tx, task, {
      actor,
      reason: `dispute resolved: ${input.outcome}`,
      operatorShare,
      resolution,
      now,
    })
  })
}
