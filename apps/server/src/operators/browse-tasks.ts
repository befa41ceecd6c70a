import type { BrowseSort } from '@humcli/contract'
import { sql } from 'kysely'
import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { invalid, notFound } from '../domain/errors.ts'
import { haversineKm } from '../domain/geo.ts'
import { findTask, type TaskRow } from '../tasks/load.ts'
import { operatorTaskView } from '../tasks/serialize.ts'
import { loadOperator } from './load.ts'

export interface BrowseInput {
  task_type?: string
  near?: { lat: number; lng: number }
  radius_km?: number
  sort?: BrowseSort
  limit: number
  offset: number
}

/** Open tasks (PENDING, deadline ahead, not sandbox) matching the operator's skills, optionally near a point. */
export async function browseTasks(ctx: Ctx, operatorId: string, input: BrowseInput) {
  const op = await loadOperator(ctx.store.db, operatorId)
  const skills = JSON.parse(op.skills) as string[]
  let q = ctx.store.db
    .selectFrom('tasks')
    .where('status', '=', 'PENDING')
    .where('sandbox', '=', 0n)
    .where('deadline', '>', iso(ctx.clock.now()))
  if (skills.length > 0) q = q.where('task_type', 'in', skills)
  if (input.task_type) q = q.where('task_type', '=', input.task_type)
  const sort = input.sort ?? (input.near ? 'distance' : 'newest')
  if (!input.near) {
    if (sort === 'distance') throw invalid('sort', '`sort=distance` needs `near=lat,lng`.')
    const total = await q.select(sql<bigint>`count(*)`.as('n')).executeTakeFirstOrThrow()
    const ordered =
      sort === 'reward'
        ? q.orderBy('reward_micros', 'desc')
        : sort === 'deadline'
          ? q.orderBy('deadline', 'asc')
          : q.orderBy('created_at', 'desc')
    const rows = await ordered
      .selectAll()
      .orderBy('id', 'desc')
      .limit(input.limit)
      .offset(input.offset)
      .execute()
    return page(
      rows.map((t) => operatorTaskView(t, operatorId)),
      input,
      Number(total.n),
    )
  }
  const { lat, lng } = input.near
  const radius = input.radius_km ?? 25
  // A bounding box narrows the rows in SQL; the exact great-circle distance decides.
  const dLat = radius / 111.0
  const dLng = radius / (111.0 * Math.max(Math.cos((lat * Math.PI) / 180), 0.01))
  const rows = await q
    .selectAll()
    .where('location_lat', 'is not', null)
    .where('location_lat', '>=', lat - dLat)
    .where('location_lat', '<=', lat + dLat)
    .where('location_lng', '>=', lng - dLng)
    .where('location_lng', '<=', lng + dLng)
    .execute()
  const matches = rows
    .map((t): [TaskRow, number] => [t, haversineKm(lat, lng, t.location_lat!, t.location_lng!)])
    .filter(([, d]) => d <= radius)
    .sort(byBrowseSort(sort))
  const slice = matches.slice(input.offset, input.offset + input.limit)
  return page(
    slice.map(([t, d]) => operatorTaskView(t, operatorId, d)),
    input,
    matches.length,
  )
}

/** Order of the rows near a point: by distance, or by reward / deadline / age with distance next. */
function byBrowseSort(sort: BrowseSort) {
  const key = (t: TaskRow): string | bigint | 0 =>
    sort === 'reward'
      ? -t.reward_micros
      : sort === 'deadline'
        ? t.deadline
        : sort === 'newest'
          ? t.created_at
          : 0
  return (a: [TaskRow, number], b: [TaskRow, number]) => {
    const ka = key(a[0])
    const kb = key(b[0])
    if (ka !== kb) return (sort === 'newest' ? ka < kb : ka > kb) ? 1 : -1
    return a[1] - b[1]
  }
}

function page<T>(data: T[], input: BrowseInput, total: number) {
  return { data, pagination: { limit: input.limit, offset: input.offset, total } }
}

export async function myTasks(
  ctx: Ctx,
  operatorId: string,
  input: { status?: string; limit: number; offset: number },
) {
  let q = ctx.store.db.selectFrom('tasks').where('operator_id', '=', operatorId)
  if (input.status) q = q.where('status', '=', input.status)
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
