import { sql } from 'kysely'
import type { Ctx } from '../context.ts'
import { payoutView } from './payout-view.ts'

/** `GET /operator/payouts`: the operator's own payouts, newest first, paginated. */
export async function listPayouts(ctx: Ctx, operatorId: string, page: { limit: number; offset: number }) {
  const db = ctx.store.db
  const total = await db
    .selectFrom('payouts')
    .select(sql<bigint>`count(*)`.as('n'))
    .where('operator_id', '=', operatorId)
    .executeTakeFirstOrThrow()
  const rows = await db
    .selectFrom('payouts')
    .selectAll()
    .where('operator_id', '=', operatorId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute()
  return { data: rows.map(payoutView), pagination: { ...page, total: Number(total.n) } }
}
