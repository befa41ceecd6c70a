import { sql } from 'kysely'
import type { Ctx } from '../context.ts'
import { taskSummary } from './serialize.ts'

export interface ListTasksInput {
  status?: string
  task_type?: string
  limit: number
  offset: number
}

/** The agent's tasks, newest first, with the compat pagination envelope. */
export async function listTasks(ctx: Ctx, agentId: string, input: ListTasksInput) {
  let q = ctx.store.db.selectFrom('tasks').where('agent_id', '=', agentId)
  if (input.status) q = q.where('status', '=', input.status)
  if (input.task_type) q = q.where('task_type', '=', input.task_type)
  const total = await q.select(sql<bigint>`count(*)`.as('n')).executeTakeFirstOrThrow()
  const rows = await q
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(input.limit)
    .offset(input.offset)
    .execute()
  return {
    data: rows.map(taskSummary),
    pagination: { limit: input.limit, offset: input.offset, total: Number(total.n) },
  }
}
