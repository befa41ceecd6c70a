import { secp256k1 } from '@noble/curves/secp256k1.js'
import { keccak_256 } from '@noble/hashes/sha3.js'

/**
 * Ethereum addresses and EIP-191 `personal_sign` signatures, as wallets produce them
 * (MetaMask, Coinbase Wallet, `cast wallet sign`, viem's `signMessage`).
 */

const ADDRESS = /^0x[0-9a-fA-F]{40}$/

/** The EIP-55 mixed-case form of an address: the one way we store and show addresses. */
export function checksumAddress(address: string): string {
  if (!ADDRESS.test(address)) throw new Error(`not an address: ${address}`)
  const lower = address.slice(2).toLowerCase()
  const hash = Buffer.from(keccak_256(Buffer.from(lower, 'ascii'))).toString('hex')
  let out = '0x'
  for (let i = 0; i < 40; i++) {
    out += Number.parseInt(hash[i]!, 16) >= 8 ? lower[i]!.toUpperCase() : lower[i]!
  }
  return out
}

/**
 * Why `address` is not acceptable, or null when it is. All-lowercase and all-uppercase addresses
 * carry no checksum and are accepted; a mixed-case one must match its EIP-55 checksum, which
 * catches a mistyped character before money is sent to or from it.
 */
export function addressProblem(address: string): string | null {
  if (!ADDRESS.test(address)) return 'must be 0x followed by 40 hexadecimal digits'
  const body = address.slice(2)
  if (body === body.toLowerCase() || body === body.toUpperCase()) return null
  return checksumAddress(address) === address
    ? null
    : 'has mixed case that does not match its EIP-55 checksum: check it for a typo, or send it all lowercase'
}

/** The digest `personal_sign` signs: keccak256("\x19Ethereum Signed Message:\n" + length + message). */
export function personalMessageHash(message: string): Uint8Array {
  const body = Buffer.from(message, 'utf8')
  const prefix = Buffer.from(`\x19Ethereum Signed Message:\n${body.length}`, 'utf8')
  return keccak_256(Buffer.concat([prefix, body]))
}

/** The address of an uncompressed secp256k1 public key (65 bytes, 0x04 first). */
export function addressOfPublicKey(uncompressed: Uint8Array): string {
  const hash = keccak_256(uncompressed.subarray(1))
  return checksumAddress(`0x${Buffer.from(hash.subarray(12)).toString('hex')}`)
}

/**
 * The address that signed `message` with `personal_sign`, or null when `signature` is not a
 * well-formed 65-byte signature (r ‖ s ‖ v, v ∈ {27, 28} or {0, 1}) or recovers no key.
 * High-s signatures are refused, as Ethereum does since EIP-2.
 */
export function recoverPersonalSigner(message: string, signature: string): string | null {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) return null
  const bytes = Buffer.from(signature.slice(2), 'hex')
  const v = bytes[64]!
  const recovery = v >= 27 ? v - 27 : v
  if (recovery !== 0 && recovery !== 1) return null
  // noble's "recovered" layout puts the recovery bit first.
  const recovered = new Uint8Array(65)
  recovered[0] = recovery
  recovered.set(bytes.subarray(0, 64), 1)
  try {
    const sig = secp256k1.Signature.fromBytes(recovered, 'recovered')
    if (sig.hasHighS()) return null
    const point = sig.recoverPublicKey(personalMessageHash(message))
    return addressOfPublicKey(point.toBytes(false))
  } catch {
    return null
  }
}
