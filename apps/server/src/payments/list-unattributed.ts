import { sql } from 'kysely'
import type { Ctx } from '../context.ts'
import { microsToUsd } from '../domain/money.ts'

/**
 * `GET /admin/deposits/unattributed`: USDC that reached the deposit address from a wallet no
 * agent had bound (the deposit watcher records each confirmed one once). Nothing is credited;
 * staff find the sender and credit by hand (`humcli admin credit`) or send it back. Newest first.
 */
export async function listUnattributed(ctx: Ctx, page: { limit: number; offset: number }) {
  const db = ctx.store.db
  const rows = await db
    .selectFrom('unattributed_transfers')
    .selectAll()
    .orderBy('block_number', 'desc')
    .orderBy('tx_hash')
    .orderBy('log_index')
    .limit(page.limit)
    .offset(page.offset)
    .execute()
  const total = await db
    .selectFrom('unattributed_transfers')
    .select(sql<bigint>`count(*)`.as('n'))
    .executeTakeFirstOrThrow()
  return {
    data: rows.map((r) => ({
      chain: r.chain,
      tx_hash: r.tx_hash,
      log_index: Number(r.log_index),
      from_address: r.from_address,
      amount_usd: microsToUsd(r.amount_micros),
      block_number: Number(r.block_number),
      seen_at: r.seen_at,
    })),
    pagination: { limit: page.limit, offset: page.offset, total: Number(total.n) },
  }
}
