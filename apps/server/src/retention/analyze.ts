import { sql } from 'kysely'
import { addMs } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { enqueueOnce } from '../jobs/enqueue-once.ts'
import { withTx } from '../store/tx.ts'

/**
 * The tables of this schema whose rows changed by more than autovacuum's default threshold (50
 * rows plus 10% of the table) since their last ANALYZE.
 */
const staleTables = sql<{ table: string }>`
  select relname as "table" from pg_stat_user_tables
  where schemaname = current_schema() and n_mod_since_analyze > 50 + 0.1 * n_live_tup
  order by relname`

/** On PostgreSQL, queues the statistics keeper unless a run is already queued or running. */
export async function scheduleStatistics(ctx: Ctx): Promise<void> {
  if (ctx.store.dialect !== 'postgres') return
  const now = ctx.clock.now()
  await withTx(ctx.store, (tx) =>
    enqueueOnce(tx, { kind: 'retention.analyze', payload: {}, runAt: now, now }),
  )
}

/**
 * Job `retention.analyze`, PostgreSQL only: when autovacuum is off, ANALYZEs the tables whose
 * statistics are stale, as autovacuum would, then queues its next run (`HUMCLI_ANALYZE_EVERY`).
 * Without statistics the planner takes an agent with 20,000 tasks for one with 40 and sorts them
 * all for a page of `GET /tasks` (45 ms instead of 0.1 ms, measured). With autovacuum on it does
 * nothing: autovacuum does this itself. A failed run is logged and the next one queued all the same.
 */
export async function analyzeStale(ctx: Ctx): Promise<string[]> {
  const analyzed: string[] = []
  if (ctx.store.dialect !== 'postgres') return analyzed
  const db = ctx.store.db
  try {
    const setting = await sql<{ on: boolean }>`select current_setting('autovacuum') = 'on' as "on"`.execute(
      db,
    )
    if (!setting.rows[0]?.on) {
      for (const { table } of (await staleTables.execute(db)).rows) {
        await sql`analyze ${sql.table(table)}`.execute(db)
        analyzed.push(table)
      }
    }
  } catch (err) {
    ctx.log.warn({ err: (err as Error).message }, 'statistics run failed; trying again at the next run')
  }
  const now = ctx.clock.now()
  const next = addMs(now, ctx.config.analyzeEveryMs)
  await withTx(ctx.store, (tx) =>
    enqueueOnce(tx, { kind: 'retention.analyze', payload: {}, runAt: next, now }, ['queued']),
  )
  if (analyzed.length > 0)
    ctx.log.info({ analyzed }, 'autovacuum is off: analyzed tables with stale statistics')
  return analyzed
}
