import type { Ctx } from '../context.ts'
import { notFound } from '../domain/errors.ts'
import type { Tier } from '../domain/tiers.ts'

export async function setAgentTier(ctx: Ctx, agentId: string, tier: Tier) {
  const r = await ctx.store.db
    .updateTable('agents')
    .set({ tier })
    .where('id', '=', agentId)
    .executeTakeFirst()
  if (r.numUpdatedRows === 0n) throw notFound('Agent')
  return { agent_id: agentId, tier }
}

export async function setAgentRestriction(ctx: Ctx, agentId: string, restricted: boolean, reason?: string) {
  const r = await ctx.store.db
    .updateTable('agents')
    .set({
      restricted_at: restricted ? ctx.clock.now().toISOString() : null,
      restricted_reason: restricted ? (reason ?? 'restricted by an admin') : null,
      // Lifting starts the count of overturned rejections afresh (`recordOverturnedRejection`).
      ...(restricted ? {} : { restriction_lifted_at: ctx.clock.now().toISOString() }),
    })
    .where('id', '=', agentId)
    .executeTakeFirst()
  if (r.numUpdatedRows === 0n) throw notFound('Agent')
  return { agent_id: agentId, restricted }
}

export async function decideKyc(ctx: Ctx, operatorId: string, decision: 'APPROVE' | 'REJECT') {
  const status = decision === 'APPROVE' ? 'APPROVED' : 'REJECTED'
  const r = await ctx.store.db
    .updateTable('operators')
    .set({ kyc_status: status })
    .where('id', '=', operatorId)
    .executeTakeFirst()
  if (r.numUpdatedRows === 0n) throw notFound('Operator')
  return { operator_id: operatorId, kyc_status: status }
}
