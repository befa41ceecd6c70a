import { keccak_256 } from '@noble/hashes/sha3.js'

/**
 * The wallet check of the payout form, before anything is sent: the same rule as the server's
 * `addressProblem` (apps/server/src/domain/evm.ts), which decides. 0x + 40 hex digits; a
 * mixed-case address must match its EIP-55 checksum.
 */
export function isValidEvmAddress(address: string): boolean {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) return false
  const body = address.slice(2)
  if (body === body.toLowerCase() || body === body.toUpperCase()) return true
  const lower = body.toLowerCase()
  const hash = keccak_256(new TextEncoder().encode(lower))
  for (let i = 0; i < 40; i++) {
    const nibble = (hash[i >> 1]! >> (i % 2 === 0 ? 4 : 0)) & 0xf
    const expected = nibble >= 8 ? lower[i]!.toUpperCase() : lower[i]!
    if (body[i] !== expected) return false
  }
  return true
}
