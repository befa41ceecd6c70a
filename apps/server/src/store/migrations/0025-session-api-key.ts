import type { Kysely } from 'kysely'

/**
 * The API key a dashboard session was opened with (ADR 0015, "Ending a session"): revoking the
 * key ends the sessions it opened. Null for sessions opened otherwise (a login link, a password).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('api_key_id', 'text').execute()
  await db.schema.createIndex('sessions_api_key').on('sessions').column('api_key_id').execute()
}
