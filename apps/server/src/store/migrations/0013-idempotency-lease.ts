import type { Kysely } from 'kysely'

/**
 * An `Idempotency-Key` claim names the process that holds it and until when (`owner`,
 * `lease_until`, renewed while the request runs), so the claim of a process that died can be taken
 * over; `result` is the committed result of the request's business transaction, written in that
 * transaction, from which the answer is rebuilt when the process died before storing it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of ['owner', 'lease_until', 'result']) {
    await db.schema.alterTable('idempotency_keys').addColumn(column, 'text').execute()
  }
}
