import { agentMe } from '../agents/balance.ts'
import type { Ctx } from '../context.ts'
import { microsToUsd } from '../domain/money.ts'
import { operatorEarnings } from '../operators/earnings.ts'
import { operatorMe } from '../operators/me.ts'
import { taskSummary } from '../tasks/serialize.ts'

const recentTasks = async (ctx: Ctx, column: 'agent_id' | 'operator_id', id: string) =>
  (
    await ctx.store.db
      .selectFrom('tasks')
      .selectAll()
      .where(column, '=', id)
      .orderBy('created_at', 'desc')
      .limit(20)
      .execute()
  ).map((t) => ({ ...taskSummary(t), escrow_usd: microsToUsd(t.escrow_micros) }))

/** `GET /admin/agents/{id}`: tier, limits and usage, balances, restriction with its reason, recent tasks. */
export async function lookupAgent(ctx: Ctx, agentId: string) {
  return { ...(await agentMe(ctx, agentId)), recent_tasks: await recentTasks(ctx, 'agent_id', agentId) }
}

/** `GET /admin/operators/{id}`: profile with KYC and rating, earnings, recent tasks. */
export async function lookupOperator(ctx: Ctx, operatorId: string) {
  return {
    ...(await operatorMe(ctx, operatorId)),
    earnings: await operatorEarnings(ctx, operatorId),
    recent_tasks: await recentTasks(ctx, 'operator_id', operatorId),
  }
}
