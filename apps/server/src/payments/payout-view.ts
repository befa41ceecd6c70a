import type { Selectable } from 'kysely'
import { microsToUsd } from '../domain/money.ts'
import type { PayoutsTable } from '../store/schema.ts'

export type PayoutRow = Selectable<PayoutsTable>
export type PayoutStatus = 'PENDING_ONCHAIN' | 'CONFIRMED' | 'FAILED'

function message(p: PayoutRow): string {
  switch (p.status as PayoutStatus) {
    case 'PENDING_ONCHAIN':
      if (p.waiting_reason) {
        return `Payout of $${microsToUsd(p.net_micros)} to ${p.to_address} waits: ${p.waiting_reason}. It goes out by itself once that is fixed.`
      }
      return `Payout of $${microsToUsd(p.net_micros)} to ${p.to_address} on ${p.chain} is queued; it is sent on chain shortly.`
    case 'CONFIRMED':
      return `Payout of $${microsToUsd(p.net_micros)} to ${p.to_address} confirmed on ${p.chain} (tx ${p.tx_hash}).`
    case 'FAILED':
      return `Payout failed (${p.failure_reason ?? 'unknown reason'}); $${microsToUsd(p.amount_micros)} is back in your available balance.`
  }
}

/** The payout as the API shows it (spec §4). */
export function payoutView(p: PayoutRow) {
  return {
    payout_id: p.id,
    amount_usd: microsToUsd(p.amount_micros),
    gas_fee_usd: microsToUsd(p.gas_fee_micros),
    net_amount_usd: microsToUsd(p.net_micros),
    method: p.method,
    to_address: p.to_address,
    chain: p.chain,
    status: p.status as PayoutStatus,
    // The hash exists once the transfer is signed; it is shown once it has been broadcast.
    tx_hash: p.status === 'PENDING_ONCHAIN' && !p.broadcast_at ? null : p.tx_hash,
    message: message(p),
    failure_reason: p.failure_reason,
    created_at: p.created_at,
    confirmed_at: p.confirmed_at,
    failed_at: p.failed_at,
  }
}

/** The `payout.updated` event: what a receiver needs to follow a payout. */
export function payoutEventData(p: PayoutRow, at: string) {
  return {
    event: 'payout.updated',
    payout_id: p.id,
    operator_id: p.operator_id,
    status: p.status,
    amount_usd: microsToUsd(p.amount_micros),
    net_amount_usd: microsToUsd(p.net_micros),
    tx_hash: p.tx_hash,
    timestamp: at,
  }
}
