import { type Kysely, sql } from 'kysely'
import type { DialectName } from '../db.ts'

// biome-ignore lint/suspicious/noExplicitAny: a migration sees the tables as they were, not as schema.ts types them now
type AnyDb = Kysely<any>

/**
 * Lists whose cost does not grow with history (issue 17, ADR 0021).
 *
 * - Every list sort key ends in `id`, so each index that serves a list ends in `(created_at, id)`:
 *   a page is an index range read, by keyset (`cursor`) at any depth, with no sort.
 * - `task_counts` holds the number of tasks per (scope, status, task_type), kept by `createTask`
 *   and `transitionTask` in their own transaction, so `pagination.total` is a sum of a few rows
 *   instead of `count(*)` over an agent's history. Scope is an agent id, or `market:<shard>` for
 *   the open (PENDING, non-sandbox) tasks of the market, spread over shards so that creates of
 *   different agents do not queue on one row on PostgreSQL.
 * - `geo_cell`: the coarse grid cell of a located task (`geoCell`), indexed with status (and the
 *   columns a browse filters and orders on), so a browse near a point reads the index entries of
 *   the few cells around it.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const d = db as AnyDb
  await d.schema.alterTable('tasks').addColumn('geo_cell', 'bigint').execute()
  await d.schema.dropIndex('tasks_agent_created').execute()
  await d.schema.dropIndex('tasks_status').execute()
  await d.schema
    .createIndex('tasks_agent_list')
    .on('tasks')
    .columns(['agent_id', 'created_at', 'id'])
    .execute()
  await d.schema
    .createIndex('tasks_agent_status_list')
    .on('tasks')
    .columns(['agent_id', 'status', 'created_at', 'id'])
    .execute()
  await d.schema
    .createIndex('tasks_agent_type_list')
    .on('tasks')
    .columns(['agent_id', 'task_type', 'created_at', 'id'])
    .execute()
  await d.schema
    .createIndex('tasks_status_list')
    .on('tasks')
    .columns(['status', 'created_at', 'id'])
    .execute()
  // Every column a browse near a point filters or orders on, so that step reads no table row.
  await d.schema
    .createIndex('tasks_status_cell')
    .on('tasks')
    .columns([
      'status',
      'geo_cell',
      'sandbox',
      'task_type',
      'deadline',
      'location_lat',
      'location_lng',
      'created_at',
      'reward_micros',
      'id',
    ])
    .execute()

  await d.schema
    .createTable('task_counts')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('task_type', 'text', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('task_counts_pk', ['scope', 'status', 'task_type'])
    .execute()
  await backfill(d, dialect)
}

/**
 * What tasks that existed before this migration need: their grid cell and their counters.
 * Exported for the test that runs it over tasks written by the current code and compares.
 */
export async function backfill(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const d = db as AnyDb
  // The same grid as `geoCell` (domain/geo.ts): 0.25° cells, row-major from (-90, -180).
  const floor = (e: string) => (dialect === 'postgres' ? `floor(${e})::bigint` : `cast(${e} as integer)`)
  const least = dialect === 'postgres' ? 'least' : 'min'
  await sql
    .raw(
      `update tasks set geo_cell = ${least}(${floor('(location_lat + 90) / 0.25')}, 719) * 1440 + ${least}(${floor('(location_lng + 180) / 0.25')}, 1439) where location_lat is not null and location_lng is not null`,
    )
    .execute(d)

  await sql`insert into task_counts (scope, status, task_type, n)
    select agent_id, status, task_type, count(*) from tasks group by agent_id, status, task_type`.execute(d)
  await sql`insert into task_counts (scope, status, task_type, n)
    select 'market:0', status, task_type, count(*) from tasks
    where status = 'PENDING' and sandbox = 0 group by status, task_type`.execute(d)
}
