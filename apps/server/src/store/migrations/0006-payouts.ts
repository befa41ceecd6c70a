import type { Kysely } from 'kysely'

/**
 * Issue 4 (credentials, fairness, payouts):
 * - `payouts`: one row per operator withdrawal; `send_attempted_at` is written and committed
 *   before the chain is called, so a payout is sent at most once (ADR 0007).
 * - `overturned_rejections`: disputes an admin resolved in the operator's favour, counted per
 *   agent over a sliding window to restrict agents automatically (spec §7).
 * - `agents.restriction_lifted_at`: overturns before an admin lifted a restriction no longer count.
 * - `tasks.credentials_purged_at`: credentials purged after the retention period (retrieval → 410).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('payouts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('operator_id', 'text', (c) => c.notNull().references('operators.id'))
    .addColumn('amount_micros', 'bigint', (c) => c.notNull())
    .addColumn('gas_fee_micros', 'bigint', (c) => c.notNull())
    .addColumn('net_micros', 'bigint', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('chain', 'text', (c) => c.notNull())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('tx_hash', 'text')
    .addColumn('failure_reason', 'text')
    .addColumn('send_attempted_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'text')
    .addColumn('failed_at', 'text')
    .execute()
  await db.schema
    .createIndex('payouts_operator_created')
    .on('payouts')
    .columns(['operator_id', 'created_at'])
    .execute()

  await db.schema
    .createTable('overturned_rejections')
    .addColumn('task_id', 'text', (c) => c.primaryKey().references('tasks.id'))
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
    .addColumn('admin_id', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('overturned_rejections_agent_at')
    .on('overturned_rejections')
    .columns(['agent_id', 'at'])
    .execute()

  await db.schema.alterTable('agents').addColumn('restriction_lifted_at', 'text').execute()
  await db.schema.alterTable('tasks').addColumn('credentials_purged_at', 'text').execute()
}
