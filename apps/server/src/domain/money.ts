/**
 * Money is integer micro-dollars (1e-6 USD) as bigint everywhere inside. These are the only
 * functions that turn JSON numbers into micro-dollars and back.
 */
import { invalid } from './errors.ts'

export const MICROS_PER_USD = 1_000_000n
const CENT = 10_000n

/** Parses a JSON number of dollars with at most 6 decimal places. */
export function usdToMicros(value: number, field: string): bigint {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalid(field, `\`${field}\` must be a number of US dollars, e.g. 15 or 15.5.`)
  }
  const text = String(value)
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text)
  if (!match) {
    throw invalid(
      field,
      `\`${field}\` has too many decimal places or is out of range: use at most 6 decimals.`,
    )
  }
  const [, sign, whole, frac = ''] = match
  if (frac.length > 6) {
    throw invalid(
      field,
      `\`${field}\` has ${frac.length} decimal places; USD amounts take at most 6 (USDC precision).`,
    )
  }
  const micros = BigInt(whole!) * MICROS_PER_USD + BigInt(frac.padEnd(6, '0'))
  return sign ? -micros : micros
}

/** Formats micro-dollars as a JSON number (exact to the micro-dollar). */
export function microsToUsd(micros: bigint): number {
  return Number(micros) / 1e6
}

export function ceilToCent(micros: bigint): bigint {
  return ((micros + CENT - 1n) / CENT) * CENT
}

/** Platform fee: max(min fee, reward × rate), rounded up to the cent. */
export function platformFee(rewardMicros: bigint, rateBps: number, minFeeMicros: bigint): bigint {
  const proportional = ceilToCent((rewardMicros * BigInt(rateBps) + 9_999n) / 10_000n)
  return proportional > minFeeMicros ? proportional : minFeeMicros
}

/** Splits an amount by a percentage (0–100, up to 2 decimals), rounding the first share down to the micro. */
export function splitByPercent(micros: bigint, percent: number): [bigint, bigint] {
  const basis = BigInt(Math.round(percent * 100))
  const first = (micros * basis) / 10_000n
  return [first, micros - first]
}
