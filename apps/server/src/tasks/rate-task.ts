import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import { assertAction, type TaskStatus } from '../domain/lifecycle.ts'
import { isUniqueViolation, withTx } from '../store/tx.ts'
import { loadAgentTask } from './load.ts'

export async function rateTask(
  ctx: Ctx,
  agentId: string,
  taskId: string,
  input: { score: number; comment?: string },
): Promise<{ task_id: string; score: number; comment: string | null; created_at: string }> {
  const now = iso(ctx.clock.now())
  try {
    return await withTx(ctx.store, async (tx) => {
      const task = await loadAgentTask(tx, agentId, taskId)
      assertAction(task.status as TaskStatus, 'rate')
      if (!task.operator_id)
        throw new DomainError('INVALID_STATE', 'This task was completed without an operator to rate.')
      await tx
        .insertInto('task_ratings')
        .values({
          task_id: task.id,
          agent_id: agentId,
          operator_id: task.operator_id,
          score: BigInt(input.score),
          comment: input.comment ?? null,
          created_at: now,
        })
        .execute()
      return { task_id: task.id, score: input.score, comment: input.comment ?? null, created_at: now }
    })
  } catch (err) {
    if (isUniqueViolation(err))
      throw new DomainError('CONFLICT', 'This task has already been rated; a rating is given once.')
    throw err
  }
}
