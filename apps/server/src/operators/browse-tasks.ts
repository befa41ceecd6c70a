import type { BrowseSort } from '@humcli/contract'
import { type Kysely, sql } from 'kysely'
import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { decodeCursor, encodeCursor } from '../domain/cursor.ts'
import { invalid, notFound } from '../domain/errors.ts'
import { cellsInBox, haversineKm } from '../domain/geo.ts'
import type { TaskStatus } from '../domain/lifecycle.ts'
import type { Database } from '../store/schema.ts'
import { findTask, type TaskRow } from '../tasks/load.ts'
import { operatorTaskView } from '../tasks/serialize.ts'
import { countedTasks, MARKET_SCOPES } from '../tasks/task-counts.ts'
import { loadOperator } from './load.ts'

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
  if (input.cursor !== undefined && input.offset > 0) {
    throw invalid('offset', '`offset` and `cursor` cannot be combined: send the cursor alone.')
  }
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
  return page_(
    page.map((t) => operatorTaskView(t, operatorId)),
    input,
    { total, next, exact: false },
  )
}

/** What an operator may browse: open, not sandbox, deadline ahead, of their skills. */
function openTasks(db: Kysely<Database>, now: Date, skills: string[], taskType?: string) {
  let q = db
    .selectFrom('tasks')
    .where('status', '=', 'PENDING')
    .where('sandbox', '=', 0n)
    .where('deadline', '>', iso(now))
  if (skills.length > 0) q = q.where('task_type', 'in', skills)
  if (taskType) q = q.where('task_type', '=', taskType)
  return q
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

/** The bounding box of a circle, in degrees (no wrap at ±180°). */
function boxAround(lat: number, lng: number, radiusKm: number) {
  const dLat = radiusKm / 111.0
  const dLng = radiusKm / (111.0 * Math.max(Math.cos((lat * Math.PI) / 180), 0.01))
  return { minLat: lat - dLat, maxLat: lat + dLat, minLng: lng - dLng, maxLng: lng + dLng }
}

/** What placing a task near a point needs: all in `tasks_status_cell`, so no row is read. */
const NEAR_COLUMNS = [
  'id',
  'location_lat',
  'location_lng',
  'created_at',
  'reward_micros',
  'deadline',
] as const
type NearRow = Pick<TaskRow, (typeof NEAR_COLUMNS)[number]>

/**
 * Every open task in the bounding box of the circle, read through the grid cells it touches
 * (`tasks_status_cell`, which covers every column the filter and the order need, so only index
 * entries are read); exported for the plan test. A box of more than `MAX_CELLS` cells reads the
 * open tasks by status instead. The page's whole rows are read afterwards, by id.
 */
export function nearQuery(
  db: Kysely<Database>,
  now: Date,
  skills: string[],
  input: { task_type?: string; near: { lat: number; lng: number }; radius_km: number },
) {
  const b = boxAround(input.near.lat, input.near.lng, input.radius_km)
  let q = openTasks(db, now, skills, input.task_type)
  const cells = cellsInBox(b.minLat, b.maxLat, b.minLng, b.maxLng)
  if (cells) q = q.where('geo_cell', 'in', cells)
  return q
    .select(NEAR_COLUMNS)
    .where('location_lat', 'is not', null)
    .where('location_lat', '>=', b.minLat)
    .where('location_lat', '<=', b.maxLat)
    .where('location_lng', '>=', b.minLng)
    .where('location_lng', '<=', b.maxLng)
}

/** Open tasks within `radius_km` of a point, in the order of `sort`; `total` is exact. */
async function browseNear(
  ctx: Ctx,
  operatorId: string,
  skills: string[],
  input: BrowseInput & { sort: BrowseSort; near: { lat: number; lng: number } },
) {
  const { lat, lng } = input.near
  const radius = input.radius_km ?? 25
  const rows = await nearQuery(ctx.store.db, ctx.clock.now(), skills, {
    ...input,
    radius_km: radius,
  }).execute()
  const sort = input.sort
  const keyOf = browseKey(sort)
  const matches = rows
    .map((t): Near => ({ t, d: haversineKm(lat, lng, t.location_lat!, t.location_lng!) }))
    .filter((m) => m.d <= radius)
    .map((m): Near & { key: NearKey } => ({ ...m, key: { k: keyOf(m.t), d: m.d, id: m.t.id } }))
    .sort((a, b) => compareNear(sort, a.key, b.key))
  let from = input.offset
  if (input.cursor !== undefined) {
    // The key of the last task of the previous page places the next page, even when that task
    // has left the market since (accepted).
    const [k, d, id] = decodeCursor(input.cursor, 3) as [string, string, string]
    const mark: NearKey = {
      k: sort === 'reward' ? -BigInt(k) : sort === 'distance' ? 0 : k,
      d: Number(d),
      id,
    }
    from = matches.findIndex((m) => compareNear(sort, m.key, mark) > 0)
    if (from < 0) from = matches.length
  }
  const slice = matches.slice(from, from + input.limit)
  const last = slice.at(-1)
  const next =
    from + input.limit < matches.length && last
      ? encodeCursor([
          String(sort === 'reward' ? last.t.reward_micros : last.key.k),
          String(last.d),
          last.t.id,
        ])
      : null
  // The page's rows, still open (one accepted since the first read is left out of this page).
  const full = slice.length
    ? await ctx.store.db
        .selectFrom('tasks')
        .selectAll()
        .where(
          'id',
          'in',
          slice.map((m) => m.t.id),
        )
        .where('status', '=', 'PENDING')
        .execute()
    : []
  const byId = new Map(full.map((t) => [t.id, t]))
  const data = slice.flatMap((m) => {
    const t = byId.get(m.t.id)
    return t ? [operatorTaskView(t, operatorId, m.d)] : []
  })
  return page_(data, input, { total: matches.length, next, exact: true })
}

interface Near {
  t: NearRow
  d: number
}
/** Where a task near a point sorts: its sort key, then its distance, then its id (descending). */
interface NearKey {
  k: string | bigint | 0
  d: number
  id: string
}

const browseKey =
  (sort: BrowseSort) =>
  (t: NearRow): string | bigint | 0 =>
    sort === 'reward'
      ? -t.reward_micros
      : sort === 'deadline'
        ? t.deadline
        : sort === 'newest'
          ? t.created_at
          : 0

/** Order of the rows near a point: by distance, or by reward / deadline / age with distance next. */
function compareNear(sort: BrowseSort, a: NearKey, b: NearKey): number {
  if (a.k !== b.k) return (sort === 'newest' ? a.k < b.k : a.k > b.k) ? 1 : -1
  if (a.d !== b.d) return a.d - b.d
  return a.id === b.id ? 0 : a.id < b.id ? 1 : -1
}

function page_<T>(data: T[], input: BrowseInput, p: { total: number; next: string | null; exact: boolean }) {
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
