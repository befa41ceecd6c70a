import { invalid } from '../domain/errors.ts'
import { sodiumReady } from './fields.ts'

const BASE64_32_BYTES = /^[A-Za-z0-9+/]{43}=?$/

/**
 * `agent_public_key` must be the base64 of a 32-byte X25519 public key that a sealed box can be
 * made for (libsodium refuses low-order points, which would make every later submission fail).
 */
export async function checkAgentPublicKey(key: string): Promise<void> {
  const sentence =
    '`agent_public_key` must be the base64 encoding of a 32-byte X25519 public key (e.g. `publicKey` of libsodium `crypto_box_keypair()`, 44 characters).'
  if (!BASE64_32_BYTES.test(key) || Buffer.from(key, 'base64').length !== 32) {
    throw invalid('agent_public_key', sentence)
  }
  const sodium = await sodiumReady()
  try {
    sodium.crypto_box_seal(new Uint8Array(1), Buffer.from(key, 'base64'))
  } catch {
    throw invalid('agent_public_key', `${sentence} This key is not a usable X25519 point.`)
  }
}
