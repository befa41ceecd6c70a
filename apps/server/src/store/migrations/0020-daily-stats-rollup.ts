import type { Kysely } from 'kysely'
import type { DialectName } from '../db.ts'
import type { MigrationHelpers } from '../migrate.ts'

/**
 * The console's daily figures, one row per closed UTC day (ADR 0023): a day is folded from the raw
 * tables once, when it has been over for a while, and read back from here; only the days not yet
 * closed (today) are computed from the raw tables on each request. The backfill folds every
 * closed day that has data, so the first chart after an upgrade does not pay for the whole
 * history (it needs `openContext`'s helpers; a database without tasks migrates without them).
 */
export async function up(
  db: Kysely<unknown>,
  dialect: DialectName,
  helpers?: MigrationHelpers,
): Promise<void> {
  await db.schema
    .createTable('daily_stats')
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('tasks_created', 'bigint', (c) => c.notNull())
    .addColumn('tasks_completed', 'bigint', (c) => c.notNull())
    .addColumn('escrowed_micros', 'bigint', (c) => c.notNull())
    .addColumn('released_micros', 'bigint', (c) => c.notNull())
    .addColumn('refunded_micros', 'bigint', (c) => c.notNull())
    .addColumn('fee_micros', 'bigint', (c) => c.notNull())
    .addColumn('guardian_verified', 'bigint', (c) => c.notNull())
    .addColumn('guardian_manual_review', 'bigint', (c) => c.notNull())
    .addColumn('guardian_resubmit', 'bigint', (c) => c.notNull())
    .addColumn('median_completion_s', 'bigint')
    .addColumn('folded_at', 'text', (c) => c.notNull())
    .execute()
  const any = await (db as Kysely<{ tasks: { id: string } }>)
    .selectFrom('tasks')
    .select('id')
    .limit(1)
    .executeTakeFirst()
  if (!any) return
  if (!helpers) {
    throw new Error(
      'Migration 0020-daily-stats-rollup folds existing tasks and must run through openContext.',
    )
  }
  await helpers.foldDailyStats(db, dialect)
}
