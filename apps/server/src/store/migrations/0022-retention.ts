import { type Kysely, sql } from 'kysely'

/**
 * Retention of finished work (issue 17, ADR 0025): the `retention.prune` job deletes old rows in
 * bounded batches, each batch one index range read. Finished jobs are found through `jobs_due`
 * (status, run_at) and need nothing new; these indexes hold only what may be pruned:
 * - `webhook_deliveries_delivered`: delivered deliveries by delivery time (partial, so pending and
 *   failed ones, which are never pruned, are not in it);
 * - `outbox_dispatched`: fanned-out events by fan-out time (partial, the complement of
 *   `outbox_undispatched`);
 * - `idempotency_keys_expires`: keys by expiry.
 * `retention_totals` counts the rows pruned per kind, deployment-wide, for `/metrics`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('webhook_deliveries_delivered')
    .on('webhook_deliveries')
    .column('delivered_at')
    .where(sql.ref('status'), '=', sql.lit('succeeded'))
    .execute()
  await db.schema
    .createIndex('outbox_dispatched')
    .on('outbox')
    .column('dispatched_at')
    .where(sql.ref('dispatched_at'), 'is not', null)
    .execute()
  await db.schema
    .createIndex('idempotency_keys_expires')
    .on('idempotency_keys')
    .column('expires_at')
    .execute()
  await db.schema
    .createTable('retention_totals')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('pruned', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
}
