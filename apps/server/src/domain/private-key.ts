// Kept apart from evm.ts: config reading needs it, and must not load the curve library.

/**
 * A secp256k1 private key as files and env vars hold it (64 hex digits, `0x` optional, surrounding
 * space ignored), in the lowercase `0x` form viem takes; null when it is not one. Callers name the
 * source in their error and never quote the text: part of a key is still a secret.
 */
export function parsePrivateKey(raw: string): `0x${string}` | null {
  const key = raw.trim().replace(/^(0x)?/i, '0x')
  return /^0x[0-9a-fA-F]{64}$/.test(key) ? (key.toLowerCase() as `0x${string}`) : null
}
