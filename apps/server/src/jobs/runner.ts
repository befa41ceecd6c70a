import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import type { JobsTable } from '../store/schema.ts'
import type { JobKind } from './enqueue.ts'
import { JOB_HANDLERS } from './handlers.ts'

type JobRow = Omit<JobsTable, 'id'> & { id: bigint }

const LOCK_MS = 5 * 60_000
/** A worker writes `workers.last_seen_at` this often … */
const HEARTBEAT_MS = 5_000
/** … and one not seen for this long is dead: its claimed jobs are taken over. */
const DEAD_AFTER_MS = 20_000

export const newWorkerId = () => `w_${process.pid}_${randomBytes(4).toString('hex')}`

/**
 * Claims up to `limit` due jobs for this worker. On PostgreSQL the inner select takes
 * `FOR UPDATE SKIP LOCKED`, so several processes never claim the same job; SQLite has one writer.
 * A job whose worker died is claimable again: at once when that worker has stopped beating
 * (`startWorker`), otherwise when its lock expires.
 */
export async function claimDueJobs(ctx: Ctx, workerId: string, limit = 20): Promise<JobRow[]> {
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
    .orderBy('run_at')
    .orderBy('id')
    .limit(limit)
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

function backoffMs(attempt: number): number {
  const base = Math.min(5_000 * 2 ** (attempt - 1), 3_600_000)
  return base / 2 + Math.random() * (base / 2)
}

async function runOne(ctx: Ctx, job: JobRow, workerId: string): Promise<void> {
  const handler = JOB_HANDLERS[job.kind as JobKind]
  try {
    if (!handler) throw new Error(`no handler for job kind ${job.kind}`)
    await handler(ctx, JSON.parse(job.payload))
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

/**
 * Runs every job due now (as the clock says) until none is left; returns how many ran. Claimed
 * jobs run up to `HUMCLI_JOB_CONCURRENCY` at a time: handlers are idempotent and order where it
 * matters themselves (webhook deliveries wait for the earlier event of their task), and jobs that
 * wait on the network (webhooks) must not queue behind each other.
 */
export async function runDueJobs(ctx: Ctx, workerId = newWorkerId()): Promise<number> {
  let total = 0
  const limit = Math.max(1, ctx.config.jobConcurrency)
  for (;;) {
    const jobs = await claimDueJobs(ctx, workerId, Math.max(20, limit * 2))
    if (jobs.length === 0) return total
    let next = 0
    const lane = async () => {
      while (next < jobs.length) await runOne(ctx, jobs[next++]!, workerId)
    }
    await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, lane))
    total += jobs.length
  }
}

/** The in-process worker loop `humcli serve` starts. Returns a function that stops it. */
async function heartbeat(ctx: Ctx, workerId: string): Promise<void> {
  const now = iso(ctx.clock.now())
  await ctx.store.db
    .insertInto('workers')
    .values({ id: workerId, started_at: now, last_seen_at: now })
    .onConflict((oc) => oc.column('id').doUpdateSet({ last_seen_at: now }))
    .execute()
}

export function startWorker(ctx: Ctx): () => Promise<void> {
  const workerId = newWorkerId()
  const beat = () => heartbeat(ctx, workerId).catch((err) => ctx.log.warn({ err }, 'worker heartbeat failed'))
  void beat()
  const beating = setInterval(beat, HEARTBEAT_MS)
  beating.unref()
  let stopped = false
  let running: Promise<unknown> = Promise.resolve()
  const tick = async () => {
    if (stopped) return
    running = runDueJobs(ctx, workerId).catch((err) => ctx.log.error({ err }, 'job worker error'))
    await running
    if (!stopped) timer = setTimeout(tick, ctx.config.jobPollMs)
  }
  let timer = setTimeout(tick, 0)
  return async () => {
    stopped = true
    clearTimeout(timer)
    clearInterval(beating)
    await running
    await ctx.store.db
      .deleteFrom('workers')
      .where('id', '=', workerId)
      .execute()
      .catch(() => {})
  }
}
