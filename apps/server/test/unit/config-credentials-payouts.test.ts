import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigError, loadConfig } from '../../src/config.ts'

const DAY = 24 * 3_600_000

test('credential retention, overturn restriction and payout settings: defaults from the spec', () => {
  const c = loadConfig({})
  assert.equal(c.credentialRetentionMs, 30 * DAY)
  assert.equal(c.overturnRestrictCount, 3)
  assert.equal(c.overturnWindowMs, 30 * DAY)
  assert.equal(c.payoutMinMicros, 10_000_000n)
  assert.equal(c.payoutGasFeeMicros, 0n)
})

test('credential retention, overturn restriction and payout settings: read from the environment, checked', () => {
  const c = loadConfig({
    HUMCLI_CREDENTIAL_RETENTION_MS: String(7 * DAY),
    HUMCLI_OVERTURN_RESTRICT_COUNT: '0',
    HUMCLI_OVERTURN_WINDOW_MS: String(14 * DAY),
    HUMCLI_PAYOUT_MIN_MICROS: '25000000',
    HUMCLI_PAYOUT_GAS_FEE_MICROS: '120000',
  })
  assert.equal(c.credentialRetentionMs, 7 * DAY)
  assert.equal(c.overturnRestrictCount, 0)
  assert.equal(c.overturnWindowMs, 14 * DAY)
  assert.equal(c.payoutMinMicros, 25_000_000n)
  assert.equal(c.payoutGasFeeMicros, 120_000n)
  for (const [name, value] of [
    ['HUMCLI_CREDENTIAL_RETENTION_MS', '0'],
    ['HUMCLI_OVERTURN_RESTRICT_COUNT', '-1'],
    ['HUMCLI_OVERTURN_WINDOW_MS', '30d'],
    ['HUMCLI_PAYOUT_MIN_MICROS', '1.5'],
    ['HUMCLI_PAYOUT_GAS_FEE_MICROS', 'free'],
  ] as const) {
    assert.throws(
      () => loadConfig({ [name]: value }),
      (e: unknown) => e instanceof ConfigError && e.message.includes(name),
      name,
    )
  }
})
