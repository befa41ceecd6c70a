import type { Config } from './config.ts'

/** The points where `HUMCLI_FAULT_CRASH_AT` may kill the process (crash tests; never in production). */
export type FaultPoint =
  /** An Idempotency-Key is claimed; the request's handler has not run. */
  | 'idempotency.claimed'
  /** Inside the business transaction, after its key is marked committed, before COMMIT. */
  | 'idempotency.before-commit'
  /** The business transaction has committed; its answer is not stored yet. */
  | 'idempotency.committed'
  /** A payout's signed transaction and nonce are committed; nothing is broadcast yet. */
  | 'payout.signed'
  /** The node has accepted the signed payout; that it was broadcast is not recorded yet. */
  | 'payout.broadcast'
  /** The broadcast is recorded; the receipt has not been looked up. */
  | 'payout.recorded'
  /** Inside the deposit watcher's transaction: a range's transfers are written, the cursor not moved, nothing committed. */
  | 'watch.recorded'
  /** The deposit watcher has committed one block range and moved its cursor. */
  | 'watch.range'

const reached = new Map<string, number>()

/**
 * Kills this process with SIGKILL — no cleanup, no flushing, as a power cut would — when the
 * configured fault point is reached for the configured time (`point` = the first, `point:n` the
 * n-th). `loadConfig` refuses the setting in production.
 */
export function faultPoint(config: Pick<Config, 'faultCrashAt'>, point: FaultPoint): void {
  if (!config.faultCrashAt) return
  const [name, nth] = config.faultCrashAt.split(':')
  if (name !== point) return
  const n = (reached.get(point) ?? 0) + 1
  reached.set(point, n)
  if (n >= Number(nth ?? 1)) process.kill(process.pid, 'SIGKILL')
}
