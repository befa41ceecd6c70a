import type { Pagination } from '@humcli/contract'
import type { Ctx } from '../context.ts'
import { loadEndpoint } from './load-endpoint.ts'
import { deliveryView } from './serialize.ts'

/** An endpoint's deliveries, newest first, with what was sent and what the receiver answered. */
export async function listDeliveries(ctx: Ctx, agentId: string, id: string, page: Pagination) {
  await loadEndpoint(ctx.store.db, agentId, id)
  const q = ctx.store.db.selectFrom('webhook_deliveries').where('target', '=', id)
  const [rows, total] = await Promise.all([
    q
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    q.select((eb) => eb.fn.countAll<bigint>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { data: rows.map(deliveryView), pagination: { ...page, total: Number(total.n) } }
}
