import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { DomainError, notFound } from '../domain/errors.ts'
import { withTx } from '../store/tx.ts'
import { wakeDeliveries } from './fan-out.ts'
import { loadEndpoint } from './load-endpoint.ts'
import { RETRY_WINDOW_MS } from './schedule.ts'
import { deliveryView } from './serialize.ts'

/**
 * Sends a delivery again, now, with the same event id and body (receivers de-duplicate on
 * `webhook-id`); a new retry window opens. Only account-endpoint deliveries are visible here.
 */
export async function redeliver(ctx: Ctx, agentId: string, deliveryId: string) {
  const now = ctx.clock.now()
  return withTx(ctx.store, async (tx) => {
    const d = await tx
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('id', '=', deliveryId)
      .where('agent_id', '=', agentId)
      .where('target', '!=', 'callback')
      .executeTakeFirst()
    if (!d) throw notFound('Webhook delivery')
    const ep = await loadEndpoint(tx, agentId, d.target).catch(() => {
      throw notFound('Webhook delivery')
    })
    if (ep.disabled_at) {
      throw new DomainError(
        'INVALID_STATE',
        `The endpoint is disabled (${ep.disabled_reason}); it cannot receive.`,
      )
    }
    const updated = await tx
      .updateTable('webhook_deliveries')
      .set({
        status: 'pending',
        next_attempt_at: iso(now),
        retry_until: iso(addMs(now, RETRY_WINDOW_MS)),
        locked_until: null,
        // The head of its line again (an earlier pending event of its task still goes first:
        // the claim checks), due now.
        ready: 1n,
      })
      .where('id', '=', d.id)
      .returningAll()
      .executeTakeFirstOrThrow()
    await wakeDeliveries(tx)
    return deliveryView(updated)
  })
}
