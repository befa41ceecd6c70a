import { sql } from 'kysely'
import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { DomainError, invalid } from '../domain/errors.ts'
import { OPERATOR_ACTIVE_STATUSES, type TaskStatus, TERMINAL_STATUSES } from '../domain/lifecycle.ts'
import type { Tx } from '../store/schema.ts'
import { lockRow, withTx } from '../store/tx.ts'
import { findTask } from '../tasks/load.ts'
import { transitionTask } from '../tasks/transition.ts'
import { loadOperator } from './load.ts'

export interface AcceptInput {
  estimate_days?: number
  estimate_hours?: number
  estimate_minutes?: number
  estimate_note?: string
}

/** An operator may hold at most `HUMCLI_OPERATOR_MAX_ACTIVE_TASKS` unfinished tasks. */
async function checkActiveCap(ctx: Ctx, tx: Tx, operatorId: string): Promise<void> {
  const active = await tx
    .selectFrom('tasks')
    .select(sql<bigint>`count(*)`.as('n'))
    .where('operator_id', '=', operatorId)
    .where('status', 'in', OPERATOR_ACTIVE_STATUSES)
    .executeTakeFirstOrThrow()
  if (Number(active.n) >= ctx.config.operatorMaxActiveTasks) {
    throw new DomainError(
      'LIMIT_EXCEEDED',
      `You already hold ${active.n} unfinished tasks, the most allowed (${ctx.config.operatorMaxActiveTasks}); finish or release one first.`,
    )
  }
}

export interface AcceptOptions {
  /**
   * The sandbox simulator accepting as the simulated operator: only sandbox tasks are visible to it
   * (as only real tasks are to everyone else), and the cap on unfinished tasks does not apply.
   */
  simulated?: boolean
}

export async function acceptTask(
  ctx: Ctx,
  operatorId: string,
  taskId: string,
  input: AcceptInput,
  opts: AcceptOptions = {},
) {
  const simulated = opts.simulated === true
  const days = input.estimate_days ?? 0
  const hours = input.estimate_hours ?? 0
  const minutes = input.estimate_minutes ?? 0
  const total = days * 1440 + hours * 60 + minutes
  if (total <= 0) {
    throw invalid(
      'estimate_minutes',
      'Give an estimate greater than zero with `estimate_days`, `estimate_hours` and/or `estimate_minutes`.',
    )
  }
  const now = ctx.clock.now()
  return withTx(ctx.store, async (tx) => {
    // Serialises this operator's accepts so the cap on unfinished tasks holds under races. The
    // simulated operator has no cap, so sandbox accepts of many agents do not queue on its row.
    if (!simulated) await lockRow(tx, ctx.store.dialect, 'operators', operatorId)
    const op = await loadOperator(tx, operatorId)
    if (op.kyc_status !== 'APPROVED') {
      throw new DomainError(
        'KYC_REQUIRED',
        `Your identity check (KYC) is ${op.kyc_status}; tasks can be accepted once it is APPROVED.`,
      )
    }
    const task = await findTask(tx, taskId)
    if (!task || (task.sandbox === 1n) !== simulated) throw new DomainError('NOT_FOUND', 'Task not found.')
    if (new Date(task.deadline).getTime() <= now.getTime()) {
      throw new DomainError('GONE', 'The deadline of this task has passed; it can no longer be accepted.')
    }
    if (task.status !== 'PENDING') {
      const why =
        task.operator_id === operatorId
          ? 'you already hold it'
          : TERMINAL_STATUSES.includes(task.status as TaskStatus)
            ? 'it is finished'
            : 'another operator holds it'
      throw new DomainError('CONFLICT', `This task is no longer open (status ${task.status}): ${why}.`)
    }
    const skills = JSON.parse(op.skills) as string[]
    if (skills.length > 0 && !skills.includes(task.task_type)) {
      throw new DomainError(
        'FORBIDDEN',
        `Your skills do not include ${task.task_type}; update your profile to accept such tasks.`,
      )
    }
    if (!simulated) await checkActiveCap(ctx, tx, operatorId)
    const expiresAt = addMs(now, ctx.config.estimateTtlMs)
    const estimate = {
      estimate_days: days,
      estimate_hours: hours,
      estimate_minutes: minutes,
      total_minutes: total,
      note: input.estimate_note ?? null,
      submitted_at: iso(now),
      expires_at: iso(expiresAt),
    }
    await transitionTask(ctx, tx, {
      task,
      to: 'ESTIMATE_PENDING',
      actor: `operator:${operatorId}`,
      reason: 'accepted with an estimate',
      patch: { operator_id: operatorId, estimate: JSON.stringify(estimate) },
      events: [
        {
          type: 'task.estimate_submitted',
          agentId: task.agent_id,
          operatorId,
          taskId,
          data: { event: 'task.estimate_submitted', task_id: taskId, estimate, timestamp: iso(now) },
          at: now,
        },
      ],
      now,
    })
    return { task_id: taskId, status: 'ESTIMATE_PENDING' as const, estimate_expires_at: iso(expiresAt) }
  })
}
