import type { PageParams } from './types.ts'

/** Per-call options. `idempotencyKey` applies to the calls that send one (create, verify, cancel, deposit, …). */
export interface CallOptions {
  signal?: AbortSignal
  /** Defaults to a random UUID per call, reused across that call's retries. */
  idempotencyKey?: string
}

export const id = (value: string) => encodeURIComponent(value)
export const page = (p: PageParams = {}) => ({ limit: p.limit, offset: p.offset })

/**
 * A random v4 UUID from WebCrypto's `getRandomValues` (Node ≥ 20, Deno, Bun, browsers), which
 * unlike `crypto.randomUUID` also exists on pages not served over https.
 */
export function newUuid(): string {
  const b = globalThis.crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6]! & 0x0f) | 0x40
  b[8] = (b[8]! & 0x3f) | 0x80
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** The call's own key, else a fresh one (the same on every retry of this call). */
export const keyFor = (o: CallOptions) => o.idempotencyKey ?? newUuid()
