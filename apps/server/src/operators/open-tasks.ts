import type { Kysely } from 'kysely'
import { iso } from '../clock.ts'
import type { Database } from '../store/schema.ts'

/** What an operator may browse: open, not sandbox, deadline ahead, of their skills. */
export function openTasks(db: Kysely<Database>, now: Date, skills: string[], taskType?: string) {
  let q = db
    .selectFrom('tasks')
    .where('status', '=', 'PENDING')
    .where('sandbox', '=', 0n)
    .where('deadline', '>', iso(now))
  if (skills.length > 0) q = q.where('task_type', 'in', skills)
  if (taskType) q = q.where('task_type', '=', taskType)
  return q
}

/** The browse answer: a page, its `total`, the next cursor and how far `total` holds. */
export function browsePage<T>(
  data: T[],
  input: { limit: number; offset: number },
  p: { total: number; next: string | null; exact: boolean },
) {
  return {
    data,
    pagination: {
      limit: input.limit,
      offset: input.offset,
      total: p.total,
      next_cursor: p.next,
      total_exact: p.exact,
    },
  }
}
