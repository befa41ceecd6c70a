import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { withTx } from '../store/tx.ts'
import { loadEndpoint } from './load-endpoint.ts'
import { lockFanOutShared } from './record-attempt.ts'

/** Deletes an endpoint: nothing more is sent to it; its pending deliveries are given up. */
export async function deleteEndpoint(ctx: Ctx, agentId: string, id: string) {
  const now = ctx.clock.now()
  return withTx(ctx.store, async (tx) => {
    await loadEndpoint(tx, agentId, id)
    await tx
      .updateTable('webhook_endpoints')
      .set({ deleted_at: iso(now) })
      .where('id', '=', id)
      .execute()
    await lockFanOutShared(tx)
    await tx
      .updateTable('webhook_deliveries')
      .set({ status: 'failed', last_error: 'endpoint deleted', locked_until: null })
      .where('target', '=', id)
      .where('status', '=', 'pending')
      .execute()
    return { id, deleted: true }
  })
}
