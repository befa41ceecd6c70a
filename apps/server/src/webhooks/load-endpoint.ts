import { notFound } from '../domain/errors.ts'
import type { Tx, WebhookEndpointsTable } from '../store/schema.ts'

/** An agent's own live endpoint; another agent's (or a deleted one) is 404. */
export async function loadEndpoint(tx: Tx, agentId: string, id: string): Promise<WebhookEndpointsTable> {
  const ep = await tx
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', id)
    .where('agent_id', '=', agentId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  if (!ep) throw notFound('Webhook endpoint')
  return ep
}
