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
}

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
 * other kinds or the finished ones.
 */
function dueCandidates(ctx: Ctx, t: ClaimTimes, filter: ClaimFilter, window: number) {
  const db = ctx.store.db
  const base = (status: 'queued' | 'running') =>
    db.selectFrom('jobs').select(['id', 'run_at']).where('status', '=', status)
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
 * Claims up to `limit` due jobs for this worker. On PostgreSQL the outer select takes
 * `FOR UPDATE SKIP LOCKED`, so several processes never claim the same job; SQLite has one writer.
 * A job whose worker died is claimable again: at once when that worker has stopped beating
 * (`startWorker`), otherwise when its lock expires.
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
  const picked = dueCandidates(ctx, t, filter, limit)
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
 * Gives claimed jobs back unrun (due as before, the attempt not counted): on shutdown, the jobs
 * still running when the drain time is up.
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
