import type { Kysely } from 'kysely'

/**
 * Per-account login limits (issue 16, item 9): failed operator logins counted per (email, client
 * address), so one address guessing one account slows down without locking the account for
 * anyone else, plus a per-account hourly sum over all addresses (`login-throttle.ts`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('login_throttle')
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('failures', 'bigint', (c) => c.notNull())
    .addColumn('window_started_at', 'text', (c) => c.notNull())
    .addColumn('last_failure_at', 'text')
    .addColumn('trusted_at', 'text')
    .addPrimaryKeyConstraint('login_throttle_pk', ['email', 'ip'])
    .execute()
}
