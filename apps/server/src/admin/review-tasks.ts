import { sql } from 'kysely'
import type { Ctx } from '../context.ts'
import { DomainError, notFound } from '../domain/errors.ts'
import { assertStatus, type TaskStatus } from '../domain/lifecycle.ts'
import { splitByPercent } from '../domain/money.ts'
import { withTx } from '../store/tx.ts'
import { cancelWithRefund } from '../tasks/cancel-task.ts'
import { completeTask } from '../tasks/complete.ts'
import { findTask, loadAnyTask } from '../tasks/load.ts'
import { buildTaskView, taskSummary } from '../tasks/serialize.ts'
import { recordOverturnedRejection } from './overturned-rejections.ts'

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
      resolution: t.resolution === null ? null : JSON.parse(t.resolution),
      updated_at: t.updated_at,
    })),
    pagination: { limit: input.limit, offset: input.offset, total: Number(total.n) },
  }
}

/**
 * Staff decide a MANUAL_REVIEW: approve pays the operator; reject refunds the agent in full.
 * Staff may also approve a SUBMITTED task before the Guardian has decided (spec §7: "agent or
 * admin approves"); the Guardian's review then finds the task decided and does nothing.
 */
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
    const from: TaskStatus[] =
      input.decision === 'APPROVE' ? ['SUBMITTED', 'MANUAL_REVIEW'] : ['MANUAL_REVIEW']
    assertStatus(task.status as TaskStatus, from, input.decision === 'APPROVE' ? 'approved' : 'rejected')
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

/**
 * Ends a dispute: pay the operator, refund the agent, or split the reward; the fee goes to the
 * platform when anyone is paid. The resolution (outcome, percentage, note, admin, time) is kept on
 * the task. Paying the operator overturns the agent's rejection, which may restrict the agent
 * (`recordOverturnedRejection`) in the same transaction.
 */
export async function resolveDispute(ctx: Ctx, adminId: string, taskId: string, input: ResolveInput) {
  const now = ctx.clock.now()
  const actor = `admin:${adminId}`
  return withTx(ctx.store, async (tx) => {
    const task = await loadAnyTask(tx, taskId)
    assertStatus(task.status as TaskStatus, ['DISPUTED'], 'resolved')
    if (input.outcome === 'REFUND_AGENT') {
      const done = await cancelWithRefund(tx, task, actor, 'DISPUTE_REFUNDED', now)
      const resolution = {
        outcome: input.outcome,
        operator_percent: 0,
        note: input.note,
        admin_id: adminId,
        at: now.toISOString(),
        overturned_rejection: false,
      }
      await tx
        .updateTable('tasks')
        .set({ resolution: JSON.stringify(resolution) })
        .where('id', '=', taskId)
        .execute()
      return { task: done, resolution, agentRestricted: false }
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
    const overturned = input.outcome === 'PAY_OPERATOR'
    const resolution = {
      outcome: input.outcome,
      operator_percent: percent,
      note: input.note,
      admin_id: adminId,
      at: now.toISOString(),
      overturned_rejection: overturned,
    }
    const done = await completeTask(ctx, tx, task, {
      actor,
      reason: `dispute resolved: ${input.outcome}`,
      operatorShare,
      resolution: JSON.stringify(resolution),
      now,
    })
    const agentRestricted = overturned && (await recordOverturnedRejection(ctx, tx, task, adminId, now))
    return { task: done, resolution, agentRestricted }
  })
}

/** `GET /admin/tasks/{id}`: any task, as its agent sees it, plus whose it is. */
export async function adminGetTask(ctx: Ctx, taskId: string) {
  const task = await findTask(ctx.store.db, taskId)
  if (!task) throw notFound('Task')
  return { ...(await buildTaskView(ctx.store.db, task)), agent_id: task.agent_id }
}
