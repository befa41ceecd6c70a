import type { Kysely } from 'kysely'

/** Lets the webhook fan-out find the queued fan-out jobs of the events it has just handled. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('jobs_kind_status').on('jobs').columns(['kind', 'status']).execute()
}
