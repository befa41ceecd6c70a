import type { Kysely } from 'kysely'
import type { DialectName } from '../db.ts'
import { serial, type Table } from './0001-initial.ts'

/**
 * `task_count_deltas` (issue 17): on PostgreSQL a status change adds its counter changes here, an
 * insert that locks nothing, instead of updating its agent's `task_counts` rows, which every
 * transition of that agent's tasks had to wait for until the one before committed (22 ms of lock
 * wait per transition in `bench:webhooks`, one agent). A counter is its `task_counts` row plus its
 * deltas; the workers fold the deltas into the rows every second (`foldTaskCountDeltas`), one
 * counter per statement. SQLite has one writer and keeps updating the rows.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await serial(db.schema.createTable('task_count_deltas') as Table, dialect, 'id')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('task_type', 'text', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('task_count_deltas_counter')
    .on('task_count_deltas')
    .columns(['scope', 'status', 'task_type', 'id'])
    .execute()
}
