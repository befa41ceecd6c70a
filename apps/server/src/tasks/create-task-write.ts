import { sql } from 'kysely'
import { enqueueJob, type JobInput, type JobKind, jobRow } from '../jobs/enqueue.ts'
import { laneOf } from '../jobs/lanes.ts'
import { JOBS_CHANNEL } from '../jobs/wake.ts'
import { insufficientBalance, type PlannedPosting, writePosting } from '../ledger/post.ts'
import type { DialectName } from '../store/db.ts'
import { PgBatcher } from '../store/pg-batch.ts'
import type { TaskTransitionsTable, Tx } from '../store/schema.ts'
import { statement } from '../store/statement.ts'
import type { TaskRow } from './load.ts'
import { applyTaskCounts, type TaskCountDelta } from './task-counts.ts'

/** Today's row of `agent_daily_usage` as a limit error reports it. */
export interface DailyUsage {
  tasks: bigint
  spend_micros: bigint
}

/** One more task on the agent's day, refused when it would pass either limit. */
export type UsageCharge = {
  agent_id: string
  day: string
  spend: bigint
  max_tasks: bigint
  max_spend: bigint
}

/**
 * Everything a create writes, decided before any write: both dialects write exactly this, so they
 * store the same rows. The agent's own rows (counters, daily usage, balances) come last.
 */
export interface CreatePlan {
  task: TaskRow
  transition: Omit<TaskTransitionsTable, 'id'>
  jobs: JobInput<JobKind>[]
  counts: TaskCountDelta[]
  usage: UsageCharge
  posting: PlannedPosting | null
}

/** How the caller words a refused usage charge (a tier-limit error with today's usage). */
export type OverLimit = (usage: DailyUsage) => Error

const insertTask = statement((db, p: TaskRow) => db.insertInto('tasks').values({ ...p }))

const insertTransition = statement((db, p: Omit<TaskTransitionsTable, 'id'>) =>
  db.insertInto('task_transitions').values({
    task_id: p.task_id,
    from_status: p.from_status,
    to_status: p.to_status,
    actor: p.actor,
    reason: p.reason,
    at: p.at,
  }),
)

/**
 * The first task of the day inserts the usage row; later ones add to it only while under both
 * limits, so racing creates cannot exceed them.
 */
const chargeUsage = statement((db, p: UsageCharge) =>
  db
    .insertInto('agent_daily_usage')
    .values({ agent_id: p.agent_id, day: p.day, tasks: 1n, spend_micros: p.spend })
    .onConflict((oc) =>
      oc
        .columns(['agent_id', 'day'])
        .doUpdateSet({
          tasks: sql`agent_daily_usage.tasks + 1`,
          spend_micros: sql`agent_daily_usage.spend_micros + excluded.spend_micros`,
        })
        .where(sql<boolean>`agent_daily_usage.tasks < ${p.max_tasks}`)
        .where(sql<boolean>`agent_daily_usage.spend_micros + excluded.spend_micros <= ${p.max_spend}`),
    ),
)

/** Today's usage of an agent (zero before its first task of the day). */
export async function dailyUsage(tx: Tx, agentId: string, day: string): Promise<DailyUsage> {
  const row = await tx
    .selectFrom('agent_daily_usage')
    .select(['tasks', 'spend_micros'])
    .where('agent_id', '=', agentId)
    .where('day', '=', day)
    .executeTakeFirst()
  return row ?? { tasks: 0n, spend_micros: 0n }
}

/** SQLite's path: one compiled statement per step, in the caller's (group-committed) transaction. */
async function writeCreateWithStatements(tx: Tx, plan: CreatePlan, overLimit: OverLimit): Promise<void> {
  await insertTask.run(tx, plan.task)
  await insertTransition.run(tx, plan.transition)
  for (const job of plan.jobs) await enqueueJob(tx, job)
  await applyTaskCounts(tx, plan.counts)
  if ((await chargeUsage.run(tx, plan.usage)) === 0n) {
    throw overLimit(await dailyUsage(tx, plan.usage.agent_id, plan.usage.day))
  }
  if (plan.posting) await writePosting(tx, plan.posting)
}

/** JSON for PostgreSQL's `jsonb`: bigints as decimal strings, which `jsonb_populate_record` and `::bigint` read. */
const jsonb = (value: unknown) =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))

