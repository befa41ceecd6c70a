import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { DomainError, invalid } from '../domain/errors.ts'
import { newId } from '../domain/ids.ts'
import { microsToUsd, usdToMicros } from '../domain/money.ts'
import { accounts } from '../ledger/accounts.ts'
import { post } from '../ledger/post.ts'
import { withTx } from '../store/tx.ts'
import { loadAgent } from './load.ts'
import { recordDeposit } from './record-deposit.ts'

export interface DepositInput {
  tx_hash: string
  amount_usdc?: number
  chain: string
}

/**
 * Reports a deposit (`POST /agents/deposit/usdc`). The chain port decides the amounts and the
 * confirmation; `amount_usdc`, when given, is only compared with what the chain says. Every
 * matching Transfer log of the transaction becomes one deposit; each (chain, tx hash, log index)
 * is credited once ever, whoever records it first (this report or the watcher). A deposit still
 * short of confirmations is PENDING_CONFIRMATION: the `chain.watch` job settles it.
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
  const total = verified.transfers.reduce((sum, t) => sum + t.amountMicros, 0n)
  if (claimed !== null && claimed !== total) {
    throw invalid(
      'amount_usdc',
      `\`amount_usdc\` is ${microsToUsd(claimed)} but transaction ${txHash} moved ${microsToUsd(total)} USDC ` +
        'from your wallet to the deposit address: send the amount the chain shows, or leave it out.',
    )
  }
  const now = ctx.clock.now()
  const rows = verified.transfers.map((t) => ({
    id: newId('dep'),
    logIndex: t.logIndex,
    amountMicros: t.amountMicros,
  }))
  // The answer is the transaction's result, so a replayed Idempotency-Key rebuilds it (ADR 0013).
  return withTx(ctx.store, async (tx) => {
    const recorded: typeof rows = []
    for (const r of rows) {
      const id = await recordDeposit(ctx, tx, {
        ...r,
        agentId,
        chain: input.chain,
        txHash,
        status: verified.status,
        blockNumber: verified.blockNumber,
        blockHash: verified.blockHash,
        from: verified.transfers.find((t) => t.logIndex === r.logIndex)!.from || null,
      })
      if (id) recorded.push({ ...r, id })
    }
    if (recorded.length === 0) throw new DomainError('CONFLICT', 'Transaction already processed.')
    const amount = recorded.reduce((sum, r) => sum + r.amountMicros, 0n)
    return {
      deposit_id: recorded[0]!.id,
      tx_hash: txHash,
      chain: input.chain,
      amount_usdc: microsToUsd(amount),
      status: verified.status,
      created_at: iso(now),
      deposits: recorded.map((r) => ({
        deposit_id: r.id,
        log_index: r.logIndex,
        amount_usdc: microsToUsd(r.amountMicros),
      })),
    }
  })
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
