import type { BrowseSort } from '@humcli/contract'
import { type Kysely, sql } from 'kysely'
import type { Ctx } from '../context.ts'
import { badCursor, decodeCursor, encodeCursor } from '../domain/cursor.ts'
import { type Box, boxAround, cellsInBox, distanceOutsideKm, haversineKm } from '../domain/geo.ts'
import type { Database } from '../store/schema.ts'
import type { TaskRow } from '../tasks/load.ts'
import { operatorTaskView } from '../tasks/serialize.ts'
import { browsePage, openTasks } from './open-tasks.ts'

export interface NearInput {
  task_type?: string
  near: { lat: number; lng: number }
  radius_km?: number
  sort: BrowseSort
  limit: number
  offset: number
  cursor?: string
}

/** Half the side of the first box read for `sort=distance`, past the cursor's distance (ADR 0026). */
const FIRST_BOX_KM = 2
/** By distance `total` counts the circle's bounding box up to this many tasks (100 full pages). */
export const COUNT_CAP = 10_000

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

/** The open tasks in a box: one `tasks_status_cell` range per band of latitude, by longitude. */
function inBox(db: Kysely<Database>, now: Date, skills: string[], taskType: string | undefined, b: Box) {
  let q = openTasks(db, now, skills, taskType)
  const cells = cellsInBox(b.minLat, b.maxLat)
  if (cells) q = q.where('geo_cell', 'in', cells)
  return q
    .where('location_lng', '>=', b.minLng)
    .where('location_lng', '<=', b.maxLng)
    .where('location_lat', '>=', b.minLat)
    .where('location_lat', '<=', b.maxLat)
}

/**
 * The open tasks in a box, read from index entries only (`tasks_status_cell` covers every column
 * the filter and the order need); exported for the plan test. A box of more than `MAX_CELLS`
 * bands reads the open tasks by status instead. The page's whole rows are read afterwards, by id.
 */
export function nearQuery(
  db: Kysely<Database>,
  now: Date,
  skills: string[],
  input: { task_type?: string; box: Box },
) {
  return inBox(db, now, skills, input.task_type, input.box).select(NEAR_COLUMNS)
}

/**
 * How many open tasks a box holds, counted in the index up to `COUNT_CAP`, so the count costs at
 * most that many index entries however dense the city; exported for the plan test.
 */
export function nearCountQuery(
  db: Kysely<Database>,
  now: Date,
  skills: string[],
  input: { task_type?: string; box: Box },
) {
  const inside = inBox(db, now, skills, input.task_type, input.box).select('id').limit(COUNT_CAP)
  return db.selectFrom(inside.as('b')).select(sql<bigint>`count(*)`.as('n'))
}

/**
 * The page's whole rows, by primary key alone: with `status = ?` as well, SQLite without
 * statistics walks `tasks_status_list` (every open task) instead. Exported for the plan test.
 */
export function pageRowsQuery(db: Kysely<Database>, ids: string[]) {
  return db.selectFrom('tasks').selectAll().where('id', 'in', ids)
}

interface Near {
  t: NearRow
  key: NearKey
}
/** Where a task near a point sorts: its sort key, then its distance, then its id (descending). */
interface NearKey {
  k: string | bigint | 0
  d: number
  id: string
}

/**
 * Open tasks within `radius_km` of a point, in the order of `sort`. By distance, boxes doubling
 * from the point (or from the cursor's distance) are read until the page is known: tasks nearer
 * than every task outside the box (`distanceOutsideKm`) fill it, so the nearest of a dense city
 * cost what a page holds, not what the city holds. Other orders read the whole circle, and their
 * `total` is exact.
 */