const createTaskFn = statement((db, p: { plan: string }) =>
  db.selectNoFrom(sql`humcli_create_task(${p.plan}::jsonb)`.as('done')),
)

/** PostgreSQL's path: the whole plan in one statement (`humcli_create_task`, migrations 0021 and 0028). */
async function writeCreateInOneStatement(db: Tx, plan: CreatePlan, overLimit: OverLimit): Promise<void> {
  const notify = [...new Set(plan.jobs.filter((j) => j.runAt <= j.now).map((j) => laneOf(j.kind)))]
  const doc = {
    ...plan,
    jobs: plan.jobs.map(jobRow),
    notify: notify.map((lane) => ({ channel: JOBS_CHANNEL, message: lane })),
  }
  try {
    // Inside a transaction (an idempotent request's), the create commits with it, alone.
    if (db.isTransaction) await createTaskFn.run(db, { plan: jsonb(doc) })
    else {
      // Every create takes its shard's market row first (`taskCountDeltas`).
      const market = plan.counts[0]!.scope
      await batcherFor(db).run({ key: `${market}|${plan.task.agent_id}`, plan: jsonb(doc) })
    }
  } catch (err) {
    const e = err as { code?: string; detail?: string }
    if (e.code === 'HC001') {
      const u = JSON.parse(e.detail ?? '{}') as { tasks?: string; spend_micros?: string }
      throw overLimit({ tasks: BigInt(u.tasks ?? 0), spend_micros: BigInt(u.spend_micros ?? 0) })
    }
    if (e.code === 'HC002') throw insufficientBalance(e.detail ?? '')
    throw err
  }
}

/** Writes a create's plan: on PostgreSQL in one statement, on SQLite a statement per step. */
export function writeCreate(dialect: DialectName, tx: Tx, plan: CreatePlan, overLimit: OverLimit) {
  return dialect === 'postgres'
    ? writeCreateInOneStatement(tx, plan, overLimit)
    : writeCreateWithStatements(tx, plan, overLimit)
}

const createTasksFn = statement((db, p: { plans: string }) =>
  db.selectNoFrom(sql<GuardResult[]>`humcli_create_tasks(${p.plans}::jsonb)`.as('results')),
)

/** What `humcli_create_tasks` answers for each plan: null, or the guard that refused it. */
type GuardResult = { code: null } | { code: 'HC001' | 'HC002'; detail: string }

/** A refused guard, shaped as the error `humcli_create_task` raises alone. */
const guardError = (r: GuardResult) => Object.assign(new Error(`create refused (${r.code})`), r)

/**
 * Group commit on PostgreSQL (ADR 0024): the creates of a process that arrive while a batch runs
 * go together in the next one, `humcli_create_tasks`, one statement and one commit for up to
 * `BATCH_MAX` creates. No subtransactions (migration 0028): a create's guards run before its
 * inserts, and a refused one takes back its own changes and is answered, not raised. One agent's creates then queue inside one transaction instead of on its rows' locks.
 * Any other error fails the batch as a whole; its creates then run one by one, each meeting its
 * own error (a deadlock is retried by `withOneWrite`).
 */
function batcherFor(db: Tx): PgBatcher<BatchedCreate> {
  let b = batchers.get(db)
  if (!b) {
    b = new PgBatcher<BatchedCreate>(
      BATCH_MAX,
      async (items) => {
        // In one order of (market shard, agent) in every batch of every process, so two batches
        // lock the counter and balance rows they share in the same order and cannot deadlock on them.
        const order = items.map((_, i) => i).sort((x, y) => (items[x]!.key < items[y]!.key ? -1 : 1))
        const plans = `[${order.map((i) => items[i]!.plan).join(',')}]`
        const row = await createTasksFn.first(db, { plans })
        const out: (Error | null)[] = new Array(items.length)
        order.forEach((i, at) => {
          const r = row!.results[at]!
          out[i] = r.code === null ? null : guardError(r)
        })
        return out
      },
      (item) => createTaskFn.run(db, { plan: item.plan }).then(() => undefined),
    )
    batchers.set(db, b)
  }
  return b
}

/** At most this many creates in one batch (one transaction holding all their agents' rows until it commits). */
const BATCH_MAX = 50

/** One batcher per store (its Kysely instance). */
const batchers = new WeakMap<Tx, PgBatcher<BatchedCreate>>()

/** A create's plan as JSON, and the key that orders it in a batch. */
interface BatchedCreate {
  key: string
  plan: string
}
