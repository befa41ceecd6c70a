import { sql } from 'kysely'
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
 * Keeps `task_counts` true in the caller's transaction: one upsert for every row the change
 * touches. Called by `createTask` and `transitionTask`, the only places a task's status is set.
 * Callers place it before the ledger postings, so the counter rows are always locked before the
 * balance rows.
 */
export async function countTaskChange(tx: Tx, task: CountedTask, from: string | null, to: string) {
  await applyTaskCounts(tx, taskCountDeltas(task, from, to))
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

/** How many tasks of `scopes` match: a sum over at most (scopes × statuses × types) rows. */
export async function countedTasks(
  db: Tx,
  scopes: string[],
  filter: { status?: string; task_types?: string[] },
): Promise<number> {
  let q = db.selectFrom('task_counts').where('scope', 'in', scopes)
  if (filter.status) q = q.where('status', '=', filter.status)
  if (filter.task_types) {
    if (filter.task_types.length === 0) return 0
    q = q.where('task_type', 'in', filter.task_types)
  }
  const r = await q.select(sql<bigint | null>`sum(n)`.as('n')).executeTakeFirstOrThrow()
  return Number(r.n ?? 0)
}
