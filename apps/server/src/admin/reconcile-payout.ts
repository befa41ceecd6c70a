import type { Ctx } from '../context.ts'
import { DomainError, notFound } from '../domain/errors.ts'
import { payoutPage } from '../payments/list-payouts.ts'
import { type PayoutStatus, payoutView } from '../payments/payout-view.ts'
import { settlePayout } from '../payments/send-payout.ts'
import { alreadyDecided } from './already-decided.ts'
import { recordAudit } from './audit.ts'

/** `GET /admin/payouts?status=`: every operator's payouts, newest first, with whose they are. */
export async function listPayoutsForAdmin(
  ctx: Ctx,
  input: { status?: PayoutStatus; limit: number; offset: number },
) {
  const { rows, total } = await payoutPage(ctx, {
    status: input.status,
    limit: input.limit,
    offset: input.offset,
  })
  return {
    data: rows.map((p) => ({
      ...payoutView(p),
      operator_id: p.operator_id,
      send_attempted_at: p.send_attempted_at,
    })),
    pagination: { limit: input.limit, offset: input.offset, total },
  }
}

const RECONCILE_ACTIONS = ['payout.reconcile.confirmed', 'payout.reconcile.failed']

export interface ReconcileInput {
  outcome: 'CONFIRMED' | 'FAILED'
  tx_hash?: string
  note?: string
}

/**
 * Settles by hand a payout whose send was attempted but whose answer was never recorded (the
 * process died while the chain was being called). The server never calls the chain twice for a
 * payout, so staff look the transfer up on chain and record what happened: CONFIRMED with its tx
 * hash, or FAILED, which returns the funds to the operator.
 */
export async function reconcilePayout(ctx: Ctx, adminId: string, payoutId: string, input: ReconcileInput) {
  const now = ctx.clock.now()
  const payout = await ctx.store.db
    .selectFrom('payouts')
    .selectAll()
    .where('id', '=', payoutId)
    .executeTakeFirst()
  if (!payout) throw notFound('Payout')
  if (payout.status !== 'PENDING_ONCHAIN' || payout.send_attempted_at === null) {
    const lost = await alreadyDecided(ctx.store.db, payoutId, RECONCILE_ACTIONS, `Payout ${payoutId}`)
    if (lost) throw lost
    throw new DomainError(
      'INVALID_STATE',
      payout.status === 'PENDING_ONCHAIN'
        ? `Payout ${payoutId} has not been sent yet; its job sends it, there is nothing to reconcile.`
        : `Payout ${payoutId} is already ${payout.status}; only a payout whose send outcome is unknown can be reconciled.`,
    )
  }
  if (input.outcome === 'CONFIRMED' && !input.tx_hash) {
    throw new DomainError(
      'VALIDATION_FAILED',
      'A CONFIRMED reconciliation needs the `tx_hash` of the transfer found on chain.',
      [{ path: 'tx_hash', message: 'required when outcome is CONFIRMED' }],
    )
  }
  const reason = `reconciled by admin ${adminId}${input.note ? `: ${input.note}` : ''}`
  const settled = await settlePayout(
    ctx,
    payout,
    input.outcome === 'CONFIRMED'
      ? { ok: true, txHash: input.tx_hash!.toLowerCase() }
      : { ok: false, reason },
    (tx, row) =>
      recordAudit(tx, {
        actor: `admin:${adminId}`,
        action: `payout.reconcile.${input.outcome.toLowerCase()}`,
        objectType: 'payout',
        objectId: payoutId,
        before: { status: payout.status },
        after: { status: row.status, tx_hash: row.tx_hash },
        note: input.note ?? null,
        at: now,
      }),
  )
  if (!settled) {
    const lost = await alreadyDecided(ctx.store.db, payoutId, RECONCILE_ACTIONS, `Payout ${payoutId}`)
    throw lost ?? new DomainError('INVALID_STATE', `Payout ${payoutId} was settled meanwhile; reload it.`)
  }
  const row = await ctx.store.db
    .selectFrom('payouts')
    .selectAll()
    .where('id', '=', payoutId)
    .executeTakeFirstOrThrow()
  return { ...payoutView(row), operator_id: row.operator_id }
}
