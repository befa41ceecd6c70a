import type { Kysely } from 'kysely'

/**
 * Deposit-wallet binding (spec §4): single-use challenges an agent signs with its wallet, and one
 * agent per wallet, so a transfer from a wallet is credited to exactly one agent. Addresses are
 * stored in their EIP-55 form, which is unique per address.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('wallet_challenges')
    .addColumn('nonce', 'text', (c) => c.primaryKey())
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute()
  await db.schema
    .createIndex('wallet_challenges_agent')
    .on('wallet_challenges')
    .columns(['agent_id', 'issued_at'])
    .execute()
  await db.schema
    .createIndex('agents_wallet_address')
    .on('agents')
    .column('wallet_address')
    .unique()
    .execute()
}
