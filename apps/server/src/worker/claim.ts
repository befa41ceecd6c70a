import { randomBytes } from 'node:crypto'
import { type ExpressionBuilder, sql } from 'kysely'
import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import type { JobKind } from '../jobs/enqueue.ts'
import type { Database, JobsTable } from '../store/schema.ts'
import { runHandler } from './handlers.ts'

export type JobRow = Omit<JobsTable, 'id'> & { id: bigint }

const LOCK_MS = 5 * 60_000
/** A worker writes `workers.last_seen_at` this often … */
export const HEARTBEAT_MS = 5_000
/** … and one not seen for this long is dead: its claimed jobs are taken over. */
const DEAD_AFTER_MS = 20_000

export const newWorkerId = () => `w_${process.pid}_${randomBytes(4).toString('hex')}`

export interface ClaimFilter {
  /** Only these kinds (a lane's); every kind when omitted. */
  kinds?: readonly JobKind[]
  /**
   * At most `perGroup` jobs of one group (an agent's webhook attempts) running here, `running`
   * of them already: a group at its cap is skipped, and one with room gets no more than it has.
   */
  groups?: { perGroup: number; running: ReadonlyMap<string, number> }
}

/** How many due jobs a claim looks at per job it may claim, when groups cap it (and at least). */
const WINDOW_PER_SLOT = 4
const MIN_WINDOW = 16

/** The instants one claim compares with: now, and the last beat of a worker still alive. */
interface ClaimTimes {
  now: Date
  nowIso: string
  deadBefore: string
}

const claimTimes = (ctx: Ctx): ClaimTimes => {
  const now = ctx.clock.now()
  return { now, nowIso: iso(now), deadBefore: iso(addMs(now, -DEAD_AFTER_MS)) }
}

/** A running job whose lock ran out or whose worker stopped beating: it is due again. */
const staleLock = (eb: ExpressionBuilder<Database, 'jobs'>, t: ClaimTimes) =>
  eb.or([
    eb('locked_until', '<', t.nowIso),
    sql<boolean>`locked_by in (select id from workers where last_seen_at < ${t.deadBefore})`,
  ])

/**
 * The earliest due jobs, at most `window`: per kind, the queued ones whose time has come (each
 * an ordered walk of `jobs_due_by_kind`), and the running ones whose lock ran out or whose worker
 * died (few: at most the slots of the workers). One arm per kind, so no plan reads the jobs of
 * other kinds or the finished ones; `skip` leaves out groups at their cap.
 */
function dueCandidates(ctx: Ctx, t: ClaimTimes, filter: ClaimFilter, window: number, skip: string[]) {
  const db = ctx.store.db
  const base = (status: 'queued' | 'running') => {
    let q = db.selectFrom('jobs').select(['id', 'group_key', 'run_at']).where('status', '=', status)
    if (skip.length)
      q = q.where((eb) => eb.or([eb('group_key', 'is', null), eb('group_key', 'not in', skip)]))
    return q
  }
  const arms = (filter.kinds ?? [null]).map((kind) => {
    const q = base('queued').where('run_at', '<=', t.nowIso)
    return kind ? q.where('kind', '=', kind) : q
  })
  let stale = base('running').where((eb) => staleLock(eb, t))
  if (filter.kinds) stale = stale.where('kind', 'in', filter.kinds)
  const [first, ...rest] = [...arms, stale].map((q, i) =>
    db.selectFrom(q.orderBy('run_at').orderBy('id').limit(window).as(`a${i}`)).selectAll(),
  )
  const all = rest.reduce((u, arm) => u.unionAll(arm), first!)
  return db.selectFrom(all.as('c')).selectAll().orderBy('run_at').orderBy('id').limit(window)
}

/**
 * Of a window of the earliest due jobs (groups at their cap left out), each group's earliest up
 * to the room it has: ranked within the group, and only the ranks that fit are picked.
 */
function withinShares(
  ctx: Ctx,
  t: ClaimTimes,
  limit: number,
  filter: ClaimFilter,
  groups: NonNullable<ClaimFilter['groups']>,
) {
  const full = [...groups.running].filter(([, n]) => n >= groups.perGroup).map(([g]) => g)
  const window = dueCandidates(ctx, t, filter, Math.max(limit * WINDOW_PER_SLOT, MIN_WINDOW), full)
  const partly = [...groups.running].filter(([, n]) => n > 0 && n < groups.perGroup)
  const room = partly.length
    ? sql<number>`case w.group_key ${sql.join(
        partly.map(([g, n]) => sql`when ${g} then ${sql.lit(groups.perGroup - n)}`),
        sql` `,
      )} else ${sql.lit(groups.perGroup)} end`
    : sql<number>`${sql.lit(groups.perGroup)}`
  const db = ctx.store.db
  const ranked = db
    .selectFrom(window.as('w'))
    .select([
      'w.id',
      'w.group_key',
      'w.run_at',
      sql<number>`row_number() over (partition by w.group_key order by w.run_at, w.id)`.as('rank'),
      room.as('room'),
    ])
  return db
    .selectFrom(ranked.as('r'))
    .select(['r.id', 'r.group_key', 'r.run_at'])
    .where((eb) => eb.or([eb('r.group_key', 'is', null), eb('r.rank', '<=', eb.ref('r.room'))]))
    .orderBy('r.run_at')
    .orderBy('r.id')
    .limit(limit)
}

