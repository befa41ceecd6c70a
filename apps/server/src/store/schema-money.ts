/** Row types of money: the ledger, deposits and the chain watcher, payouts (see `schema.ts`). */
import type { Generated } from 'kysely'

export interface AccountsTable {
  id: string
  balance_micros: bigint
  created_at: string
}

export interface LedgerTransactionsTable {
  id: string
  kind: string
  task_id: string | null
  memo: string | null
  created_at: string
}

export interface LedgerEntriesTable {
  id: Generated<bigint>
  transaction_id: string
  account_id: string
  amount_micros: bigint
  created_at: string
}

export interface DepositsTable {
  id: string
  agent_id: string
  chain: string
  tx_hash: string
  log_index: bigint
  amount_micros: bigint
  status: string
  created_at: string
  confirmed_at: string | null
  /** The block the transfer was seen in (migration 0012); null on the development chain. */
  block_number: bigint | null
  block_hash: string | null
  from_address: string | null
}

/** USDC into the deposit address from a wallet no agent has bound (migration 0012). */
export interface UnattributedTransfersTable {
  chain: string
  tx_hash: string
  log_index: bigint
  from_address: string
  amount_micros: bigint
  block_number: bigint
  block_hash: string
  seen_at: string
}

/** How far the deposit watcher has read, and the watched balances when it started (migration 0012). */
export interface ChainCursorsTable {
  name: string
  next_block: bigint
  opening_micros: bigint
  updated_at: string
}

/** The next nonce of each hot wallet (migration 0012). */
export interface ChainSendersTable {
  address: string
  next_nonce: bigint
}

/** An operator withdrawal (migration 0006). Statuses: PENDING_ONCHAIN → CONFIRMED | FAILED. */
export interface PayoutsTable {
  id: string
  operator_id: string
  amount_micros: bigint
  gas_fee_micros: bigint
  net_micros: bigint
  method: string
  chain: string
  to_address: string
  status: string
  tx_hash: string | null
  failure_reason: string | null
  /** Committed before the chain is called: a payout with this set is never sent again. */
  send_attempted_at: string | null
  created_at: string
  updated_at: string
  confirmed_at: string | null
  failed_at: string | null
  /** The signed transfer, committed before it is broadcast (migration 0012). */
  signed_tx: string | null
  nonce: bigint | null
  broadcast_at: string | null
  /** Why the payout is not sent yet (hot wallet short of USDC or gas); null when it is not waiting. */
  waiting_reason: string | null
}
