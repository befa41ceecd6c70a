import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { faultPoint } from '../faults.ts'
import { enqueueJob } from '../jobs/enqueue.ts'
import { accounts } from '../ledger/accounts.ts'
import { post } from '../ledger/post.ts'
import { recordEvent } from '../outbox/record-event.ts'
import type { Tx } from '../store/schema.ts'
import { withTx } from '../store/tx.ts'
import { type PayoutRow, payoutEventData } from './payout-view.ts'
import { signAndStore } from './sign-payout.ts'

export type PayoutOutcome = { ok: true; txHash: string } | { ok: false; reason: string }

/**
 * Records the chain's answer: CONFIRMED moves the net amount out to `external:chain` and the gas
 * fee to `platform:gas_fees` (ADR 0018); FAILED returns the whole amount to the operator's
 * available balance. Only a PENDING_ONCHAIN payout settles, once; returns false when it had
 * already settled.
 */
export async function settlePayout(
  ctx: Ctx,
  payout: PayoutRow,
  outcome: PayoutOutcome,
  /** More writes in the same transaction once settled (staff reconciliation: the audit line). */
  also?: (tx: Tx, settled: PayoutRow) => Promise<void>,
): Promise<boolean> {
  const now = ctx.clock.now()
  const at = iso(now)
  return withTx(ctx.store, async (tx) => {
    const row = await tx
      .updateTable('payouts')
      .set(
        outcome.ok
          ? {
              status: 'CONFIRMED',
              tx_hash: outcome.txHash,
              confirmed_at: at,
              updated_at: at,
              waiting_reason: null,
            }
          : {
              status: 'FAILED',
              failure_reason: outcome.reason,
              failed_at: at,
              updated_at: at,
              waiting_reason: null,
            },
      )
      .where('id', '=', payout.id)
      .where('status', '=', 'PENDING_ONCHAIN')
      .returningAll()
      .executeTakeFirst()
    if (!row) return false
    const inFlight = accounts.operatorPayoutInFlight(payout.operator_id)
    const out = outcome.ok
      ? [
          { account: accounts.externalChain, amount: payout.net_micros },
          { account: accounts.platformGasFees, amount: payout.gas_fee_micros },
        ].filter((e) => e.amount > 0n)
      : [{ account: accounts.operatorAvailable(payout.operator_id), amount: payout.amount_micros }]
    await post(tx, {
      kind: outcome.ok ? 'payout.confirmed' : 'payout.failed',
      memo: payout.id,
      at: now,
      entries: [{ account: inFlight, amount: -payout.amount_micros }, ...out],
    })
    await recordEvent(tx, {
      type: 'payout.updated',
      operatorId: payout.operator_id,
      data: payoutEventData(row, at),
      at: now,
    })
    await also?.(tx, row)
    return true
  })
}

/** Runs `payouts.send` for this payout again after `ms`. */
async function again(ctx: Ctx, payoutId: string, ms: number): Promise<void> {
  const now = ctx.clock.now()
  await withTx(ctx.store, (tx) =>
    enqueueJob(tx, {
      kind: 'payouts.send',
      payload: { payoutId },
      runAt: addMs(now, ms),
      now,
      maxAttempts: 5,
    }),
  )
}

const pollMs = (ctx: Ctx) => ctx.config.chain?.pollMs ?? 5_000
const retryMs = (ctx: Ctx) => ctx.config.chain?.payoutRetryMs ?? 60_000

/** The payout cannot go out now (hot wallet short of USDC or gas, gas too dear): say so, try later. */
async function waitFor(ctx: Ctx, payout: PayoutRow, short: string, reason: string): Promise<void> {
  await ctx.store.db
    .updateTable('payouts')
    .set({ waiting_reason: reason })
    .where('id', '=', payout.id)
    .where('status', '=', 'PENDING_ONCHAIN')
    .execute()
  ctx.log.warn({ payout: payout.id, short, wallet: ctx.chain.sender }, `payout waits: ${reason}`)
  await again(ctx, payout.id, retryMs(ctx))
}

/** Signed and committed: broadcast (once, or again when the node has forgotten it) and look it up. */
async function follow(ctx: Ctx, payout: PayoutRow): Promise<void> {
  const signed = { txHash: payout.tx_hash!, nonce: payout.nonce! }
  let look = payout.broadcast_at ? await ctx.chain.lookupPayout(signed) : ({ state: 'unknown' } as const)
  if (look.state === 'unknown') {
    const sent = await ctx.chain.broadcast(payout.signed_tx!)
    if (!sent.ok) return waitFor(ctx, payout, 'gas', sent.wait)
    faultPoint(ctx.config, 'payout.broadcast')
    ctx.log.info(
      { payout: payout.id, tx: signed.txHash, nonce: String(signed.nonce), wallet: ctx.chain.sender },
      'payout sent to the chain',
    )
    if (!payout.broadcast_at) {
      await ctx.store.db
        .updateTable('payouts')
        .set({ broadcast_at: iso(ctx.clock.now()), waiting_reason: null })
        .where('id', '=', payout.id)
        .execute()
    }
    faultPoint(ctx.config, 'payout.recorded')
    look = await ctx.chain.lookupPayout(signed)
  }
  switch (look.state) {
    case 'confirmed':
      if (await settlePayout(ctx, payout, { ok: true, txHash: signed.txHash })) {
        ctx.log.info(
          { payout: payout.id, tx: signed.txHash, block: String(look.blockNumber) },
          'payout confirmed',
        )
      }
      return
    case 'reverted':
      await settlePayout(ctx, payout, {
        ok: false,
        reason: `the USDC transfer reverted on chain (tx ${signed.txHash}): nothing was sent`,
      })
      return
    case 'replaced':
      ctx.log.error(
        { payout: payout.id, tx: signed.txHash, nonce: String(signed.nonce) },
        'payout transaction was replaced or dropped (its nonce is used): reconcile it with the chain',
      )
      return
    default:
      await again(ctx, payout.id, pollMs(ctx))
  }
}

/**
 * Job `payouts.send`: sends one payout at most once (ADR 0007, ADR 0018). Unsigned: the chain
 * prepares the transfer (or says wait, or refuses it: FAILED, money back); it is signed and the
 * signed bytes committed with their nonce before anything is broadcast. Signed: the hash is
 * looked up; unknown to the node → the SAME bytes are broadcast again (same nonce, so it can never
 * pay twice); mined → settled after the configured confirmations. Every run is safe to repeat.
 * A payout whose attempt was recorded without signed bytes (before migration 0012), or whose
 * nonce was used by another transaction, is left PENDING_ONCHAIN for staff to reconcile.
 */
export async function sendPayout(ctx: Ctx, payload: { payoutId: string }): Promise<void> {
  let payout = await ctx.store.db
    .selectFrom('payouts')
    .selectAll()
    .where('id', '=', payload.payoutId)
    .executeTakeFirst()
  if (payout?.status !== 'PENDING_ONCHAIN') return
  if (!payout.signed_tx) {
    if (payout.send_attempted_at) return
    const pre = await ctx.chain.preparePayout({
      payoutId: payout.id,
      toAddress: payout.to_address,
      amountMicros: payout.net_micros,
    })
    if (pre.kind === 'refuse') {
      await settlePayout(ctx, payout, { ok: false, reason: pre.reason.slice(0, 300) })
      return
    }
    if (pre.kind === 'wait') return waitFor(ctx, payout, pre.short, pre.reason)
    const signed = await signAndStore(ctx, payout.id, pre.prepared)
    if (!signed) return
    faultPoint(ctx.config, 'payout.signed')
    payout = signed
  }
  await follow(ctx, payout)
}
