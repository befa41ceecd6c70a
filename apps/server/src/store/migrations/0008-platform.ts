import { type Kysely, sql } from 'kysely'

/**
 * Lets `/metrics` count unfinished webhook deliveries (pending, failed) without scanning the
 * delivered ones, which grow without bound. Partial, so a delivery leaves it once done.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('webhook_deliveries_unfinished')
    .on('webhook_deliveries')
    .column('status')
    .where(sql.ref('status'), '<>', 'done')
    .execute()
}
