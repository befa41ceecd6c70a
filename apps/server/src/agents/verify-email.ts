import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { invalid } from '../domain/errors.ts'
import { sha256Hex } from '../secrets.ts'
import { withTx } from '../store/tx.ts'
import { loadAgent } from './load.ts'
import { upgradeIfEligible } from './tier-upgrade.ts'

const RESEND = 'request a new one with POST /api/v1/agents/resend-verification'

/**
 * `GET /agents/verify-email?token=…`: uses the link's single-use token and marks the agent's email
 * verified. A SANDBOX agent becomes VERIFIED (and STANDARD at once if its confirmed deposits
 * already total $50); VERIFIED and STANDARD agents keep their tier. The agent's existing sandbox
 * tasks stay sandbox tasks.
 */
export async function verifyEmail(ctx: Ctx, token: string) {
  const now = ctx.clock.now()
  return withTx(ctx.store, async (tx) => {
    const row = await tx
      .selectFrom('email_verifications')
      .selectAll()
      .where('token_hash', '=', sha256Hex(token))
      .executeTakeFirst()
    if (!row)
      throw invalid(
        'token',
        `This verification link is not valid; check that it was copied whole, or ${RESEND}.`,
      )
    if (row.used_at)
      throw invalid(
        'token',
        `This verification link has already been used; if you still need one, ${RESEND}.`,
      )
    if (new Date(row.expires_at).getTime() <= now.getTime()) {
      throw invalid('token', `This verification link has expired; ${RESEND}.`)
    }
    const used = await tx
      .updateTable('email_verifications')
      .set({ used_at: iso(now) })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .executeTakeFirst()
    if (used.numUpdatedRows === 0n) {
      throw invalid(
        'token',
        `This verification link has already been used; if you still need one, ${RESEND}.`,
      )
    }
    const agent = await loadAgent(tx, row.agent_id)
    if (agent.email !== row.email) {
      throw invalid('token', `This link was sent to an address the agent no longer uses; ${RESEND}.`)
    }
    const verifiedAt = agent.email_verified_at ?? iso(now)
    await tx.updateTable('agents').set({ email_verified_at: verifiedAt }).where('id', '=', agent.id).execute()
    await tx
      .updateTable('agents')
      .set({ tier: 'VERIFIED' })
      .where('id', '=', agent.id)
      .where('tier', '=', 'SANDBOX')
      .execute()
    const tier = await upgradeIfEligible(tx, agent.id)
    return {
      agent_id: agent.id,
      email: agent.email,
      email_verified: true,
      email_verified_at: verifiedAt,
      tier,
      message:
        tier === 'VERIFIED'
          ? 'Email verified: your agent is VERIFIED. New tasks go to real operators; deposits totalling $50 make it STANDARD.'
          : `Email verified: your agent is ${tier}.`,
    }
  })
}
