import { sql } from 'kysely'
import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { microsToUsd } from '../domain/money.ts'
import { accounts } from '../ledger/accounts.ts'
import { balancesOf, post } from '../ledger/post.ts'
import { lockRow, withTx } from '../store/tx.ts'

export async function operatorEarnings(ctx: Ctx, operatorId: string) {
  const db = ctx.store.db
  const pending = accounts.operatorPending(operatorId)
  const available = accounts.operatorAvailable(operatorId)
  const balances = await balancesOf(db, [pending, available])
  const earned = await db
    .selectFrom('ledger_entries')
    .select(sql<bigint>`cast(coalesce(sum(amount_micros), 0) as bigint)`.as('total'))
    .where('account_id', '=', pending)
    .where('amount_micros', '>', 0n)
    .executeTakeFirstOrThrow()
  const recent = await db
    .selectFrom('tasks')
    .select(['id', 'title', 'reward_micros', 'status', 'completed_at'])
    .where('operator_id', '=', operatorId)
    .where('status', '=', 'COMPLETED')
    .orderBy('completed_at', 'desc')
    .limit(20)
    .execute()
  return {
    pending_balance: microsToUsd(balances.get(pending)!),
    available_balance: microsToUsd(balances.get(available)!),
    total_earned: microsToUsd(BigInt(earned.total)),
    currency: 'USD',
    recent_tasks: recent.map((t) => ({
      task_id: t.id,
      title: t.title,
      reward_usd: microsToUsd(t.reward_micros),
      status: t.status,
      completed_at: t.completed_at,
      // When the holding period ends and the reward moves from pending to available.
      available_at: t.completed_at ? iso(addMs(new Date(t.completed_at), ctx.config.earningsHoldMs)) : null,
    })),
  }
}

/** Timer: the holding period of one task's earnings is over; move them from pending to available once. */
export async function releaseEarnings(
  ctx: Ctx,
  payload: { taskId: string; operatorId: string; amountMicros: string },
) {
  const now = ctx.clock.now()
  await withTx(ctx.store, async (tx) => {
    // Two runs of this job at once must not both see "not released yet": the task row lock
    // makes the second wait for the first to commit, and then see its release.
    await lockRow(tx, ctx.store.dialect, 'tasks', payload.taskId)
    const done = await tx
      .selectFrom('ledger_transactions')
      .select('id')
      .where('kind', '=', 'earnings.release')
      .where('task_id', '=', payload.taskId)
      .executeTakeFirst()
    if (done) return
    const amount = BigInt(payload.amountMicros)
    await post(tx, {
      kind: 'earnings.release',
      taskId: payload.taskId,
      at: now,
      entries: [
        { account: accounts.operatorPending(payload.operatorId), amount: -amount },
        { account: accounts.operatorAvailable(payload.operatorId), amount },
      ],
    })
  })
}
