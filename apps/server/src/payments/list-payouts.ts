import { sql } from 'kysely'
import type { Ctx } from '../context.ts'
import type { PayoutsTable } from '../store/schema.ts'
import { type PayoutStatus, payoutView } from './payout-view.ts'

export interface PayoutFilter {
  /** One operator's payouts; every operator's when absent (admins). */
  operatorId?: string
  status?: PayoutStatus
  limit: number
  offset: number
}

/** Payouts newest first, one page of them, and how many match in all. */
export async function payoutPage(
  ctx: Ctx,
  filter: PayoutFilter,
): Promise<{ rows: PayoutsTable[]; total: number }> {
  let q = ctx.store.db.selectFrom('payouts')
  if (filter.operatorId) q = q.where('operator_id', '=', filter.operatorId)
  if (filter.status) q = q.where('status', '=', filter.status)
  const total = await q.select(sql<bigint>`count(*)`.as('n')).executeTakeFirstOrThrow()
  const rows = await q
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute()
  return { rows, total: Number(total.n) }
}

/** `GET /operator/payouts`: the operator's own payouts, newest first, paginated. */
export async function listPayouts(ctx: Ctx, operatorId: string, page: { limit: number; offset: number }) {
  const { rows, total } = await payoutPage(ctx, { operatorId, ...page })
  return { data: rows.map(payoutView), pagination: { ...page, total } }
}
