import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import { newId } from '../domain/ids.ts'
import { withTx } from '../store/tx.ts'
import { wakeDeliveries } from './fan-out.ts'
import { loadEndpoint } from './load-endpoint.ts'
import { RETRY_WINDOW_MS } from './schedule.ts'
import { deliveryView } from './serialize.ts'

/** Queues a `webhook.ping` event to one endpoint; it is delivered (and retried) like any other. */
export async function pingEndpoint(ctx: Ctx, agentId: string, id: string) {
  const now = ctx.clock.now()
  return withTx(ctx.store, async (tx) => {
    const ep = await loadEndpoint(tx, agentId, id)
    if (ep.disabled_at) {
      throw new DomainError('INVALID_STATE', `This endpoint is disabled (${ep.disabled_reason}).`)
    }
    const eventId = newId('evt')
    const at = iso(now)
    const payload = JSON.stringify({
      id: eventId,
      type: 'webhook.ping',
      created_at: at,
      data: { webhook_id: ep.id },
    })
    const d = await tx
      .insertInto('webhook_deliveries')
      .values({
        id: newId('whd'),
        event_id: eventId,
        event_type: 'webhook.ping',
        event_seq: 0n,
        agent_id: agentId,
        task_id: null,
        target: ep.id,
        payload,
        event_at: at,
        status: 'pending',
        attempts: 0n,
        next_attempt_at: at,
        retry_until: iso(addMs(now, RETRY_WINDOW_MS)),
        ready: 1n,
        created_at: at,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    await wakeDeliveries(tx)
    return deliveryView(d)
  })
}
