import type { Tier } from '@humcli/contract/enums'
import { MICROS_PER_USD } from './money.ts'

export { TIERS, type Tier } from '@humcli/contract/enums'

export interface TierLimits {
  maxDailyTasks: number
  maxTaskValueMicros: bigint
  maxDailySpendMicros: bigint
}

/** Compat numbers from spec §3. */
export const TIER_LIMITS: Record<Tier, TierLimits> = {
  SANDBOX: {
    maxDailyTasks: 50,
    maxTaskValueMicros: 10n * MICROS_PER_USD,
    maxDailySpendMicros: 10n * MICROS_PER_USD,
  },
  VERIFIED: {
    maxDailyTasks: 10,
    maxTaskValueMicros: 100n * MICROS_PER_USD,
    maxDailySpendMicros: 200n * MICROS_PER_USD,
  },
  STANDARD: {
    maxDailyTasks: 100,
    maxTaskValueMicros: 10_000n * MICROS_PER_USD,
    maxDailySpendMicros: 50_000n * MICROS_PER_USD,
  },
}

/** The UTC day a timestamp falls in, as YYYY-MM-DD: daily limits reset at 00:00 UTC. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10)
}