/**
 * Claims up to `limit` due jobs for this worker. On PostgreSQL the outer select takes
 * `FOR UPDATE SKIP LOCKED`, so several processes never claim the same job; SQLite has one writer.
 * A job whose worker died is claimable again: at once when that worker has stopped beating
 * (`startWorker`), otherwise when its lock expires.
 *
 * With `groups`, the claim ranks a window of the earliest due jobs within their group and takes
 * only the ranks the group has room for, so a lane never claims jobs it would have to give back
 * (each given back is a second write of its row). The window is bounded (`WINDOW_PER_SLOT` per
 * free slot): the claim's cost follows the slots, not the backlog — except that leaving out the
 * groups at their cap walks past their due jobs (the lane does that at most once per poll
 * interval while it finds nothing else).
 */
export async function claimDueJobs(
  ctx: Ctx,
  workerId: string,
  limit = 20,
  filter: ClaimFilter = {},
): Promise<JobRow[]> {
  return (await claimStatement(ctx, workerId, limit, filter).execute()) as JobRow[]
}

/** The statement `claimDueJobs` runs (tests read its plan). */
export function claimStatement(ctx: Ctx, workerId: string, limit: number, filter: ClaimFilter) {
  const t = claimTimes(ctx)
  const db = ctx.store.db
  const isDue = (eb: ExpressionBuilder<Database, 'jobs'>) =>
    eb.or([
      eb.and([eb('status', '=', 'queued'), eb('run_at', '<=', t.nowIso)]),
      eb.and([eb('status', '=', 'running'), staleLock(eb, t)]),
    ])
  const picked = filter.groups
    ? withinShares(ctx, t, limit, filter, filter.groups)
    : dueCandidates(ctx, t, filter, limit, [])
  const ids = db.selectFrom(picked.as('p')).select('p.id')
  // On PostgreSQL an outer select locks and re-checks `isDue` on a row another worker changed
  // meanwhile. SQLite has one writer, and that re-check would be planned as a walk of every due
  // job (MULTI-INDEX OR) instead of a lookup of the few picked.
  const due =
    ctx.store.dialect === 'postgres'
      ? db.selectFrom('jobs').select('id').where('id', 'in', ids).where(isDue).forUpdate().skipLocked()
      : ids
  return db
    .updateTable('jobs')
    .set({
      status: 'running',
      attempts: sql`attempts + 1`,
      locked_by: workerId,
      locked_until: iso(addMs(t.now, LOCK_MS)),
    })
    .where('id', 'in', due)
    .returningAll()
}

/**
 * Gives claimed jobs back unrun (due as before, the attempt not counted): the jobs of a group
 * over its cap, and on shutdown the jobs still running when the drain time is up.
 */
export async function releaseJobs(ctx: Ctx, workerId: string, ids?: bigint[]): Promise<number> {
  if (ids?.length === 0) return 0
  let q = ctx.store.db
    .updateTable('jobs')
    .set({ status: 'queued', attempts: sql`attempts - 1`, locked_by: null, locked_until: null })
    .where('locked_by', '=', workerId)
    .where('status', '=', 'running')
  if (ids) q = q.where('id', 'in', ids)
  const r = await q.executeTakeFirst()
  return Number(r.numUpdatedRows)
}

function backoffMs(attempt: number): number {
  const base = Math.min(5_000 * 2 ** (attempt - 1), 3_600_000)
  return base / 2 + Math.random() * (base / 2)
}

/** Runs one claimed job and records its outcome (done, or queued again with backoff, or failed). */
export async function runOne(ctx: Ctx, job: JobRow, workerId: string): Promise<void> {
  try {
    await runHandler(ctx, job.kind, job.payload)
    await ctx.store.db
      .updateTable('jobs')
      .set({ status: 'done', finished_at: iso(ctx.clock.now()), locked_until: null, last_error: null })
      .where('id', '=', job.id)
      .where('locked_by', '=', workerId)
      .execute()
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    const giveUp = job.attempts >= job.max_attempts
    ctx.log.warn(
      { job: String(job.id), kind: job.kind, attempt: String(job.attempts), err: message },
      'job failed',
    )
    await ctx.store.db
      .updateTable('jobs')
      .set({
        status: giveUp ? 'failed' : 'queued',
        run_at: iso(addMs(ctx.clock.now(), backoffMs(Number(job.attempts)))),
        last_error: message.slice(0, 1000),
        locked_until: null,
        finished_at: giveUp ? iso(ctx.clock.now()) : null,
      })
      .where('id', '=', job.id)
      .where('locked_by', '=', workerId)
      .execute()
  }
}

/** Records that a worker is alive (its claimed jobs are taken over once it stops beating). */
export async function heartbeat(ctx: Ctx, workerId: string): Promise<void> {
  const now = iso(ctx.clock.now())
  await ctx.store.db
    .insertInto('workers')
    .values({ id: workerId, started_at: now, last_seen_at: now })
    .onConflict((oc) => oc.column('id').doUpdateSet({ last_seen_at: now }))
    .execute()
}
