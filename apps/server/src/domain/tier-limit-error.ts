import { DomainError } from './errors.ts'
import { microsToUsd } from './money.ts'
import type { Tier, TierLimits } from './tiers.ts'

/** The next 00:00 UTC after `now`: when daily limits reset. */
export function nextUtcMidnight(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1))
}

/** How an agent of this tier raises its limits. */
export function howToLift(tier: Tier): string {
  switch (tier) {
    case 'SANDBOX':
      return (
        'To lift it, verify your email: open the link in the verification email ' +
        '(a new one: POST /api/v1/agents/resend-verification) to become VERIFIED, whose tasks go to real operators.'
      )
    case 'VERIFIED':
      return 'To lift it, deposit $50 or more in total to become STANDARD (POST /api/v1/agents/deposit/usdc).'
    case 'STANDARD':
      return "To lift it, ask this server's operator (the limits are set with HUMCLI_TIER_LIMITS)."
  }
}

function resetsAt(now: Date): string {
  const at = nextUtcMidnight(now)
  const minutes = Math.ceil((at.getTime() - now.getTime()) / 60_000)
  const wait = minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`
  return `It resets at 00:00 UTC (${at.toISOString()}, in ${wait}).`
}

export type TierLimitName = 'maxDailyTasks' | 'maxTaskValue' | 'maxDailySpend'

export interface TierLimitFacts {
  tier: Tier
  limits: TierLimits
  now: Date
  /** Today's usage, for the daily limits. */
  usage?: { tasks: bigint; spend_micros: bigint }
  /** What this task would add to today's spend. */
  needsMicros?: bigint
}

/** The 422 for a broken tier limit: which limit, when it resets, how to lift it. */
export function tierLimitError(name: TierLimitName, f: TierLimitFacts): DomainError {
  const { tier, limits } = f
  let what: string
  if (name === 'maxTaskValue') {
    what =
      `Tier limit: ${tier} agents may offer at most $${microsToUsd(limits.maxTaskValueMicros)} per task ` +
      '(maxTaskValue); lower `reward_usd`.'
  } else if (name === 'maxDailyTasks') {
    what =
      `Tier limit reached: ${tier} agents may create at most ${limits.maxDailyTasks} tasks per day ` +
      `(maxDailyTasks). ${resetsAt(f.now)}`
  } else {
    what =
      `Tier limit reached: ${tier} agents may spend at most $${microsToUsd(limits.maxDailySpendMicros)} per day ` +
      `(maxDailySpend); today's spend is $${microsToUsd(f.usage?.spend_micros ?? 0n)} and this task needs ` +
      `$${microsToUsd(f.needsMicros ?? 0n)}. ${resetsAt(f.now)}`
  }
  return new DomainError('LIMIT_EXCEEDED', `${what} ${howToLift(tier)}`)
}
