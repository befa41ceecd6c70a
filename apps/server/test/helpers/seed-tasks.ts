// Writes tasks straight into the store, in batches, for the plan test and the list bench: rows
// as `createTask` writes them (the task row with its `geo_cell`, the creation transition, the
// `task_counts` counters), at a rate the HTTP path cannot reach (1M tasks). Not written: the
// escrow postings, daily usage and deadline jobs, which no list reads; the ledger check stays
// true since no ledger row refers to these tasks.
import type { Kysely } from 'kysely'
import { sql } from 'kysely'
import { geoCell } from '../../src/domain/geo.ts'
import { newId } from '../../src/domain/ids.ts'
import type { TaskStatus } from '../../src/domain/lifecycle.ts'
import { domainOf, type TaskType } from '../../src/domain/task-types.ts'
import type { Store } from '../../src/store/db.ts'
import type { Database, TasksTable } from '../../src/store/schema.ts'
import { withTx } from '../../src/store/tx.ts'
import { MARKET_SCOPES } from '../../src/tasks/task-counts.ts'

export interface SeedOptions {
  agentId: string
  n: number
  /** Status of the i-th task (default PENDING). */
  status?: (i: number) => string
  taskType?: (i: number) => TaskType
  /** Location of the i-th task, or null for none. */
  location?: (i: number) => { lat: number; lng: number } | null
  /** created_at of the i-th task: default one per 3 tasks and ms, so ties in created_at abound. */
  createdAt?: (i: number) => Date
  deadline: Date
  sandbox?: boolean
}

const BATCH = 400

/** A deterministic pseudo-random source (mulberry32), so seeded data and plans repeat. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export async function seedTasks(store: Store, o: SeedOptions): Promise<void> {
  const base = Date.parse('2026-01-01T00:00:00.000Z')
  const counts = new Map<string, bigint>()
  const bump = (scope: string, status: string, type: string) => {
    const k = `${scope}\u0000${status}\u0000${type}`
    counts.set(k, (counts.get(k) ?? 0n) + 1n)
  }
  for (let start = 0; start < o.n; start += BATCH) {
    const rows: TasksTable[] = []
    for (let i = start; i < Math.min(o.n, start + BATCH); i++) {
      rows.push(taskRow(o, i, base))
      const r = rows.at(-1)!
      bump(o.agentId, r.status, r.task_type)
      if (r.status === 'PENDING' && !o.sandbox)
        bump(MARKET_SCOPES[i % MARKET_SCOPES.length]!, 'PENDING', r.task_type)
    }
    await withTx(store, async (tx) => {
      await tx.insertInto('tasks').values(rows).execute()
      await tx
        .insertInto('task_transitions')
        .values(
          rows.map((r) => ({
            task_id: r.id,
            from_status: null,
            to_status: 'PENDING',
            actor: `agent:${o.agentId}`,
            reason: 'created',
            at: r.created_at,
          })),
        )
        .execute()
    })
  }
  await withTx(store, async (tx) => addCounts(tx, counts))
}

async function addCounts(tx: Kysely<Database>, counts: Map<string, bigint>) {
  const rows = [...counts].map(([k, n]) => {
    const [scope, status, task_type] = k.split('\u0000') as [string, string, string]
    return { scope, status, task_type, n }
  })
  for (let i = 0; i < rows.length; i += BATCH) {
    await tx
      .insertInto('task_counts')
      .values(rows.slice(i, i + BATCH))
      .onConflict((oc) =>
        oc.columns(['scope', 'status', 'task_type']).doUpdateSet({ n: sql`task_counts.n + excluded.n` }),
      )
      .execute()
  }
}

function taskRow(o: SeedOptions, i: number, base: number): TasksTable {
  const created = o.createdAt ? o.createdAt(i) : new Date(base + Math.floor(i / 3))
  const type = o.taskType ? o.taskType(i) : 'PHOTO'
  const loc = o.location ? o.location(i) : { lat: 52.52, lng: 13.405 }
  const at = created.toISOString()
  const status = o.status ? o.status(i) : 'PENDING'
  return {
    id: newId('task', created.getTime()),
    agent_id: o.agentId,
    title: `Seeded task ${i}`,
    description: 'A task written by the seeding helper for list and browse measurements.',
    task_type: type,
    domain: domainOf(type),
    reward_micros: BigInt(1 + (i % 97)) * 1_000_000n,
    fee_micros: 1_000_000n,
    escrow_micros: o.sandbox ? 0n : BigInt(2 + (i % 97)) * 1_000_000n,
    deadline: o.deadline.toISOString(),
    proof_requirements: JSON.stringify(['a photo']),
    location_lat: loc?.lat ?? null,
    location_lng: loc?.lng ?? null,
    location_address: null,
    location_radius_m: 200n,
    digital_instructions: null,
    agent_public_key: null,
    callback_url: null,
    callback_secret: null,
    metadata: null,
    status: status as TaskStatus,
    version: 1n,
    sandbox: o.sandbox ? 1n : 0n,
    operator_id: null,
    estimate: null,
    proof: null,
    credentials: null,
    guardian_result: null,
    verify_reason: null,
    resolution: null,
    submit_attempts: 0n,
    cancel_reason: status === 'CANCELLED' ? 'seeded' : null,
    created_at: at,
    accepted_at: null,
    started_at: null,
    submitted_at: null,
    completed_at: null,
    cancelled_at: status === 'CANCELLED' ? at : null,
    updated_at: at,
    credentials_purged_at: null,
    geo_cell: loc ? geoCell(loc.lat, loc.lng) : null,
  }
}

/** Fresh planner statistics, as `ANALYZE` (PostgreSQL autovacuum, SQLite `PRAGMA optimize`) keeps them. */
export async function analyze(store: Store): Promise<void> {
  await sql`analyze`.execute(store.db)
}
