import type { Ctx } from '../context.ts'
import type { JobKind } from '../jobs/enqueue.ts'
import { kindsByLane, type WorkKind } from '../jobs/lanes.ts'
import { listenForJobs } from '../jobs/wake.ts'
import { foldTaskCountDeltas } from '../tasks/task-counts.ts'
import { deliveryWork, releaseDeliveries } from '../webhooks/deliver.ts'
import { HEARTBEAT_MS, heartbeat, newWorkerId, releaseJobs } from './claim.ts'
import { jobWork, Lane } from './lane.ts'

export { claimDueJobs, newWorkerId } from './claim.ts'

export interface RunnerOptions {
  /** Run only these kinds (`humcli worker --kinds`); every kind when omitted. */
  kinds?: readonly WorkKind[]
}

/** Each lane with its work: the deliveries lane claims webhook attempts, every other lane jobs. */
function lanesFor(ctx: Ctx, workerId: string, opts: RunnerOptions, onFinished?: () => void): AnyLane[] {
  return [...kindsByLane(opts.kinds)].map(([name, kinds]): AnyLane => {
    const spec = { name, slots: ctx.config.jobLanes[name], perGroup: ctx.config.webhookAgentConcurrency }
    if (name === 'deliveries') return new Lane(ctx, spec, deliveryWork(ctx), onFinished)
    const jobKinds = kinds.filter((k): k is JobKind => k !== 'webhooks.deliver')
    return new Lane(ctx, spec, jobWork(ctx, workerId, jobKinds), onFinished)
  })
}

/** A lane whatever it runs. */
type AnyLane = Pick<Lane<unknown>, 'spec' | 'running' | 'fill' | 'wake' | 'loop'>

/**
 * Runs every job due now (as the clock says) until none is left, jobs that these queue included;
 * returns how many ran. Each lane runs its kinds in its own slots (ADR 0013); handlers are
 * idempotent and order where it matters themselves (webhook deliveries wait for the earlier
 * event of their task). Tests call this with a `ManualClock`; `startWorker` is the live loop.
 */
export async function runDueJobs(
  ctx: Ctx,
  workerId = newWorkerId(),
  opts: RunnerOptions = {},
): Promise<number> {
  // A job that finishes while a later lane is still claiming may have queued a follow-up in a
  // lane already looked at: it counts as a reason to look again, not only the jobs still running.
  let finished = false
  const lanes = lanesFor(ctx, workerId, opts, () => {
    finished = true
  })
  let total = 0
  for (;;) {
    finished = false
    let started = 0
    for (const lane of lanes) started += (await lane.fill()).started
    total += started
    const running = lanes.flatMap((l) => [...l.running.values()])
    if (running.length === 0 && started === 0 && !finished) return total
    if (running.length > 0) await Promise.race(running)
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref())

/** How often a worker folds the counters' deltas into their rows (PostgreSQL, migration 0030). */
export const FOLD_EVERY_MS = 1_000

/**
 * PostgreSQL: folds `task_count_deltas` into `task_counts` every `FOLD_EVERY_MS` while the worker
 * runs, so a count reads about a second of deltas at most. Returns a function that stops and
 * waits for a fold under way.
 */
function startFolding(ctx: Ctx): () => Promise<void> {
  if (ctx.store.dialect !== 'postgres') return async () => {}
  let running: Promise<unknown> = Promise.resolve()
  const timer = setInterval(() => {
    running = running
      .then(() => foldTaskCountDeltas(ctx.store.db))
      .catch((err) => ctx.log.warn({ err }, 'folding the task counters failed'))
  }, FOLD_EVERY_MS)
  timer.unref()
  return async () => {
    clearInterval(timer)
    await running
  }
}

/**
 * The worker `humcli serve` and `humcli worker` start: one loop per lane, woken when a job of it
 * is enqueued (NOTIFY on PostgreSQL, in-process on SQLite) and polling `HUMCLI_JOB_POLL_MS` for
 * the rest (jobs that come due later, other processes' jobs on SQLite). Returns `stop`, which
 * claims nothing more, lets running jobs finish for at most `HUMCLI_JOB_DRAIN_MS`, then gives the
 * rest back (queued, the attempt not counted) so another worker runs them.
 */
export function startWorker(ctx: Ctx, opts: RunnerOptions = {}): () => Promise<void> {
  const workerId = newWorkerId()
  const beat = () => heartbeat(ctx, workerId).catch((err) => ctx.log.warn({ err }, 'worker heartbeat failed'))
  void beat()
  const beating = setInterval(beat, HEARTBEAT_MS)
  beating.unref()
  let stopped = false
  const lanes = lanesFor(ctx, workerId, opts)
  const byName = new Map(lanes.map((l) => [l.spec.name, l]))
  const listening = listenForJobs(ctx, (lane) => byName.get(lane)?.wake())
  const loops = lanes.map((l) => l.loop(() => stopped))
  const stopFolding = startFolding(ctx)
  return async () => {
    stopped = true
    await stopFolding()
    for (const l of lanes) l.wake()
    await (await listening)()
    await Promise.all(loops)
    const running = lanes.flatMap((l) => [...l.running.values()])
    const finished = await Promise.race([
      Promise.allSettled(running).then(() => true),
      sleep(ctx.config.jobDrainMs).then(() => false),
    ])
    if (!finished) {
      const attempts = [...(byName.get('deliveries')?.running.keys() ?? [])]
      const released =
        (await releaseJobs(ctx, workerId).catch(() => 0)) +
        (await releaseDeliveries(ctx, attempts).catch(() => 0))
      ctx.log.warn({ released }, `jobs still running after ${ctx.config.jobDrainMs} ms were released`)
    }
    clearInterval(beating)
    await ctx.store.db
      .deleteFrom('workers')
      .where('id', '=', workerId)
      .execute()
      .catch(() => {})
  }
}
