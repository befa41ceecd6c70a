import { sql } from 'kysely'
import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import type { Tx } from '../store/schema.ts'
import { isUniqueViolation, withTx } from '../store/tx.ts'
import type { PreparedPayout } from './chain.ts'
import type { PayoutRow } from './payout-view.ts'

/** The hot wallet's next nonce as the database has handed them out, the row locked on PostgreSQL. */
async function storedNonce(ctx: Ctx, tx: Tx, sender: string): Promise<bigint | null> {
  const row =
    ctx.store.dialect === 'postgres'
      ? (
          await sql<{
            next_nonce: string
          }>`select next_nonce from chain_senders where address = ${sender} for update`.execute(tx)
        ).rows[0]
      : await tx
          .selectFrom('chain_senders')
          .select('next_nonce')
          .where('address', '=', sender)
          .executeTakeFirst()
  return row ? BigInt(row.next_nonce) : null
}

async function lockPayout(ctx: Ctx, tx: Tx, id: string): Promise<PayoutRow | undefined> {
  if (ctx.store.dialect === 'postgres')
    await sql`select id from payouts where id = ${id} for update`.execute(tx)
  return tx
    .selectFrom('payouts')
    .selectAll()
    .where('id', '=', id)
    .where('status', '=', 'PENDING_ONCHAIN')
    .where('signed_tx', 'is', null)
    .where('send_attempted_at', 'is', null)
    .executeTakeFirst()
}

/**
 * Signs a payout and commits the signed bytes, its hash and its nonce in one transaction, before
 * anything is broadcast (ADR 0018). The nonce comes from `chain_senders`, locked for the
 * transaction, so payouts from one hot wallet never share a nonce, across processes too; it is
 * never below the chain's own count (the wallet may have been used elsewhere). Returns the
 * signed row, or null when another run signed (or settled) the payout first.
 */
export async function signAndStore(
  ctx: Ctx,
  payoutId: string,
  prepared: PreparedPayout,
): Promise<PayoutRow | null> {
  const sender = ctx.chain.sender
  for (let attempt = 1; ; attempt++) {
    try {
      return await withTx(ctx.store, async (tx) => {
        const payout = await lockPayout(ctx, tx, payoutId)
        if (!payout) return null
        const stored = await storedNonce(ctx, tx, sender)
        const nonce = stored !== null && stored > prepared.chainNonce ? stored : prepared.chainNonce
        const signed = await ctx.chain.signPayout(prepared, nonce)
        if (stored === null) {
          await tx
            .insertInto('chain_senders')
            .values({ address: sender, next_nonce: nonce + 1n })
            .execute()
        } else {
          await tx
            .updateTable('chain_senders')
            .set({ next_nonce: nonce + 1n })
            .where('address', '=', sender)
            .execute()
        }
        const at = iso(ctx.clock.now())
        return tx
          .updateTable('payouts')
          .set({
            signed_tx: signed.rawTx,
            tx_hash: signed.txHash.toLowerCase(),
            nonce,
            send_attempted_at: at,
            waiting_reason: null,
            updated_at: at,
          })
          .where('id', '=', payout.id)
          .returningAll()
          .executeTakeFirstOrThrow()
      })
    } catch (err) {
      // Two processes inserting the wallet's first nonce row: the loser signs again with the next.
      if (attempt < 5 && isUniqueViolation(err)) continue
      throw err
    }
  }
}
