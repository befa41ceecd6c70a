import { sql } from 'kysely'
import type { Tx } from '../store/schema.ts'

/**
 * Every `task_counts` counter that disagrees with a real count of the tasks: per agent, and the
 * market's open non-sandbox tasks summed over its shards (`market:<n>`, kept by `countTaskChange`);
 * a counter is its row plus its deltas not yet folded (`task_count_deltas`).
 * A full count, so it belongs in the check, never in a request.
 */
export async function taskCountProblems(db: Tx): Promise<string[]> {
  const real = await db
    .selectFrom('tasks')
    .select(['agent_id as scope', 'status', 'task_type', sql<bigint>`count(*)`.as('n')])
    .groupBy(['agent_id', 'status', 'task_type'])
    .execute()
  const market = await db
    .selectFrom('tasks')
    .select(['status', 'task_type', sql<bigint>`count(*)`.as('n')])
    .where('status', '=', 'PENDING')
    .where('sandbox', '=', 0n)
    .groupBy(['status', 'task_type'])
    .execute()
  const counters = [
    ...(await db.selectFrom('task_counts').select(['scope', 'status', 'task_type', 'n']).execute()),
    ...(await db.selectFrom('task_count_deltas').select(['scope', 'status', 'task_type', 'n']).execute()),
  ]
  const key = (scope: string, status: string, type: string) => `${scope}|${status}|${type}`
  const want = new Map<string, bigint>()
  for (const r of real) want.set(key(r.scope, r.status, r.task_type), BigInt(r.n))
  for (const r of market) want.set(key('market', r.status, r.task_type), BigInt(r.n))
  const have = new Map<string, bigint>()
  for (const c of counters) {
    const scope = c.scope.startsWith('market:') ? 'market' : c.scope
    const k = key(scope, c.status, c.task_type)
    have.set(k, (have.get(k) ?? 0n) + BigInt(c.n))
  }
  const problems: string[] = []
  for (const k of new Set([...want.keys(), ...have.keys()])) {
    const [w, h] = [want.get(k) ?? 0n, have.get(k) ?? 0n]
    if (w !== h) problems.push(`task_counts ${k} holds ${h} but the tasks count ${w}`)
  }
  return problems
}
