import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import { newId } from '../domain/ids.ts'
import { microsToUsd, usdToMicros } from '../domain/money.ts'
import { accounts } from '../ledger/accounts.ts'
import { post } from '../ledger/post.ts'
import { recordEvent } from '../outbox/record-event.ts'
import type { Tx } from '../store/schema.ts'
import { isUniqueViolation, withTx } from '../store/tx.ts'
import { loadAgent } from './load.ts'
import { upgradeIfEligible } from './tier-upgrade.ts'

export interface DepositInput {
  tx_hash: string
  amount_usdc?: number
  chain: string
}

/** Credits a confirmed deposit and upgrades a verified agent whose deposits reach $50 (spec §3). */
async function creditDeposit(tx: Tx, agentId: string, depositId: string, amount: bigint, now: Date) {
  await post(tx, {
    kind: 'deposit',
    memo: depositId,
    at: now,
    entries: [
      { account: accounts.externalChain, amount: -amount },
      { account: accounts.agentAvailable(agentId), amount },
    ],
  })
  await upgradeIfEligible(tx, agentId)
}

/**
 * Reports a deposit. The chain port decides the amount and the confirmation; each
 * (chain, tx hash, log index) is credited once ever.
 */
export async function reportDeposit(ctx: Ctx, agentId: string, input: DepositInput) {
  const agent = await loadAgent(ctx.store.db, agentId)
  const claimed = input.amount_usdc === undefined ? null : usdToMicros(input.amount_usdc, 'amount_usdc')
  const txHash = input.tx_hash.toLowerCase()
  const verified = await ctx.chain.verifyDeposit({
    chain: input.chain,
    txHash,
    claimedAmountMicros: claimed,
    agentWallet: agent.wallet_address,
  })
  const now = ctx.clock.now()
  const id = newId('dep')
  try {
    await withTx(ctx.store, async (tx) => {
      await tx
        .insertInto('deposits')
        .values({
          id,
          agent_id: agentId,
          chain: input.chain,
          tx_hash: txHash,
          log_index: BigInt(verified.logIndex),
          amount_micros: verified.amountMicros,
          status: verified.status,
          created_at: iso(now),
          confirmed_at: verified.status === 'CONFIRMED' ? iso(now) : null,
        })
        .execute()
      if (verified.status === 'CONFIRMED') {
        await creditDeposit(tx, agentId, id, verified.amountMicros, now)
        await recordEvent(tx, {
          type: 'deposit.confirmed',
          agentId,
          data: {
            event: 'deposit.confirmed',
            deposit_id: id,
            amount_usd: microsToUsd(verified.amountMicros),
            tx_hash: txHash,
          },
          at: now,
        })
      }
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw new DomainError('CONFLICT', 'Transaction already processed.')
    throw err
  }
  return {
    deposit_id: id,
    tx_hash: txHash,
    chain: input.chain,
    amount_usdc: microsToUsd(verified.amountMicros),
    status: verified.status,
    created_at: iso(now),
  }
}

/** `humcli admin credit`: funds an agent on a private deployment without a chain. */
export async function adminCredit(ctx: Ctx, agentId: string, amount: bigint, memo: string) {
  if (amount <= 0n) throw new DomainError('VALIDATION_FAILED', 'The amount to credit must be greater than 0.')
  const now = ctx.clock.now()
  return withTx(ctx.store, async (tx) => {
    await loadAgent(tx, agentId)
    const id = await post(tx, {
      kind: 'admin.credit',
      memo,
      at: now,
      entries: [
        { account: accounts.externalAdmin, amount: -amount },
        { account: accounts.agentAvailable(agentId), amount },
      ],
    })
    return { transaction_id: id, agent_id: agentId, amount_usd: microsToUsd(amount) }
  })
}
