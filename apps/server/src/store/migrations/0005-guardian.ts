import type { Kysely } from 'kysely'

/**
 * The Guardian's index of proof photos (issue 4): one row per stored photo with its perceptual
 * hash, and one row per hash band so a near-identical photo of any other task is found with an
 * indexed lookup (`findReusedPhotos`) instead of a scan.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('photo_hashes')
    .addColumn('file_id', 'text', (c) => c.primaryKey())
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('operator_id', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('photo_hashes_task').on('photo_hashes').column('task_id').execute()
  await db.schema
    .createTable('photo_hash_bands')
    .addColumn('band', 'text', (c) => c.notNull())
    .addColumn('file_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('photo_hash_bands_pk', ['band', 'file_id'])
    .execute()
}
