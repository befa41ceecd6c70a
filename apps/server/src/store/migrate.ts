import { type Kysely, sql } from 'kysely'
import type { DialectName } from './db.ts'
import * as m0001 from './migrations/0001-initial.ts'
import * as m0002 from './migrations/0002-webhooks.ts'
import * as m0003 from './migrations/0003-workers.ts'
import * as m0004 from './migrations/0004-jobs-by-kind.ts'
import * as m0005 from './migrations/0005-guardian.ts'
import * as m0006 from './migrations/0006-payouts.ts'
import * as m0007 from './migrations/0007-sandbox-email.ts'
import * as m0008 from './migrations/0008-platform.ts'
import * as m0009 from './migrations/0009-wallets.ts'
import * as m0010 from './migrations/0010-task-head-index.ts'
import * as m0011 from './migrations/0011-login-throttle.ts'
import * as m0012 from './migrations/0012-chain.ts'
import * as m0013 from './migrations/0013-idempotency-lease.ts'
import * as m0014 from './migrations/0014-job-lanes.ts'
import * as m0015 from './migrations/0015-sessions.ts'
import * as m0016 from './migrations/0016-staff-console.ts'
import * as m0017 from './migrations/0017-sealed-webhook-secrets.ts'
import * as m0018 from './migrations/0018-task-lists.ts'
import * as m0020 from './migrations/0020-daily-stats-rollup.ts'
import * as m0021 from './migrations/0021-pg-create-task.ts'
import * as m0022 from './migrations/0022-retention.ts'
import * as m0023 from './migrations/0023-geo-bands.ts'
import * as m0025 from './migrations/0025-session-api-key.ts'
import * as m0026 from './migrations/0026-unfinished-deliveries.ts'
import * as m0027 from './migrations/0027-created-day-index.ts'
import * as m0028 from './migrations/0028-pg-create-without-subtransactions.ts'
import * as m0029 from './migrations/0029-delivery-attempts-without-jobs.ts'
import * as m0030 from './migrations/0030-task-count-deltas.ts'
import { lockSection, withTx } from './tx.ts'

/**
 * What a data migration needs from the layers above the store (sealing under the master key, API
 * rules), handed in by the composition root (`openContext`), so the store imports nothing above it.
 */
export interface MigrationHelpers {
  sealEndpointSecret(endpointId: string, plaintext: string): string
  sealCallbackSecret(taskId: string, plaintext: string): string
  isSealed(stored: string): boolean
  replayableCreateAnswer(body: Record<string, unknown>): Record<string, unknown>
  /** Folds every closed day with data into `daily_stats` (ADR 0023) by the context's clock, in the migration's transaction. */
  foldDailyStats(db: Kysely<unknown>, dialect: DialectName): Promise<void>
}

/** Schema-only migrations ignore `helpers`; one that rewrites data refuses to run without them. */
type DialectMigration = {
  up(db: Kysely<unknown>, dialect: DialectName, helpers?: MigrationHelpers): Promise<void>
}

/** Every migration, in order. Names never change once released. */
const MIGRATIONS: [string, DialectMigration][] = [
  ['0001-initial', m0001],
  ['0002-webhooks', m0002],
  ['0003-workers', m0003],
  ['0004-jobs-by-kind', m0004],
  ['0005-guardian', m0005],
  ['0006-payouts', m0006],
  ['0007-sandbox-email', m0007],
  ['0008-platform', m0008],
  ['0009-wallets', m0009],
  ['0010-task-head-index', m0010],
  ['0011-login-throttle', m0011],
  ['0012-chain', m0012],
  ['0013-idempotency-lease', m0013],
  ['0014-job-lanes', m0014],
  ['0015-sessions', m0015],
  ['0016-staff-console', m0016],
  ['0017-sealed-webhook-secrets', m0017],
  ['0018-task-lists', m0018],
  ['0020-daily-stats-rollup', m0020],
  ['0021-pg-create-task', m0021],
  ['0022-retention', m0022],
  ['0023-geo-bands', m0023],
  ['0025-session-api-key', m0025],
  ['0026-unfinished-deliveries', m0026],
  ['0027-created-day-index', m0027],
  ['0028-pg-create-without-subtransactions', m0028],
  ['0029-delivery-attempts-without-jobs', m0029],
  ['0030-task-count-deltas', m0030],
]

/**
 * Applies every pending migration in one transaction; returns the names applied.
 *
 * Our own small migrator rather than Kysely's: Kysely introspects the tables of every schema in
 * the database, which breaks when several humcli schemas share one PostgreSQL database (tests,
 * or tenants) and one is dropped mid-way. Here the bookkeeping table lives in the current schema,
 * and concurrent starts are serialised by a transaction-scoped advisory lock (PostgreSQL) or
 * `BEGIN IMMEDIATE` (SQLite). DDL is transactional on both, so a failed migration leaves nothing.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  dialect: DialectName,
  helpers?: MigrationHelpers,
): Promise<string[]> {
  return withTx({ db: db as never, dialect }, async (trx) => {
    const tx = trx as unknown as Kysely<unknown>
    await lockSection(tx, dialect, 'migrate')
    await sql`create table if not exists humcli_migrations (name text primary key, applied_at text not null)`.execute(
      tx,
    )
    const done = new Set(
      (await sql<{ name: string }>`select name from humcli_migrations`.execute(tx)).rows.map((r) => r.name),
    )
    const applied: string[] = []
    for (const [name, migration] of MIGRATIONS) {
      if (done.has(name)) continue
      await migration.up(tx, dialect, helpers)
      await sql`insert into humcli_migrations (name, applied_at) values (${name}, ${new Date().toISOString()})`.execute(
        tx,
      )
      applied.push(name)
    }
    return applied
  })
}
