import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { accounts } from '../ledger/accounts.ts'
import { post } from '../ledger/post.ts'
import { recordEvent } from '../outbox/record-event.ts'
import { withTx } from '../store/tx.ts'
import { type PayoutRow, payoutEventData } from './payout-view.ts'

export type PayoutOutcome = { ok: true; txHash: string } | { ok: false; reason: string }

/**
 * Claims the one send attempt of a payout: sets `send_attempted_at` only where it is still null,
 * and commits that before the chain is called. Whoever updates the row owns the attempt; a second
 * run of the job, a racing worker or a retry after a crash updates nothing and sends nothing.
 */
async function claimAttempt(ctx: Ctx, payoutId: string): Promise<PayoutRow | undefined> {
  const at = iso(ctx.clock.now())
  return withTx(ctx.store, (tx) =>
    tx
      .updateTable('payouts')
      .set({ send_attempted_at: at, updated_at: at })
      .where('id', '=', payoutId)
      .where('status', '=', 'PENDING_ONCHAIN')
      .where('send_attempted_at', 'is', null)
      .returningAll()
      .executeTakeFirst(),
  )
}

/**
 * Records the chain's answer: CONFIRMED moves the money out to `external:chain`; FAILED returns it
 * to the operator's available balance. Only a PENDING_ONCHAIN payout settles, once; returns false
 * when it had already settled.
 */
export async function settlePayout(ctx: Ctx, payout: PayoutRow, outcome: PayoutOutcome): Promise<boolean> {
  const now = ctx.clock.now()
  const at = iso(now)
  return withTx(ctx.store, async (tx) => {
    const row = await tx
      .updateTable('payouts')
      .set(
        outcome.ok
          ? { status: 'CONFIRMED', tx_hash: outcome.txHash, confirmed_at: at, updated_at: at }
          : { status: 'FAILED', failure_reason: outcome.reason, failed_at: at, updated_at: at },
      )
      .where('id', '=', payout.id)
      .where('status', '=', 'PENDING_ONCHAIN')
      .returningAll()
      .executeTakeFirst()
    if (!row) return false
    const inFlight = accounts.operatorPayoutInFlight(payout.operator_id)
    await post(tx, {
      kind: outcome.ok ? 'payout.confirmed' : 'payout.failed',
      memo: payout.id,
      at: now,
      entries: [
        { account: inFlight, amount: -payout.amount_micros },
        {
          account: outcome.ok ? accounts.externalChain : accounts.operatorAvailable(payout.operator_id),
          amount: payout.amount_micros,
        },
      ],
    })
    await recordEvent(tx, {
      type: 'payout.updated',
      operatorId: payout.operator_id,
      data: payoutEventData(row, at),
      at: now,
    })
    return true
  })
}

/** What the operator may read about a failure: the chain adapter's sentence, kept short. */
const failureReason = (err: unknown) =>
  (err instanceof Error ? err.message : 'the chain refused the payout').slice(0, 300)

/**
 * Job `payouts.send`: sends one payout through the chain port, at most once (ADR 0007). The
 * attempt is committed before the call (`claimAttempt`); the chain's answer is then recorded.
 * Should recording fail, it is retried here a few times: the job itself must not run again,
 * since a second run cannot know the answer and never calls the chain twice. A payout left
 * PENDING_ONCHAIN with `send_attempted_at` set is for staff to reconcile with the chain.
 */
export async function sendPayout(ctx: Ctx, payload: { payoutId: string }): Promise<void> {
  const payout = await claimAttempt(ctx, payload.payoutId)
  if (!payout) return
  let outcome: PayoutOutcome
  try {
    const sent = await ctx.chain.sendPayout({
      toAddress: payout.to_address,
      amountMicros: payout.net_micros,
      payoutId: payout.id,
    })
    outcome = { ok: true, txHash: sent.txHash }
  } catch (err) {
    outcome = { ok: false, reason: failureReason(err) }
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await settlePayout(ctx, payout, outcome)
      return
    } catch (err) {
      if (attempt >= 3) {
        ctx.log.error(
          { payout: payout.id, outcome: outcome.ok ? `sent ${outcome.txHash}` : 'failed', err },
          'payout outcome could not be recorded; reconcile it with the chain',
        )
        return
      }
    }
  }
}
