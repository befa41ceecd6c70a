import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DomainError } from '../../src/domain/errors.ts'
import { ceilToCent, microsToUsd, platformFee, splitByPercent, usdToMicros } from '../../src/domain/money.ts'

test('usdToMicros parses up to 6 decimals exactly', () => {
  assert.equal(usdToMicros(15, 'x'), 15_000_000n)
  assert.equal(usdToMicros(0.1, 'x'), 100_000n)
  assert.equal(usdToMicros(19.99, 'x'), 19_990_000n)
  assert.equal(usdToMicros(1.123456, 'x'), 1_123_456n)
  assert.equal(usdToMicros(0.000001, 'x'), 1n)
  assert.equal(usdToMicros(-2.5, 'x'), -2_500_000n)
})

test('usdToMicros refuses 7 decimals, exponents and non-finite numbers with a sentence naming the field', () => {
  for (const bad of [1.1234567, 1e-7, 1e21, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(
      () => usdToMicros(bad, 'reward_usd'),
      (err: unknown) =>
        err instanceof DomainError && err.code === 'VALIDATION_FAILED' && err.message.includes('reward_usd'),
    )
  }
})

test('platform fee is max($1, 5%) rounded up to the cent', () => {
  const fee = (usd: number) => microsToUsd(platformFee(usdToMicros(usd, 'r'), 500, 1_000_000n))
  assert.equal(fee(15), 1) // 0.75 → min fee
  assert.equal(fee(20), 1) // exactly 1
  assert.equal(fee(20.01), 1.01) // 1.0005 → rounded up to 1.01
  assert.equal(fee(100), 5)
  assert.equal(fee(0.01), 1)
  assert.equal(fee(10_000), 500)
  assert.equal(microsToUsd(platformFee(20_010_000n, 1000, 0n)), 2.01) // configurable rate and minimum
})

test('ceilToCent and splitByPercent keep every micro-dollar', () => {
  assert.equal(ceilToCent(1n), 10_000n)
  assert.equal(ceilToCent(10_000n), 10_000n)
  for (const [amount, pct] of [
    [15_000_000n, 50],
    [15_000_000n, 33.33],
    [1n, 50],
    [9_999_999n, 12.5],
  ] as const) {
    const [a, b] = splitByPercent(amount, pct)
    assert.equal(a + b, amount)
    assert.ok(a >= 0n && b >= 0n)
  }
  assert.deepEqual(splitByPercent(15_000_000n, 40), [6_000_000n, 9_000_000n])
})
