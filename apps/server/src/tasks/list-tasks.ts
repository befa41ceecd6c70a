import { sql } from 'kysely'
import type { Ctx } from '../context.ts'
import { checkOffset, decodeCursor, encodeCursor } from '../domain/cursor.ts'
import type { TaskStatus } from '../domain/lifecycle.ts'
import type { Store } from '../store/db.ts'
import { TASK_SUMMARY_COLUMNS, taskSummary } from './serialize.ts'
import { countedTasks } from './task-counts.ts'

export interface ListTasksInput {
  status?: TaskStatus
  task_type?: string
  limit: number
  offset: number
  cursor?: string
}

/**
 * The agent's tasks, newest first (`created_at`, then `id`, both descending), with the compat
 * pagination envelope plus `next_cursor`.
 *
 * Every filter has an index that starts with the agent and ends in the sort key
 * (`tasks_agent_list`, `tasks_agent_status_list`, `tasks_agent_type_list`, migration 0018), so the
 * first page and every `cursor` page are one index range read of `limit + 1` entries whatever
 * the agent's history. `offset` (compat) still works: it skips that many index entries first (a
 * cost that grows with the offset, not with the history), then reads the page's rows by id.
 * `total` is a sum of the agent's counters (`task_counts`), never a count of its tasks.
 */
export async function listTasks(ctx: Ctx, agentId: string, input: ListTasksInput) {
  const db = ctx.store.db
  checkOffset(input)
  const after = input.cursor === undefined ? null : decodeCursor(input.cursor, 2)
  const rows = await taskPageQuery(ctx.store, agentId, { ...input, after }).execute()
  const page = rows.slice(0, input.limit)
  const last = page.at(-1)
  const total = await countedTasks(db, [agentId], {
    status: input.status,
    task_types: input.task_type ? [input.task_type] : undefined,
  })
  return {
    data: page.map(taskSummary),
    pagination: {
      limit: input.limit,
      offset: input.offset,
      total,
      next_cursor: rows.length > input.limit && last ? encodeCursor([last.created_at, last.id]) : null,
    },
  }
}

/**
 * The query of one page (`limit + 1` rows, so the page knows whether another follows). Exported
 * so the plan test reads `EXPLAIN` of exactly what a request runs.
 *
 * On PostgreSQL the agent is matched with `= any(array)` and leads the sort key. With `=` the
 * planner drops the agent from the sort (it is a constant), and then an index that orders the
 * whole platform's open or finished tasks by time (`tasks_status_list` for a status filter)
 * serves the order too; with statistics it picked that one, expecting the agent's tasks among the
 * newest, and for an agent whose tasks are older than everyone else's it read all the newer ones
 * first (issue 17). With the agent in the sort key only the agent's own indexes give the order.
 */
export function taskPageQuery(
  store: Store,
  agentId: string,
  input: Omit<ListTasksInput, 'cursor'> & { after: string[] | null },
) {
  const db = store.db
  const pg = store.dialect === 'postgres'
  let q = pg
    ? db.selectFrom('tasks').where('agent_id', '=', sql<string>`any(${[agentId]}::text[])`)
    : db.selectFrom('tasks').where('agent_id', '=', agentId)
  if (input.status) q = q.where('status', '=', input.status)
  if (input.task_type) q = q.where('task_type', '=', input.task_type)
  const after = input.after
  if (after) q = q.where(sql<boolean>`(created_at, id) < (${after[0]}, ${after[1]})`)
  if (pg) q = q.orderBy('agent_id', 'desc')
  const ordered = q.orderBy('created_at', 'desc').orderBy('id', 'desc')
  const take = input.limit + 1
  // Only what a summary shows: a whole row's long texts (description, proof, metadata) cost
  // four times the read on SQLite, where they spill to overflow pages.
  if (input.offset === 0) return ordered.select(TASK_SUMMARY_COLUMNS).limit(take)
  // Deferred join: the offset is skipped in the index alone, only the page's rows are read.
  return db
    .selectFrom('tasks')
    .select(TASK_SUMMARY_COLUMNS)
    .where('id', 'in', ordered.select('id').limit(take).offset(input.offset))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
}
