import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import type { JobKind } from '../jobs/enqueue.ts'
import type { JobsTable } from '../store/schema.ts'
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
  /** Not these groups (agents already running their most webhook attempts here). */
  skipGroups?: readonly string[]
}

/**
 * Claims up to `limit` due jobs for this worker. On PostgreSQL the inner select takes
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
  const now = ctx.clock.now()
  const nowIso = iso(now)
  const db = ctx.store.db
  let due = db
    .selectFrom('jobs')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'queued'), eb('run_at', '<=', nowIso)]),
        eb.and([eb('status', '=', 'running'), eb('locked_until', '<', nowIso)]),
        eb.and([
          eb('status', '=', 'running'),
          sql<boolean>`locked_by in (select id from workers where last_seen_at < ${iso(addMs(now, -DEAD_AFTER_MS))})`,
        ]),
      ]),
    )
  if (filter.kinds) due = due.where('kind', 'in', filter.kinds)
  if (filter.skipGroups?.length) {
    const skip = filter.skipGroups
    due = due.where((eb) => eb.or([eb('group_key', 'is', null), eb('group_key', 'not in', skip)]))
  }
  due = due.orderBy('run_at').orderBy('id').limit(limit)
  if (ctx.store.dialect === 'postgres') due = due.forUpdate().skipLocked()
  const rows = await db
    .updateTable('jobs')
    .set({
      status: 'running',
      attempts: sql`attempts + 1`,
      locked_by: workerId,
      locked_until: iso(addMs(now, LOCK_MS)),
    })
    .where('id', 'in', due)
    .returningAll()
    .execute()
  return rows as JobRow[]
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
