import { PostgresAdapter, sql } from 'kysely'
import type { HeldInserts } from '../store/held-inserts.ts'
import type { Tx } from '../store/schema.ts'

/**
 * The market's open-task counters are spread over this many rows: on PostgreSQL every create of
 * every agent adds to one of them, and a single row would make all creates queue on its lock.
 */
export const MARKET_SHARDS = 8
export const MARKET_SCOPES = Array.from({ length: MARKET_SHARDS }, (_, i) => `market:${i}`)

interface CountedTask {
  agent_id: string
  task_type: string
  sandbox: bigint
}

export type TaskCountDelta = { scope: string; status: string; task_type: string; n: bigint }

/**
 * The market shard an agent's tasks count on: always the same one. Every write of counters takes
 * that shard's row before the agent's rows, and PostgreSQL's batched creates (`PgBatcher`) are
 * sorted by (shard, agent), so every transaction of every process locks these rows in one order
 * (market shard, then the agent's counters, usage and balances) and none can deadlock on them.
 */
export function marketShardOf(agentId: string): number {
  let h = 0
  for (let i = 0; i < agentId.length; i++) h = (h * 31 + agentId.charCodeAt(i)) >>> 0
  return h % MARKET_SHARDS
}

/** The counter rows a task moving from `from` (null: created) to `to` changes, in lock order. */
export function taskCountDeltas(task: CountedTask, from: string | null, to: string): TaskCountDelta[] {
  const out: TaskCountDelta[] = []
  const add = (scope: string, status: string, n: bigint) =>
    out.push({ scope, status, task_type: task.task_type, n })
  if (from !== null) add(task.agent_id, from, -1n)
  add(task.agent_id, to, 1n)
  // The market counts what an operator may browse: open tasks that are not sandbox ones. A
  // sandbox create still takes its shard's row (adding 0): a batch of creates then locks every
  // agent's rows after its shard's, as the lock order asks.
  const market = MARKET_SCOPES[marketShardOf(task.agent_id)]!
  if (task.sandbox === 0n && (from === 'PENDING' || to === 'PENDING')) {
    add(market, 'PENDING', from === 'PENDING' ? -1n : 1n)
  } else if (from === null) add(market, 'PENDING', 0n)
  // The market row first, then the agent's by status (`marketShardOf`): one lock order for all.
  const rank = (d: TaskCountDelta) => (d.scope.startsWith('market:') ? 0 : 1)
  return out.sort((a, b) => rank(a) - rank(b) || (a.status < b.status ? -1 : a.status > b.status ? 1 : 0))
}

/**
 * Keeps the counters true in the caller's transaction. Called by `createTask` and
 * `transitionTask`, the only places a task's status is set. On SQLite one upsert of every
 * `task_counts` row the change touches; callers place it before the ledger postings, so counter
 * rows are locked before balance rows. On PostgreSQL the changes are rows of `task_count_deltas`
 * (migration 0030), which lock nothing: every status change of one agent's tasks used to wait on
 * its counter rows until the one before committed. With `held` they go in its one statement.
 */
export async function countTaskChange(
  tx: Tx,
  task: CountedTask,
  from: string | null,
  to: string,
  held: HeldInserts | null = null,
) {
  const all = taskCountDeltas(task, from, to)
  if (!(tx.getExecutor().adapter instanceof PostgresAdapter)) return applyTaskCounts(tx, all)
  // A delta of 0 (a sandbox create's shard, taken only for the lock order) changes nothing.
  const rows = all.filter((d) => d.n !== 0n)
  if (held) for (const r of rows) held.add('task_count_deltas', r)
  else if (rows.length) await tx.insertInto('task_count_deltas').values(rows).execute()
}

/** Deltas a fold moves per counter and statement. */
const FOLD_BATCH = 10_000

/**
 * Folds `task_count_deltas` into `task_counts` (PostgreSQL), one counter per statement: the
 * deltas it deletes and its row's upsert are one transaction, so a count reads the same before
 * and after, and holding one counter's row at a time it waits for no other lock while holding
 * one (creates lock counter rows in their own order). Several workers may fold at once: a delta
 * is deleted once. Returns the deltas folded.
 */
export async function foldTaskCountDeltas(db: Tx): Promise<number> {
  const counters = await db
    .selectFrom('task_count_deltas')
    .select(['scope', 'status', 'task_type', sql<bigint>`max(id)`.as('upto')])
    .groupBy(['scope', 'status', 'task_type'])
    .execute()
  let folded = 0
  for (const c of counters) {
    const r = await sql<{ moved: bigint }>`
      with moved as (
        delete from task_count_deltas
        where id in (
          select id from task_count_deltas
          where scope = ${c.scope} and status = ${c.status} and task_type = ${c.task_type} and id <= ${c.upto}
          limit ${FOLD_BATCH})
        returning n),
      folded as (
        insert into task_counts (scope, status, task_type, n)
        select ${c.scope}, ${c.status}, ${c.task_type}, sum(n) from moved having count(*) > 0
        on conflict (scope, status, task_type) do update set n = task_counts.n + excluded.n)
      select count(*) as moved from moved`.execute(db)
    folded += Number(r.rows[0]?.moved ?? 0)
  }
  return folded
}

/** Adds `rows` to their counters (one upsert); PostgreSQL's `humcli_create_task` does the same. */
export async function applyTaskCounts(tx: Tx, rows: TaskCountDelta[]) {
  await tx
    .insertInto('task_counts')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['scope', 'status', 'task_type']).doUpdateSet({ n: sql`task_counts.n + excluded.n` }),
    )
    .execute()
}

/**
 * How many tasks of `scopes` match: a sum over at most (scopes × statuses × types) counter rows
 * and their deltas not yet folded (about a second of status changes, `foldTaskCountDeltas`).
 */
export async function countedTasks(
  db: Tx,
  scopes: string[],
  filter: { status?: string; task_types?: string[] },
): Promise<number> {
  if (filter.task_types?.length === 0) return 0
  const sum = (table: 'task_counts' | 'task_count_deltas') => {
    let q = db.selectFrom(table).where('scope', 'in', scopes)
    if (filter.status) q = q.where('status', '=', filter.status)
    if (filter.task_types) q = q.where('task_type', 'in', filter.task_types)
    return q.select(sql<bigint>`coalesce(sum(n), 0)`.as('n'))
  }
  const r = await db
    .selectNoFrom(() => [sum('task_counts').as('counted'), sum('task_count_deltas').as('pending')])
    .executeTakeFirstOrThrow()
  return Number(r.counted ?? 0) + Number(r.pending ?? 0)
}
