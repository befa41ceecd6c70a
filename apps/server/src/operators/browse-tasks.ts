import type { BrowseSort } from '@humcli/contract'
import { type Kysely, sql } from 'kysely'
import type { Ctx } from '../context.ts'
import { checkOffset, decodeCursor, encodeCursor } from '../domain/cursor.ts'
import { invalid, notFound } from '../domain/errors.ts'
import type { TaskStatus } from '../domain/lifecycle.ts'
import type { Database } from '../store/schema.ts'
import { findTask } from '../tasks/load.ts'
import { operatorTaskView } from '../tasks/serialize.ts'
import { countedTasks, MARKET_SCOPES } from '../tasks/task-counts.ts'
import { browseNear } from './browse-near.ts'
import { loadOperator } from './load.ts'
import { browsePage, openTasks } from './open-tasks.ts'

export interface BrowseInput {
  task_type?: string
  near?: { lat: number; lng: number }
  radius_km?: number
  sort?: BrowseSort
  limit: number
  offset: number
  cursor?: string
}

/** Each sort of the market, newest first by default, with `id` (descending) breaking ties. */
const MARKET_ORDER = {
  newest: { column: 'created_at', dir: 'desc' },
  reward: { column: 'reward_micros', dir: 'desc' },
  deadline: { column: 'deadline', dir: 'asc' },
} as const

/**
 * Open tasks (PENDING, deadline ahead, not sandbox) matching the operator's skills, optionally
 * near a point. Without `near`, pages are read along `tasks_status_list` (status, created_at, id)
 * for the default order, by keyset with `cursor`; `total` comes from the market's counters
 * (`total_exact: false`). With `near`, only the grid cells around the point are read
 * (`tasks_status_cell`), and the exact distance decides (ADR 0021).
 */
export async function browseTasks(ctx: Ctx, operatorId: string, input: BrowseInput) {
  const op = await loadOperator(ctx.store.db, operatorId)
  const skills = JSON.parse(op.skills) as string[]
  const sort = input.sort ?? (input.near ? 'distance' : 'newest')
  checkOffset(input)
  if (input.near) return browseNear(ctx, operatorId, skills, { ...input, sort, near: input.near })
  if (sort === 'distance') throw invalid('sort', '`sort=distance` needs `near=lat,lng`.')
  const after = input.cursor === undefined ? null : decodeCursor(input.cursor, 2)
  const now = ctx.clock.now()
  const rows = await marketPageQuery(ctx.store.db, now, skills, { ...input, sort, after }).execute()
  const page = rows.slice(0, input.limit)
  const last = page.at(-1)
  const types = skills.length > 0 ? skills : undefined
  const total = await countedTasks(ctx.store.db, MARKET_SCOPES, {
    status: 'PENDING',
    task_types: input.task_type ? (types ?? [input.task_type]).filter((t) => t === input.task_type) : types,
  })
  const column = MARKET_ORDER[sort].column
  const next = rows.length > input.limit && last ? encodeCursor([String(last[column]), last.id]) : null
  return browsePage(
    page.map((t) => operatorTaskView(t, operatorId)),
    input,
    { total, next, exact: false },
  )
}

/** One page of the market without `near` (`limit + 1` rows); exported for the plan test. */
export function marketPageQuery(
  db: Kysely<Database>,
  now: Date,
  skills: string[],
  input: {
    task_type?: string
    sort: keyof typeof MARKET_ORDER
    limit: number
    offset: number
    after: string[] | null
  },
) {
  const { column, dir } = MARKET_ORDER[input.sort]
  let q = openTasks(db, now, skills, input.task_type)
  if (input.after) {
    const [k, id] = input.after as [string, string]
    const key = column === 'reward_micros' ? BigInt(k) : k
    // Descending on both: a row value, which the index range reads from (depth costs nothing).
    // `deadline` ascending, then `id` descending, has no index that serves it: a filter then.
    q = q.where((eb) =>
      dir === 'desc'
        ? sql<boolean>`(${sql.ref(column)}, id) < (${key}, ${id})`
        : eb.or([eb('deadline', '>', k), eb.and([eb('deadline', '=', k), eb('id', '<', id)])]),
    )
  }
  return q
    .selectAll()
    .orderBy(column, dir)
    .orderBy('id', 'desc')
    .limit(input.limit + 1)
    .offset(input.offset)
}

export async function myTasks(
  ctx: Ctx,
  operatorId: string,
  input: { status?: string; limit: number; offset: number },
) {
  let q = ctx.store.db.selectFrom('tasks').where('operator_id', '=', operatorId)
  // Any text (MineQuery): one that is no status matches no task.
  if (input.status) q = q.where('status', '=', input.status as TaskStatus)
  const total = await q.select(sql<bigint>`count(*)`.as('n')).executeTakeFirstOrThrow()
  const rows = await q
    .selectAll()
    .orderBy('updated_at', 'desc')
    .limit(input.limit)
    .offset(input.offset)
    .execute()
  return {
    data: rows.map((t) => operatorTaskView(t, operatorId)),
    pagination: { limit: input.limit, offset: input.offset, total: Number(total.n) },
  }
}

/** One task as the operator may see it: an open one, or one assigned to them. */
export async function operatorGetTask(ctx: Ctx, operatorId: string, taskId: string) {
  const t = await findTask(ctx.store.db, taskId)
  const open = t && t.status === 'PENDING' && t.sandbox === 0n
  if (!t || (!open && t.operator_id !== operatorId)) throw notFound('Task')
  return operatorTaskView(t, operatorId)
}
