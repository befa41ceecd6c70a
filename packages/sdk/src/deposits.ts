import { HumcliError, WaitTimeoutError } from './errors.ts'
import type { Timers } from './transport.ts'
import type { DepositStatus } from './types.ts'
import { type PollPacing, pollUntil } from './wait.ts'

/** Where a deposit stands for a waiting client: NOT_SEEN until a report or the watcher records it. */
export type DepositWaitState = DepositStatus['status'] | 'NOT_SEEN'

export interface WaitForCreditOptions extends PollPacing {
  /** Called on each change of state; `deposit` is null while the server has not seen the transaction. */
  onStatus?: (state: DepositWaitState, deposit: DepositStatus | null) => void | Promise<void>
}

/**
 * Polls `GET /agents/deposits/{tx_hash}` until the transaction's deposits are CONFIRMED (credited)
 * and returns them. A 404 means not recorded yet (the watcher has not reached its block): waiting
 * goes on. REORGED goes on too, since the same transfer mined again is credited; `timeoutMs` bounds it.
 * First pause 2 s (×1.5, at most 15 s) unless told otherwise.
 */
export function waitForCredit(
  timers: Timers,
  get: (signal?: AbortSignal) => Promise<DepositStatus>,
  options: WaitForCreditOptions = {},
): Promise<DepositStatus> {
  const seen = async (signal?: AbortSignal): Promise<DepositStatus | null> => {
    try {
      return await get(signal)
    } catch (err) {
      if (err instanceof HumcliError && err.status === 404) return null
      throw err
    }
  }
  const stateOf = (d: DepositStatus | null): DepositWaitState => d?.status ?? 'NOT_SEEN'
  return pollUntil(timers, seen, {
    initialDelayMs: 2_000,
    maxDelayMs: 15_000,
    ...options,
    stateOf,
    done: (d) => d?.status === 'CONFIRMED',
    ...(options.onStatus ? { onChange: (d: DepositStatus | null) => options.onStatus!(stateOf(d), d) } : {}),
    timedOut: (d, elapsed) =>
      new WaitTimeoutError(
        `The deposit is still ${stateOf(d)} after ${Math.round(elapsed / 1000)} s of waiting for its credit.`,
        d,
      ),
  }) as Promise<DepositStatus>
}

/** Signs a message with EIP-191 personal_sign: a wallet's `signMessage`, or `personal_sign` of an EIP-1193 provider. */
export type SignMessage = (message: string) => Promise<string>

/** A `SignMessage` from an EIP-1193 provider (`window.ethereum`, WalletConnect …) for `address`. */
export function personalSignWith(
  provider: { request(args: { method: string; params?: unknown[] }): Promise<unknown> },
  address: string,
): SignMessage {
  return async (message) => {
    const hex = `0x${Array.from(new TextEncoder().encode(message), (b) => b.toString(16).padStart(2, '0')).join('')}`
    return (await provider.request({ method: 'personal_sign', params: [hex, address] })) as string
  }
}
