import { DomainError } from '../domain/errors.ts'
import { microsToUsd } from '../domain/money.ts'
import type { Db } from '../store/schema.ts'
import { DEPOSIT_CHAIN } from './wallet.ts'

type DepositState = 'PENDING_CONFIRMATION' | 'CONFIRMED' | 'REORGED'

/** The whole transaction's state: credited once every transfer is, gone once every one is. */
function overall(states: DepositState[]): DepositState {
  if (states.every((s) => s === 'CONFIRMED' || s === 'REORGED') && states.includes('CONFIRMED')) {
    return 'CONFIRMED'
  }
  return states.every((s) => s === 'REORGED') ? 'REORGED' : 'PENDING_CONFIRMATION'
}

/**
 * `GET /agents/deposits/{tx_hash}`: the agent's deposits of one transaction, whoever recorded
 * them (a report or the watcher), so a client that sent a transfer can wait for its credit.
 * Another agent's transaction is a 404, like one never seen.
 */
export async function depositStatus(db: Db, agentId: string, txHash: string) {
  const tx = txHash.toLowerCase()
  const rows = await db
    .selectFrom('deposits')
    .select(['id', 'log_index', 'amount_micros', 'status', 'confirmed_at', 'block_number'])
    .where('chain', '=', DEPOSIT_CHAIN)
    .where('tx_hash', '=', tx)
    .where('agent_id', '=', agentId)
    .orderBy('log_index')
    .execute()
  if (rows.length === 0) {
    throw new DomainError(
      'NOT_FOUND',
      `No deposit of yours from transaction ${tx} yet: report it with POST /api/v1/agents/deposit/usdc, ` +
        'or wait for the watcher to see it (it must come from your bound wallet).',
    )
  }
  const states = rows.map((r) => r.status as DepositState)
  const live = rows.filter((r) => r.status !== 'REORGED')
  const block = live[0]?.block_number ?? null
  return {
    tx_hash: tx,
    chain: DEPOSIT_CHAIN,
    status: overall(states),
    amount_usdc: microsToUsd(live.reduce((sum, r) => sum + r.amount_micros, 0n)),
    block_number: block === null ? null : Number(block),
    deposits: rows.map((r) => ({
      deposit_id: r.id,
      log_index: Number(r.log_index),
      amount_usdc: microsToUsd(r.amount_micros),
      status: r.status as DepositState,
      confirmed_at: r.confirmed_at,
    })),
  }
}
