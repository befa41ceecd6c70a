import type { Ctx } from '../context.ts'
import { endpointView } from './serialize.ts'

/** The agent's live endpoints, oldest first (secrets are never shown again). */
export async function listEndpoints(ctx: Ctx, agentId: string) {
  const rows = await ctx.store.db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('agent_id', '=', agentId)
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
  return { data: rows.map((r) => endpointView(r)) }
}
