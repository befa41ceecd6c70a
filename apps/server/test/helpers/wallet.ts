import { secp256k1 } from '@noble/curves/secp256k1.js'
import { keccak_256 } from '@noble/hashes/sha3.js'

/**
 * A wallet as a browser wallet acts: a fresh secp256k1 key whose address is keccak256 of the
 * public key, signing with personal_sign (EIP-191). Written here from the standards, not with the
 * code under test (`src/domain/evm.ts`).
 */
export function testWallet() {
  const { secretKey, publicKey } = secp256k1.keygen()
  const pub = secp256k1.Point.fromBytes(publicKey).toBytes(false)
  return {
    /** All lowercase, as many tools print it. */
    address: `0x${Buffer.from(keccak_256(pub.subarray(1)).subarray(12)).toString('hex')}`,
    sign(message: string): string {
      const body = Buffer.from(message, 'utf8')
      const digest = keccak_256(
        Buffer.concat([Buffer.from(`\x19Ethereum Signed Message:\n${body.length}`), body]),
      )
      const rec = secp256k1.sign(digest, secretKey, { prehash: false, format: 'recovered' })
      // noble puts the recovery bit first; Ethereum puts v = 27 + bit last.
      return `0x${Buffer.from(rec.subarray(1)).toString('hex')}${(27 + rec[0]!).toString(16)}`
    },
  }
}
