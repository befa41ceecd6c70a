import { addressProblem, checksumAddress } from './domain/evm.ts'

/**
 * Reading one setting from the environment: a value, its default, and a sentence naming the
 * variable when the value is wrong. `loadConfig` (config.ts) assembles them into a `Config`.
 */

export class ConfigError extends Error {}

export type Env = Record<string, string | undefined>

export function int(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min) {
    throw new ConfigError(`${name} must be a whole number ≥ ${min}, got "${raw}".`)
  }
  return n
}

export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}".`)
  }
  return raw as T
}

export function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (/^(true|1|yes|on)$/i.test(raw)) return true
  if (/^(false|0|no|off)$/i.test(raw)) return false
  throw new ConfigError(`${name} must be true or false, got "${raw}".`)
}

/** An EVM address setting, stored in its EIP-55 form; null when unset. */
export function address(env: Env, name: string): string | null {
  const raw = env[name]
  if (raw === undefined || raw === '') return null
  const problem = addressProblem(raw)
  if (problem) throw new ConfigError(`${name} ${problem}; got "${raw}".`)
  return checksumAddress(raw)
}

/** A SQLite page size: a power of two from 512 to 65536. */
export function pageSize(env: Env, name: string, fallback: number): number {
  const n = int(env, name, fallback, 512)
  if (n > 65536 || (n & (n - 1)) !== 0) {
    throw new ConfigError(`${name} must be a power of two from 512 to 65536, got "${env[name]}".`)
  }
  return n
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * A duration such as `7d`, `12h`, `30m` or `90s`; a bare number is days. With `allowOff`,
 * `0` or `off` mean never (null).
 */
export function duration(env: Env, name: string, fallbackMs: number, allowOff = false): number | null {
  const raw = env[name]?.trim()
  if (raw === undefined || raw === '') return fallbackMs
  if (allowOff && (raw === 'off' || raw === '0')) return null
  const m = /^(\d+)([smhd]?)$/.exec(raw)
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] || 'd']! : 0
  if (ms <= 0) {
    throw new ConfigError(
      `${name} must be a duration such as 7d, 12h, 30m or 90s (a bare number is days)` +
        `${allowOff ? ', or off' : ''}; got "${raw}".`,
    )
  }
  return ms
}
