import { MICROS_PER_USD } from '../domain/money.ts'
import type { Tx } from '../store/schema.ts'

/** Confirmed deposits totalling this much make a VERIFIED agent STANDARD (spec §3). */
export const STANDARD_DEPOSIT_THRESHOLD = 50n * MICROS_PER_USD

/**
 * Moves a VERIFIED agent whose confirmed deposits total at least $50 to STANDARD, in the caller's
 * transaction. Called when a deposit confirms and when an email is verified (deposits made while
 * SANDBOX count once the agent is verified). Other tiers are left alone: SANDBOX must verify
 * first, STANDARD is already there. Returns the agent's tier afterwards.
 */
export async function upgradeIfEligible(tx: Tx, agentId: string): Promise<string> {
  const agent = await tx
    .selectFrom('agents')
    .select('tier')
    .where('id', '=', agentId)
    .executeTakeFirstOrThrow()
  if (agent.tier !== 'VERIFIED') return agent.tier
  const rows = await tx
    .selectFrom('deposits')
    .select('amount_micros')
    .where('agent_id', '=', agentId)
    .where('status', '=', 'CONFIRMED')
    .execute()
  const total = rows.reduce((acc, r) => acc + r.amount_micros, 0n)
  if (total < STANDARD_DEPOSIT_THRESHOLD) return agent.tier
  await tx
    .updateTable('agents')
    .set({ tier: 'STANDARD' })
    .where('id', '=', agentId)
    .where('tier', '=', 'VERIFIED')
    .execute()
  return 'STANDARD'
}
