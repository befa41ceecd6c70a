import type { Kysely } from 'kysely'

/**
 * Browser sessions (ADR 0015): one row per refresh token, only its SHA-256 stored. A token is
 * rotated on use (the row gets `rotated_at`, a new row of the same `family_id` is written);
 * showing a rotated token again revokes the whole family. `subject_kind` makes the table serve
 * every role (operators today; staff and agents in the console).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('family_id', 'text', (c) => c.notNull())
    .addColumn('subject_kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('rotated_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute()
  await db.schema.createIndex('sessions_family').on('sessions').column('family_id').execute()
  await db.schema
    .createIndex('sessions_subject')
    .on('sessions')
    .columns(['subject_kind', 'subject_id'])
    .execute()
}
