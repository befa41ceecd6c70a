import { AsyncLocalStorage } from 'node:async_hooks'
import type { Tx } from './schema.ts'

/**
 * A hook on the one business transaction of a unit of work (an HTTP request with an
 * `Idempotency-Key`, see `src/http/idempotency.ts`). `withTx` asks for it in the caller's async
 * context (never inside a group-commit batch, whose context belongs to whoever started it):
 *
 * - `beforeCommit(tx, value)` runs inside the transaction after its body, so what it writes commits
 *   or rolls back with the business change; it may throw to roll everything back.
 * - `afterCommit()` runs once the transaction has committed.
 * - `replay` holds the committed result of an earlier run of the same unit: the first `withTx`
 *   returns it instead of running its body again.
 *
 * The hook applies to the first transaction that commits; later ones in the same unit run plain.
 */
export interface TxScope {
  beforeCommit(tx: Tx, value: unknown): Promise<void>
  afterCommit(): void
  replay: { value: unknown } | null
  committed: boolean
}

const scopes = new AsyncLocalStorage<TxScope>()

/** Runs `fn` with `scope` as the hook of its first committing transaction. */
export function runInTxScope<T>(scope: TxScope, fn: () => T): T {
  return scopes.run(scope, fn)
}

/** The hook for a transaction starting now, or null: none, or already used by an earlier commit. */
export function openTxScope(): TxScope | null {
  const scope = scopes.getStore()
  return scope && !scope.committed ? scope : null
}

const BIGINT = '$bigint'

/** JSON that keeps bigints (every integer column reads back as one), for a stored result. */
export function encodeResult(value: unknown): string {
  return JSON.stringify({ v: value }, (_k, v) => (typeof v === 'bigint' ? { [BIGINT]: v.toString() } : v))
}

export function decodeResult(text: string): unknown {
  return (
    JSON.parse(text, (_k, v) =>
      v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && BIGINT in v
        ? BigInt(v[BIGINT])
        : v,
    ) as { v: unknown }
  ).v
}
