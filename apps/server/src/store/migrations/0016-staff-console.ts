import { type Kysely, sql } from 'kysely'
import type { DialectName } from '../db.ts'
import { serial, type Table } from './0001-initial.ts'

/**
 * The staff console and the agent dashboard (issue 13): staff accounts with a password and a TOTP
 * second factor (their browser sessions are rows of `sessions`, migration 0015), failed staff logins,
 * the append-only audit log, agent magic links, and the indexes the queues and the daily
 * aggregates read.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await staffTables(db, dialect)
  await loginLinks(db)
  await auditLog(db, dialect)
  await consoleIndexes(db)
}

async function staffTables(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('staff_users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    // The TOTP secret, AES-256-GCM under the master key; kept from creation, confirmed at set-up.
    .addColumn('totp_secret', 'text', (c) => c.notNull())
    .addColumn('totp_last_step', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('setup_token_hash', 'text', (c) => c.unique())
    .addColumn('setup_expires_at', 'text')
    .addColumn('activated_at', 'text')
    .addColumn('disabled_at', 'text')
    // Logout everywhere: console access tokens issued before this instant stop working at once.
    .addColumn('tokens_valid_after', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await serial(db.schema.createTable('staff_login_failures') as Table, dialect, 'id')
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('staff_login_failures_email_at')
    .on('staff_login_failures')
    .columns(['email', 'at'])
    .execute()
}

async function loginLinks(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('agent_login_links')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute()
  await db.schema
    .createIndex('agent_login_links_agent')
    .on('agent_login_links')
    .columns(['agent_id', 'created_at'])
    .execute()
}

/** Append-only: triggers refuse UPDATE and DELETE on both dialects. */
async function auditLog(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await serial(db.schema.createTable('audit_log') as Table, dialect, 'id')
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .addColumn('note', 'text')
    .execute()
  await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at', 'id']).execute()
  await db.schema.createIndex('audit_log_object').on('audit_log').columns(['object_id', 'at']).execute()
  await db.schema.createIndex('audit_log_actor').on('audit_log').columns(['actor', 'at']).execute()
  if (dialect === 'sqlite') {
    for (const op of ['UPDATE', 'DELETE']) {
      await sql
        .raw(
          `create trigger audit_log_no_${op.toLowerCase()} before ${op} on audit_log ` +
            `begin select raise(abort, 'audit_log is append-only'); end`,
        )
        .execute(db)
    }
    return
  }
  await sql`create function audit_log_append_only() returns trigger language plpgsql as $$
    begin raise exception 'audit_log is append-only'; end $$`.execute(db)
  await sql`create trigger audit_log_no_change before update or delete on audit_log
    for each row execute function audit_log_append_only()`.execute(db)
}

async function consoleIndexes(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('operators').addColumn('kyc_submitted_at', 'text').execute()
  await db.schema.alterTable('operators').addColumn('kyc_reason', 'text').execute()
  await db.schema
    .createIndex('operators_kyc')
    .on('operators')
    .columns(['kyc_status', 'kyc_submitted_at'])
    .execute()
  await db.schema.createIndex('payouts_status').on('payouts').columns(['status', 'created_at']).execute()
  // The daily aggregates range over these (ADR 0014).
  await db.schema.createIndex('tasks_created').on('tasks').column('created_at').execute()
  await db.schema
    .createIndex('tasks_completed')
    .on('tasks')
    .columns(['completed_at', 'created_at'])
    .where(sql.ref('completed_at'), 'is not', null)
    .execute()
  await db.schema
    .createIndex('ledger_transactions_created')
    .on('ledger_transactions')
    .columns(['created_at', 'kind'])
    .execute()
  await db.schema.createIndex('task_transitions_at').on('task_transitions').columns(['at', 'actor']).execute()
}
