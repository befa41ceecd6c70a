import assert from 'node:assert/strict'
import { test } from 'node:test'
import { base32Decode, base32Encode, matchTotp, totpCode, totpStep } from '../../src/domain/totp.ts'

// RFC 6238 appendix B: the SHA-1 secret is "12345678901234567890", 8 digits.
const RFC_SECRET = Buffer.from('12345678901234567890')
const VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
]

test('TOTP codes equal the RFC 6238 test vectors', () => {
  for (const [seconds, code] of VECTORS) {
    assert.equal(totpCode(RFC_SECRET, totpStep(new Date(seconds * 1000)), 'sha1', 8), code, `T=${seconds}`)
  }
})

test('base32 round-trips and matches RFC 4648 examples', () => {
  assert.equal(base32Encode(Buffer.from('foobar')), 'MZXW6YTBOI')
  assert.equal(base32Decode('MZXW6YTBOI').toString(), 'foobar')
  assert.equal(base32Decode('mzxw 6ytb oi======').toString(), 'foobar')
})

test('a code matches its step and one step either side, nothing further, and only 6 digits', () => {
  const at = new Date('2026-06-01T12:00:00Z')
  const step = totpStep(at)
  const code = (d: number) => totpCode(RFC_SECRET, step + d)
  assert.equal(matchTotp(RFC_SECRET, code(0), at), step)
  assert.equal(matchTotp(RFC_SECRET, code(-1), at), step - 1)
  assert.equal(matchTotp(RFC_SECRET, code(1), at), step + 1)
  assert.equal(matchTotp(RFC_SECRET, code(2), at), null)
  assert.equal(matchTotp(RFC_SECRET, '12345', at), null)
  assert.equal(matchTotp(RFC_SECRET, 'abcdef', at), null)
})