export async function browseNear(ctx: Ctx, operatorId: string, skills: string[], input: NearInput) {
  const radius = input.radius_km ?? 25
  const outer = boxAround(input.near.lat, input.near.lng, radius)
  const mark = input.cursor === undefined ? null : cursorMark(input.sort, input.cursor)
  const need = input.offset + input.limit + 1
  const read = (box: Box) =>
    nearQuery(ctx.store.db, ctx.clock.now(), skills, { task_type: input.task_type, box }).execute()
  if (input.sort !== 'distance') {
    const placed = place(await read(outer), input, radius)
    const after = mark ? placed.filter((m) => compareNear(input.sort, m.key, mark) > 0) : placed
    return answer(ctx, operatorId, input, after, { total: placed.length, exact: true })
  }
  // By distance `total` is the count of the circle's bounding box, at most `COUNT_CAP`, on every
  // page (labelled inexact): an exact one would cost every task of the circle, which the boxes
  // exist to avoid.
  const count = () =>
    nearCountQuery(ctx.store.db, ctx.clock.now(), skills, { task_type: input.task_type, box: outer })
      .executeTakeFirstOrThrow()
      .then((n) => Number(n.n))
  // The box grows with the share of the page still missing (a disc of k final tasks in a box of
  // side s: about need tasks at s·√(need/k)), at least doubling; a sparse point reaches its radius
  // in two reads instead of five.
  const known = 0
  for (
    let side = (mark?.d ?? 0) + FIRST_BOX_KM;
    ;
    side *= Math.max(2, Math.sqrt(need / Math.max(known, 1)))
  ) {
    if (side >= radius) {
      const rows = await read(outer)
      const after = place(rows, input, radius).filter(
        (m) => !mark || compareNear('distance', m.key, mark) > 0,
      )
      return answer(ctx, operatorId, input, after, { total: Math.min(rows.length, COUNT_CAP), exact: false })
    }
    const box = boxAround(input.near.lat, input.near.lng, side)
    const bound = distanceOutsideKm(input.near.lat, input.near.lng, box, outer)
    const placed = place(await read(box), input, radius)
    const known = placed.filter((m) => m.key.d < bound && (!mark || compareNear('distance', m.key, mark) > 0))
    if (known.length >= need)
      return answer(ctx, operatorId, input, known, { total: await count(), exact: false })
  }
}

/** The tasks within the radius, with their distance and sort key, in the order of the sort. */
function place(rows: NearRow[], input: NearInput, radius: number): Near[] {
  const { lat, lng } = input.near
  const keyOf = browseKey(input.sort)
  return rows
    .map((t) => ({ t, d: haversineKm(lat, lng, t.location_lat!, t.location_lng!) }))
    .filter((m) => m.d <= radius)
    .map((m): Near => ({ t: m.t, key: { k: keyOf(m.t), d: m.d, id: m.t.id } }))
    .sort((a, b) => compareNear(input.sort, a.key, b.key))
}

/**
 * The page from the tasks past the cursor (all of them, or a known prefix of `limit + 1` or more),
 * with the page's whole rows, still open (one accepted since the first read is left out).
 */
async function answer(
  ctx: Ctx,
  operatorId: string,
  input: NearInput,
  after: Near[],
  total: { total: number; exact: boolean },
) {
  const slice = after.slice(input.offset, input.offset + input.limit)
  const last = slice.at(-1)
  const next =
    after.length > input.offset + input.limit && last
      ? encodeCursor([
          String(input.sort === 'reward' ? last.t.reward_micros : last.key.k),
          String(last.key.d),
          last.t.id,
        ])
      : null
  const ids = slice.map((m) => m.t.id)
  const full = ids.length ? await pageRowsQuery(ctx.store.db, ids).execute() : []
  const byId = new Map(full.filter((t) => t.status === 'PENDING').map((t) => [t.id, t]))
  const data = slice.flatMap((m) => {
    const t = byId.get(m.t.id)
    return t ? [operatorTaskView(t, operatorId, m.key.d)] : []
  })
  return browsePage(data, input, { ...total, next })
}

/** The key of the last task of the previous page: it places the next page, even once that task left the market. */
function cursorMark(sort: BrowseSort, cursor: string): NearKey {
  const [k, d, id] = decodeCursor(cursor, 3) as [string, string, string]
  const distance = Number(d)
  if (!(distance >= 0) || (sort === 'reward' && !/^\d+$/.test(k))) throw badCursor()
  return { k: sort === 'reward' ? -BigInt(k) : sort === 'distance' ? 0 : k, d: distance, id }
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
