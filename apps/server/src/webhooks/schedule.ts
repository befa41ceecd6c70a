const S = 1000
const MIN = 60 * S
const HOUR = 60 * MIN

/** Delay after the n-th failed attempt (1-based); after the table, every 12 h. */
export const RETRY_DELAYS_MS = [5 * S, 30 * S, 2 * MIN, 10 * MIN, 30 * MIN, HOUR, 3 * HOUR, 6 * HOUR]
export const LATE_RETRY_MS = 12 * HOUR
/** How long a delivery is retried before it is given up. */
export const RETRY_WINDOW_MS = 3 * 24 * HOUR
/** An endpoint failing without a single success for this long is disabled. */
export const ENDPOINT_FAILING_LIMIT_MS = 5 * 24 * HOUR
const RETRY_AFTER_CAP_MS = 24 * HOUR

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (!value) return null
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * S
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime())
}

/**
 * When to try again after `attempts` failed attempts: the schedule with ±20 % jitter, never
 * sooner than the receiver's `Retry-After` (capped at a day). `random` is injectable for tests.
 */
export function retryDelayMs(attempts: number, retryAfterMs: number | null, random = Math.random): number {
  const base = RETRY_DELAYS_MS[attempts - 1] ?? LATE_RETRY_MS
  const jittered = Math.round(base * (0.8 + 0.4 * random()))
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, RETRY_AFTER_CAP_MS))
}
