import type { Kysely } from 'kysely'

/**
 * Issue 14, real USDC on an EVM chain (ADR 0018):
 * - `deposits`: the block a deposit was seen in (a later look-up with another block hash is a
 *   reorg: the deposit is REORGED, never credited) and its sender.
 * - `unattributed_transfers`: USDC sent to the deposit address from a wallet no agent has bound;
 *   kept for staff, never lost. Each (chain, tx, log index) once.
 * - `chain_cursors`: how far the deposit watcher has read (the next block), resumable after a
 *   crash, with the watched balances when it started (the reconciliation's opening balance).
 * - `chain_senders`: the next nonce of each hot wallet, handed out in the transaction that
 *   stores a signed payout, so no two payouts ever share a nonce, across processes too.
 * - `payouts`: the signed transaction, its nonce and broadcast time (the transaction is signed
 *   and committed before it is broadcast, so a crash can only lead to sending the same bytes
 *   again), and why a payout waits (hot wallet short of USDC or gas).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('deposits').addColumn('block_number', 'bigint').execute()
  await db.schema.alterTable('deposits').addColumn('block_hash', 'text').execute()
  await db.schema.alterTable('deposits').addColumn('from_address', 'text').execute()
  await db.schema.createIndex('deposits_status').on('deposits').columns(['status', 'created_at']).execute()

  await db.schema
    .createTable('unattributed_transfers')
    .addColumn('chain', 'text', (c) => c.notNull())
    .addColumn('tx_hash', 'text', (c) => c.notNull())
    .addColumn('log_index', 'bigint', (c) => c.notNull())
    .addColumn('from_address', 'text', (c) => c.notNull())
    .addColumn('amount_micros', 'bigint', (c) => c.notNull())
    .addColumn('block_number', 'bigint', (c) => c.notNull())
    .addColumn('block_hash', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('unattributed_transfers_pk', ['chain', 'tx_hash', 'log_index'])
    .execute()

  await db.schema
    .createTable('chain_cursors')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('next_block', 'bigint', (c) => c.notNull())
    .addColumn('opening_micros', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('chain_senders')
    .addColumn('address', 'text', (c) => c.primaryKey())
    .addColumn('next_nonce', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema.alterTable('payouts').addColumn('signed_tx', 'text').execute()
  await db.schema.alterTable('payouts').addColumn('nonce', 'bigint').execute()
  await db.schema.alterTable('payouts').addColumn('broadcast_at', 'text').execute()
  await db.schema.alterTable('payouts').addColumn('waiting_reason', 'text').execute()
}
