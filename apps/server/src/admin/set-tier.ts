import type { Ctx } from '../context.ts'
import { notFound } from '../domain/errors.ts'
import type { Tier } from '../domain/tiers.ts'
import { withTx } from '../store/tx.ts'
import { recordAudit } from './audit.ts'

/** `actor` is `admin:<id>` from the API, `cli` from `humcli admin set-tier`. */
export async function setAgentTier(ctx: Ctx, agentId: string, tier: Tier, actor = 'cli') {
  const now = ctx.clock.now()
  return withTx(ctx.store, async (tx) => {
    const before = await tx.selectFrom('agents').select('tier').where('id', '=', agentId).executeTakeFirst()
    if (!before) throw notFound('Agent')
    await tx.updateTable('agents').set({ tier }).where('id', '=', agentId).execute()
    await recordAudit(tx, {
      actor,
      action: 'agent.tier',
      objectType: 'agent',
      objectId: agentId,
      before: { tier: before.tier },
      after: { tier },
      at: now,
    })
    return { agent_id: agentId, tier }
  })
}

export async function setAgentRestriction(
  ctx: Ctx,
  agentId: string,
  restricted: boolean,
  reason: string | undefined,
  actor: string,
) {
  const now = ctx.clock.now()
  return withTx(ctx.store, async (tx) => {
    const before = await tx
      .selectFrom('agents')
      .select(['restricted_at', 'restricted_reason'])
      .where('id', '=', agentId)
      .executeTakeFirst()
    if (!before) throw notFound('Agent')
    const after = {
      restricted_at: restricted ? now.toISOString() : null,
      restricted_reason: restricted ? (reason ?? 'restricted by an admin') : null,
    }
    await tx
      .updateTable('agents')
      .set({
        ...after,
        // Lifting starts the count of overturned rejections afresh (`recordOverturnedRejection`).
        ...(restricted ? {} : { restriction_lifted_at: now.toISOString() }),
      })
      .where('id', '=', agentId)
      .execute()
    await recordAudit(tx, {
      actor,
      action: restricted ? 'agent.restrict' : 'agent.unrestrict',
      objectType: 'agent',
      objectId: agentId,
      before,
      after,
      note: reason ?? null,
      at: now,
    })
    return { agent_id: agentId, restricted }
  })
}
