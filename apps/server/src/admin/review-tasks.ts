import { sql } from 'kysely'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import { assertAction, type TaskStatus } from '../domain/lifecycle.ts'
import { microsToUsd, splitByPercent } from '../domain/money.ts'
import type { Tx } from '../store/schema.ts'
import { withTx } from '../store/tx.ts'
import { cancelWithRefund } from '../tasks/cancel-task.ts'
import { completeTask } from '../tasks/complete.ts'
import { loadAnyTask, type TaskRow } from '../tasks/load.ts'
import { taskSummary } from '../tasks/serialize.ts'
import { alreadyDecided } from './already-decided.ts'
import { recordAudit } from './audit.ts'
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

const REVIEW_ACTIONS = ['task.review.approve', 'task.review.reject']
const RESOLVE_ACTIONS = ['task.dispute.resolve']

/**
 * Runs a staff decision on a task. When it loses to another decision (the task is no longer in
 * the status it needs, or a racing transaction moved it first), the error names who decided and
 * when, from the audit log; nothing is applied twice.
 */
async function decideOnce<T>(ctx: Ctx, taskId: string, actions: string[], run: (tx: Tx) => Promise<T>) {
  try {
    return await withTx(ctx.store, run)
  } catch (err) {
    if (!(err instanceof DomainError) || err.code !== 'INVALID_STATE') throw err
    throw (await alreadyDecided(ctx.store.db, taskId, actions, `Task ${taskId}`)) ?? err
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
  return decideOnce(ctx, taskId, REVIEW_ACTIONS, async (tx) => {
    const task = await loadAnyTask(tx, taskId)
    assertAction(task.status as TaskStatus, input.decision === 'APPROVE' ? 'staffApprove' : 'staffReject')
    const done =
      input.decision === 'APPROVE'
        ? await completeTask(ctx, tx, task, { actor, reason: input.note ?? 'approved in manual review', now })
        : await cancelWithRefund(ctx, tx, task, actor, 'REJECTED_IN_REVIEW', now)
    await recordAudit(tx, {
      actor,
      action: `task.review.${input.decision.toLowerCase()}`,
      objectType: 'task',
      objectId: taskId,
      before: { status: task.status },
      after: { status: done.status },
      note: input.note ?? null,
      at: now,
    })
    return done
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
  return decideOnce(ctx, taskId, RESOLVE_ACTIONS, async (tx) => {
    const task = await loadAnyTask(tx, taskId)
    assertAction(task.status as TaskStatus, 'resolveDispute')
    if (input.outcome === 'REFUND_AGENT') {
      const done = await cancelWithRefund(ctx, tx, task, actor, 'DISPUTE_REFUNDED', now)
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
      await auditResolution(tx, task, done.status, resolution, 0n, now)
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
    await auditResolution(tx, task, done.status, resolution, operatorShare, now)
    return { task: done, resolution, agentRestricted }
  })
}

/** The audit line of a resolution: the money each side got, as the console showed it before confirming. */
function auditResolution(
  tx: Tx,
  task: TaskRow,
  status: string,
  resolution: { outcome: string; operator_percent: number; note: string; admin_id: string },
  operatorShare: bigint,
  now: Date,
) {
  return recordAudit(tx, {
    actor: `admin:${resolution.admin_id}`,
    action: 'task.dispute.resolve',
    objectType: 'task',
    objectId: task.id,
    before: { status: task.status, reward_usd: microsToUsd(task.reward_micros) },
    after: {
      status,
      outcome: resolution.outcome,
      operator_percent: resolution.operator_percent,
      operator_usd: microsToUsd(operatorShare),
      agent_usd: microsToUsd(task.reward_micros - operatorShare),
    },
    note: resolution.note,
    at: now,
  })
}
