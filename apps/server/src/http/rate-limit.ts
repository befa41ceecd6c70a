import type { RateLimitOptions } from '@fastify/rate-limit'
import { sha256Hex } from '../secrets.ts'

/** The general limit's key: the credential when there is one (hashed), else the client address. */
export function rateKey(req: { headers: Record<string, unknown>; ip: string }): string {
  const cred = req.headers['x-api-key'] ?? req.headers.authorization
  return typeof cred === 'string' ? `c:${sha256Hex(cred).slice(0, 32)}` : `ip:${req.ip}`
}

/**
 * The limit of an endpoint anyone may call (register, login, following an email link): per client
 * address only. Keying it by a credential header would let a caller reset it by sending a made-up
 * key with each request. `max` 0 turns it off.
 */
export function perIpLimit(groupId: string, max: number): { rateLimit: RateLimitOptions | false } {
  if (max <= 0) return { rateLimit: false }
  return { rateLimit: { groupId, max, timeWindow: 60_000, keyGenerator: (req) => `ip:${req.ip}` } }
}
