import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { DomainError, invalid } from '../domain/errors.ts'
import { newId } from '../domain/ids.ts'
import { microsToUsd, usdToMicros } from '../domain/money.ts'
import { enqueueJob } from '../jobs/enqueue.ts'
import { accounts } from '../ledger/accounts.ts'
import { balanceOf, post } from '../ledger/post.ts'
import { loadOperator } from '../operators/load.ts'
import { recordEvent } from '../outbox/record-event.ts'
import { withTx } from '../store/tx.ts'
import { payoutEventData, payoutView } from './payout-view.ts'

export interface PayoutInput {
  amount_usd: number
  method: 'usdc'
  wallet_address: string
  chain: 'base'
}

const EVM_ADDRESS = /^0x[0-9a-fA-F]{40}$/

function validate(ctx: Ctx, input: PayoutInput): { amount: bigint; gas: bigint; to: string } {
  const amount = usdToMicros(input.amount_usd, 'amount_usd')
  if (!EVM_ADDRESS.test(input.wallet_address)) {
    throw invalid(
      'wallet_address',
      '`wallet_address` must be an EVM address: 0x followed by 40 hexadecimal digits.',
    )
  }
  if (amount < ctx.config.payoutMinMicros) {
    throw new DomainError(
      'LIMIT_EXCEEDED',
      `The minimum payout is $${microsToUsd(ctx.config.payoutMinMicros)}; you asked for $${microsToUsd(amount)}.`,
    )
  }
  const gas = ctx.config.payoutGasFeeMicros
  if (amount <= gas) {
    throw new DomainError(
      'LIMIT_EXCEEDED',
      `The payout must be more than the gas fee of $${microsToUsd(gas)}; you asked for $${microsToUsd(amount)}.`,
    )
  }
  return { amount, gas, to: input.wallet_address.toLowerCase() }
}

/**
 * `POST /operator/payout`. One transaction moves the amount from the operator's available
 * balance to payouts in flight (a guarded debit: concurrent requests can never take more than is
 * available), records the payout as PENDING_ONCHAIN and queues the `payouts.send` job that talks
 * to the chain. The HTTP answer never waits for the chain.
 */
export async function requestPayout(ctx: Ctx, operatorId: string, input: PayoutInput) {
  const { amount, gas, to } = validate(ctx, input)
  const now = ctx.clock.now()
  const at = iso(now)
  return withTx(ctx.store, async (tx) => {
    const op = await loadOperator(tx, operatorId)
    if (op.kyc_status !== 'APPROVED') {
      throw new DomainError(
        'KYC_REQUIRED',
        `Payouts need approved KYC; yours is ${op.kyc_status}. Upload your documents with POST /api/v1/operator/kyc.`,
      )
    }
    const id = newId('payout')
    const available = accounts.operatorAvailable(operatorId)
    try {
      await post(tx, {
        kind: 'payout.request',
        memo: id,
        at: now,
        entries: [
          { account: available, amount: -amount },
          { account: accounts.operatorPayoutInFlight(operatorId), amount },
        ],
      })
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'INSUFFICIENT_BALANCE')) throw err
      throw new DomainError(
        'INSUFFICIENT_BALANCE',
        `Insufficient available balance: you asked for $${microsToUsd(amount)} but $${microsToUsd(await balanceOf(tx, available))} is available (pending earnings become available after the holding period).`,
      )
    }
    const row = await tx
      .insertInto('payouts')
      .values({
        id,
        operator_id: operatorId,
        amount_micros: amount,
        gas_fee_micros: gas,
        net_micros: amount - gas,
        method: input.method,
        chain: input.chain,
        to_address: to,
        status: 'PENDING_ONCHAIN',
        tx_hash: null,
        failure_reason: null,
        send_attempted_at: null,
        created_at: at,
        updated_at: at,
        confirmed_at: null,
        failed_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    await enqueueJob(tx, { kind: 'payouts.send', payload: { payoutId: id }, runAt: now, now, maxAttempts: 5 })
    await recordEvent(tx, { type: 'payout.updated', operatorId, data: payoutEventData(row, at), at: now })
    return payoutView(row)
  })
}
