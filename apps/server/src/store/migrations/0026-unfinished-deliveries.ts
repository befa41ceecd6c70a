import { type Kysely, sql } from 'kysely'

/**
 * `webhook_deliveries_unfinished` (migration 0008) was meant to hold only the deliveries not yet
 * delivered, but its predicate named a status no delivery has (`done`; a delivered one is
 * `succeeded`), so it held every delivery and `/metrics` counted the whole history on each scrape.
 * Rebuilt on the statuses that are open work: pending (waiting for an attempt or a retry) and
 * failed (given up, kept for redelivery).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('webhook_deliveries_unfinished').execute()
  await db.schema
    .createIndex('webhook_deliveries_unfinished')
    .on('webhook_deliveries')
    .column('status')
    .where(sql.ref('status'), 'in', sql`('pending', 'failed')`)
    .execute()
}
