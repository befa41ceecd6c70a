import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import { newId } from '../domain/ids.ts'
import { microsToUsd } from '../domain/money.ts'
import type { Tier, TierLimits } from '../domain/tiers.ts'
import { isUniqueViolation, withTx } from '../store/tx.ts'
import { insertApiKey } from './api-keys.ts'
import { configuredLinkBase, queueVerificationEmail } from './send-verification.ts'

export interface RegisterAgentInput {
  name: string
  email: string
  company?: string
}

export function limitsJson(limits: Record<Tier, TierLimits>, tier: Tier) {
  const l = limits[tier]
  return {
    maxDailyTasks: l.maxDailyTasks,
    maxTaskValue: microsToUsd(l.maxTaskValueMicros),
    maxDailySpend: microsToUsd(l.maxDailySpendMicros),
  }
}

/**
 * Registers a SANDBOX agent and, when this server can send mail, queues the email-verification
 * link in the same transaction. `linkBase` is the origin the link points at (the route passes the
 * public URL, or in development the request's own origin).
 */
export async function registerAgent(
  ctx: Ctx,
  input: RegisterAgentInput,
  linkBase: string = configuredLinkBase(ctx),
) {
  const now = ctx.clock.now()
  const id = newId('ag')
  const email = input.email.trim().toLowerCase()
  try {
    const key = await withTx(ctx.store, async (tx) => {
      await tx
        .insertInto('agents')
        .values({
          id,
          name: input.name,
          email,
          company: input.company ?? null,
          tier: 'SANDBOX',
          email_verified_at: null,
          restricted_at: null,
          restricted_reason: null,
          wallet_address: null,
          created_at: iso(now),
        })
        .execute()
      const created = (await insertApiKey(tx, id, 'default', now)).key
      if (ctx.mailer.kind !== 'none') {
        await queueVerificationEmail(ctx, tx, { id, name: input.name, email }, linkBase, now)
      }
      return created
    })
    return {
      agent_id: id,
      api_key: key,
      tier: 'SANDBOX',
      verification_required: true,
      sandbox_info: {
        what: 'Sandbox agents run tasks against simulated operators; no money moves.',
        why: 'So you can build and test your integration before paying real people.',
        how_to_upgrade: `Open the link in the email sent to ${email} (or get a new one with POST /api/v1/agents/resend-verification) to become VERIFIED, then deposit at least $50 to become STANDARD.`,
        limits: limitsJson(ctx.config.tierLimits, 'SANDBOX'),
      },
      message: 'Save this API key now: it will not be shown again.',
    }
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new DomainError(
        'CONFLICT',
        'This email is already registered to an agent. To continue as that agent, use its existing API key ' +
          '(HUMCLI_API_KEY, or the profile `humcli register` saved); with it, `humcli keys create --name NAME` ' +
          '(POST /api/v1/agents/keys) makes another key. Otherwise register with another email.',
      )
    }
    throw err
  }
}
