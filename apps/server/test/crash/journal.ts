import { randomBytes } from 'node:crypto'
import type { Client } from '../helpers/api.ts'

/** A small seeded generator (mulberry32): the same seed gives the same choices. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export type OpKind = 'create' | 'cancel' | 'deposit' | 'accept' | 'approve'

/** One keyed request and what became of it. */
export interface Op {
  kind: OpKind
  key: string
  path: string
  body: unknown
  agent: number
  operator: number | null
  /** The answer the client received; undefined while unknown (the server died, or never got it). */
  answer?: { status: number; text: string }
}

export const newKey = () => `k-${randomBytes(8).toString('hex')}`

/** Sends an op with its key; a network error (the server died) leaves its answer unknown. */
export async function send(api: Client, op: Op): Promise<boolean> {
  try {
    const r = await api.post(op.path, op.body, { headers: { 'idempotency-key': op.key } })
    if (r.status === 409 && r.body?.error?.code === 'IDEMPOTENCY_IN_FLIGHT') return false
    op.answer = { status: r.status, text: r.text }
    return true
  } catch {
    return false
  }
}
