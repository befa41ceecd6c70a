import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import type { Tx } from '../store/schema.ts'
import { lockRow } from '../store/tx.ts'
import type { TaskRow } from '../tasks/load.ts'

const DAY_MS = 24 * 3_600_000

/**
 * A dispute an admin resolved by paying the operator in full overturns the agent's rejection
 * (spec §7). A SPLIT does not count: the admin found the rejection partly right. Called in the
 * resolution's transaction; when the agent now has `overturnRestrictCount` overturns within
 * `overturnWindowMs` (and since an admin last lifted a restriction), the agent is RESTRICTED in
 * that same transaction. Returns whether this overturn restricted the agent.
 */
export async function recordOverturnedRejection(
  ctx: Ctx,
  tx: Tx,
  task: TaskRow,
  adminId: string,
  now: Date,
): Promise<boolean> {
  await tx
    .insertInto('overturned_rejections')
    .values({
      task_id: task.id,
      agent_id: task.agent_id,
      admin_id: adminId,
      outcome: 'PAY_OPERATOR',
      at: iso(now),
    })
    .execute()
  const threshold = ctx.config.overturnRestrictCount
  if (threshold === 0) return false
  // Two admins resolving two disputes of one agent at once must not both count one short.
  await lockRow(tx, ctx.store.dialect, 'agents', task.agent_id)
  const agent = await tx
    .selectFrom('agents')
    .select(['restricted_at', 'restriction_lifted_at'])
    .where('id', '=', task.agent_id)
    .executeTakeFirstOrThrow()
  if (agent.restricted_at) return false
  let q = tx
    .selectFrom('overturned_rejections')
    .select('task_id')
    .where('agent_id', '=', task.agent_id)
    .where('at', '>=', iso(addMs(now, -ctx.config.overturnWindowMs)))
  if (agent.restriction_lifted_at) q = q.where('at', '>', agent.restriction_lifted_at)
  const rows = await q.orderBy('at').execute()
  if (rows.length < threshold) return false
  const days = Math.round(ctx.config.overturnWindowMs / DAY_MS)
  await tx
    .updateTable('agents')
    .set({
      restricted_at: iso(now),
      restricted_reason:
        `${rows.length} of this agent's rejections were overturned by admins within ${days} days ` +
        `(tasks ${rows.map((r) => r.task_id).join(', ')}); an admin can lift the restriction`,
    })
    .where('id', '=', task.agent_id)
    .execute()
  return true
}
