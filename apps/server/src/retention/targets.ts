import { type DeleteQueryBuilder, type DeleteResult, type ExpressionBuilder, sql } from 'kysely'
import { addMs, iso } from '../clock.ts'
import type { RetentionConfig } from '../config-jobs.ts'
import type { Database, Db } from '../store/schema.ts'

/** What `retention.prune` counts separately (`retention_totals.name`, the metric's `table`). */
export type PruneName = 'jobs.done' | 'jobs.failed' | 'webhook_deliveries' | 'outbox' | 'idempotency_keys'

/** One kind of prunable row: `query` deletes at most `limit` of them (any order: all are past their period). */
export interface PruneTarget {
  name: PruneName
  query(db: Db, limit: number): DeleteQueryBuilder<Database, Table, DeleteResult>
}

/** The longest wait before a job's next attempt (`backoffMs` of the job runner caps it at an hour). */
const MAX_BACKOFF_MS = 3_600_000

export type Table = 'jobs' | 'webhook_deliveries' | 'outbox' | 'idempotency_keys'
type Key<T extends Table> = {
  jobs: 'id'
  webhook_deliveries: 'id'
  outbox: 'seq'
  idempotency_keys: 'scope'
}[T]
type Where<T extends Table> = (
  eb: ExpressionBuilder<Database, T>,
) => ReturnType<ExpressionBuilder<Database, T>['and']>

/**
 * `DELETE … WHERE key IN (SELECT key … WHERE <old> LIMIT n) AND <old>`: the inner select is one
 * range read of the target's index (no DELETE … LIMIT on SQLite); the outer repeat of the
 * predicate is checked again on the row being deleted, so on PostgreSQL a row that changed since
 * the select (a delivery sent again, a key claimed anew) is left alone. Statuses are literals:
 * SQLite uses a partial index only when the query names its condition's constant.
 */
function target<T extends Table>(name: PruneName, table: T, key: Key<T>, old: Where<T>): PruneTarget {
  return {
    name,
    query(db, limit) {
      // biome-ignore lint/suspicious/noExplicitAny: one builder over four tables; each call site is typed by Where<T>
      const d = db as any
      return d
        .deleteFrom(table)
        .where(key, 'in', d.selectFrom(table).select(key).where(old).limit(limit))
        .where(old)
    },
  }
}

/**
 * A job finished before `before`, found through `jobs_due` (status, run_at): a done job ran after
 * it was due, so its run_at is earlier still; a failed job's run_at is the backoff it would have
 * waited next, at most an hour after it finished (`backoffMs`).
 */
const finishedJobs =
  (status: 'done' | 'failed', before: Date): Where<'jobs'> =>
  (eb) =>
    eb.and([
      eb('status', '=', sql.lit(status)),
      eb('run_at', '<', iso(status === 'done' ? before : addMs(before, MAX_BACKOFF_MS))),
      eb('finished_at', '<', iso(before)),
    ])

/** What may be pruned at `now` under these periods (a period that is off contributes nothing). */
export function pruneTargets(r: RetentionConfig, now: Date): PruneTarget[] {
  const before = (ms: number) => iso(addMs(now, -ms))
  const out: PruneTarget[] = []
  if (r.jobsMs !== null) {
    const b = addMs(now, -r.jobsMs)
    out.push(target('jobs.done', 'jobs', 'id', finishedJobs('done', b)))
    out.push(target('jobs.failed', 'jobs', 'id', finishedJobs('failed', b)))
  }
  if (r.deliveriesMs !== null) {
    const b = before(r.deliveriesMs)
    // Only delivered ones: a pending or failed delivery is the latest state of an undelivered
    // event, which the agent may still send again (`redeliver`).
    out.push(
      target('webhook_deliveries', 'webhook_deliveries', 'id', (eb) =>
        eb.and([eb('status', '=', sql.lit('succeeded')), eb('delivered_at', '<', b)]),
      ),
    )
  }
  if (r.outboxMs !== null) {
    const b = before(r.outboxMs)
    out.push(
      target('outbox', 'outbox', 'seq', (eb) =>
        eb.and([eb('dispatched_at', 'is not', null), eb('dispatched_at', '<', b)]),
      ),
    )
  }
  const nowIso = iso(now)
  out.push(
    target('idempotency_keys', 'idempotency_keys', 'scope', (eb) => eb.and([eb('expires_at', '<', nowIso)])),
  )
  return out
}
