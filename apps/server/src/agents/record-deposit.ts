import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { microsToUsd } from '../domain/money.ts'
import { accounts } from '../ledger/accounts.ts'
import { post } from '../ledger/post.ts'
import { recordEvent } from '../outbox/record-event.ts'
import type { Tx } from '../store/schema.ts'
import { upgradeIfEligible } from './tier-upgrade.ts'

export interface DepositRecord {
  id: string
  agentId: string
  chain: string
  txHash: string
  logIndex: number
  amountMicros: bigint
  status: 'CONFIRMED' | 'PENDING_CONFIRMATION'
  blockNumber: bigint | null
  blockHash: string | null
  from: string | null
}

/** Credits a confirmed deposit and upgrades a verified agent whose deposits reach $50 (spec §3). */
async function creditDeposit(
  tx: Tx,
  d: { id: string; agentId: string; txHash: string; amount: bigint },
  now: Date,
) {
  await post(tx, {
    kind: 'deposit',
    memo: d.id,
    at: now,
    entries: [
      { account: accounts.externalChain, amount: -d.amount },
      { account: accounts.agentAvailable(d.agentId), amount: d.amount },
    ],
  })
  await upgradeIfEligible(tx, d.agentId)
  await recordEvent(tx, {
    type: 'deposit.confirmed',
    agentId: d.agentId,
    data: {
      event: 'deposit.confirmed',
      deposit_id: d.id,
      amount_usd: microsToUsd(d.amount),
      tx_hash: d.txHash,
    },
    at: now,
  })
}

/**
 * Records one transfer as a deposit, inside the caller's transaction, crediting it when it is
 * already confirmed; returns the deposit id. Each (chain, tx, log index) is recorded once ever: returns false when it
 * was recorded before (null), except that a deposit a reorg took away (REORGED) is recorded again when
 * the same transfer shows up in a new block.
 */
export async function recordDeposit(ctx: Ctx, tx: Tx, d: DepositRecord): Promise<string | null> {
  const now = ctx.clock.now()
  const fields = {
    agent_id: d.agentId,
    amount_micros: d.amountMicros,
    status: d.status,
    confirmed_at: d.status === 'CONFIRMED' ? iso(now) : null,
    block_number: d.blockNumber,
    block_hash: d.blockHash,
    from_address: d.from,
  }
  const revived = await tx
    .updateTable('deposits')
    .set(fields)
    .where('chain', '=', d.chain)
    .where('tx_hash', '=', d.txHash)
    .where('log_index', '=', BigInt(d.logIndex))
    .where('status', '=', 'REORGED')
    .returning('id')
    .executeTakeFirst()
  const id = revived?.id ?? d.id
  if (!revived) {
    const inserted = await tx
      .insertInto('deposits')
      .values({
        id,
        chain: d.chain,
        tx_hash: d.txHash,
        log_index: BigInt(d.logIndex),
        created_at: iso(now),
        ...fields,
      })
      .onConflict((oc) => oc.columns(['chain', 'tx_hash', 'log_index']).doNothing())
      .returning('id')
      .executeTakeFirst()
    if (!inserted) return null
  }
  if (d.status === 'CONFIRMED') {
    await creditDeposit(tx, { id, agentId: d.agentId, txHash: d.txHash, amount: d.amountMicros }, now)
  }
  return id
}

/**
 * Settles a pending deposit after a new look-up: CONFIRMED credits it, REORGED (the receipt
 * disappeared or moved to another block) marks it so it is never credited. Guarded by the
 * status, so a deposit settles once even when the report and the watcher race.
 */
export async function settlePendingDeposit(
  ctx: Ctx,
  tx: Tx,
  d: { id: string; agent_id: string; tx_hash: string; amount_micros: bigint },
  outcome: 'CONFIRMED' | 'REORGED',
): Promise<boolean> {
  const now = ctx.clock.now()
  const row = await tx
    .updateTable('deposits')
    .set({ status: outcome, confirmed_at: outcome === 'CONFIRMED' ? iso(now) : null })
    .where('id', '=', d.id)
    .where('status', '=', 'PENDING_CONFIRMATION')
    .returning('id')
    .executeTakeFirst()
  if (!row) return false
  if (outcome === 'CONFIRMED') {
    await creditDeposit(
      tx,
      { id: d.id, agentId: d.agent_id, txHash: d.tx_hash, amount: d.amount_micros },
      now,
    )
  }
  return true
}
