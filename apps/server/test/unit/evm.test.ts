import assert from 'node:assert/strict'
import { test } from 'node:test'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import {
  addressOfPublicKey,
  addressProblem,
  checksumAddress,
  personalMessageHash,
  recoverPersonalSigner,
} from '../../src/domain/evm.ts'

// Published vectors, so the code is checked against other implementations rather than itself.
// web3.js documentation, `web3.eth.accounts.sign('Some data', '0x4c08…2318')`.
const WEB3_KEY = '4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318'
const WEB3_ADDRESS = '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23'
const WEB3_HASH = '1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655'
const WEB3_SIGNATURE =
  '0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c'
// EIP-55's own examples.
const EIP55 = [
  '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
  '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
  '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
  '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
]

test('EIP-55 checksums match the EIP examples', () => {
  for (const a of EIP55) {
    assert.equal(checksumAddress(a.toLowerCase()), a)
    assert.equal(checksumAddress(`0x${a.slice(2).toUpperCase()}`), a)
    assert.equal(addressProblem(a), null)
    assert.equal(addressProblem(a.toLowerCase()), null)
  }
})

test('a mixed-case address with a wrong checksum, or not an address, is refused with a reason', () => {
  const typo = '0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed' // EIP55[0] with one letter's case flipped
  assert.notEqual(typo, EIP55[0])
  assert.match(addressProblem(typo) ?? '', /EIP-55 checksum/)
  for (const bad of ['', '0x', '0x123', `${EIP55[0]}00`, EIP55[0]!.slice(2), `0x${'g'.repeat(40)}`]) {
    assert.match(addressProblem(bad) ?? '', /0x followed by 40 hexadecimal digits/, bad)
  }
})

test('personal_sign: the published web3.js vector hashes and recovers to its address', () => {
  assert.equal(Buffer.from(personalMessageHash('Some data')).toString('hex'), WEB3_HASH)
  assert.equal(recoverPersonalSigner('Some data', WEB3_SIGNATURE), WEB3_ADDRESS)
  assert.equal(addressOfPublicKey(secp256k1.getPublicKey(Buffer.from(WEB3_KEY, 'hex'), false)), WEB3_ADDRESS)
  // v as 0/1 (some hardware wallets) instead of 27/28.
  const v01 = `${WEB3_SIGNATURE.slice(0, -2)}${(Number.parseInt(WEB3_SIGNATURE.slice(-2), 16) - 27).toString(16).padStart(2, '0')}`
  assert.equal(recoverPersonalSigner('Some data', v01), WEB3_ADDRESS)
})

test('personal_sign: another message, a tampered or malformed signature does not recover the signer', () => {
  assert.notEqual(recoverPersonalSigner('Some data!', WEB3_SIGNATURE), WEB3_ADDRESS)
  const flipped = `${WEB3_SIGNATURE.slice(0, 10)}${WEB3_SIGNATURE[10] === '0' ? '1' : '0'}${WEB3_SIGNATURE.slice(11)}`
  assert.notEqual(recoverPersonalSigner('Some data', flipped), WEB3_ADDRESS)
  for (const bad of [
    '',
    '0x',
    WEB3_SIGNATURE.slice(0, -2),
    `${WEB3_SIGNATURE}00`,
    `${WEB3_SIGNATURE.slice(0, -2)}1d`,
  ]) {
    assert.equal(recoverPersonalSigner('Some data', bad), null, bad)
  }
  // r = 0 is not a signature.
  assert.equal(recoverPersonalSigner('Some data', `0x${'0'.repeat(64)}${WEB3_SIGNATURE.slice(66)}`), null)
})

test('personal_sign: the high-s twin of a valid signature is refused (EIP-2)', () => {
  const bytes = Buffer.from(WEB3_SIGNATURE.slice(2), 'hex')
  const s = BigInt(`0x${bytes.subarray(32, 64).toString('hex')}`)
  const highS = secp256k1.Point.CURVE().n - s
  const v = bytes[64] === 27 ? 28 : 27
  const twin = `0x${bytes.subarray(0, 32).toString('hex')}${highS.toString(16).padStart(64, '0')}${v.toString(16)}`
  assert.equal(recoverPersonalSigner('Some data', twin), null)
})
