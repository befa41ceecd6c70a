import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigError, loadConfig } from '../../src/config.ts'

test('development defaults need nothing set', () => {
  const c = loadConfig({})
  assert.equal(c.env, 'development')
  assert.equal(c.port, 8787)
  assert.match(c.databaseUrl, /^sqlite:.*humcli\.sqlite$/)
  assert.equal(c.estimateTtlMs, 3_600_000)
  assert.equal(c.earningsHoldMs, 48 * 3_600_000)
  assert.equal(c.tierLimits.SANDBOX.maxDailyTasks, 50)
  assert.equal(c.pgPoolSize, 10)
})

test('production refuses to start without a master key, with a sentence that says how to fix it', () => {
  assert.throws(
    () => loadConfig({ HUMCLI_ENV: 'production' }),
    (e: unknown) => e instanceof ConfigError && /HUMCLI_MASTER_KEY/.test(e.message),
  )
  const ok = loadConfig({ HUMCLI_ENV: 'production', HUMCLI_MASTER_KEY: 'ab'.repeat(32) })
  assert.equal(ok.env, 'production')
})

test('bad values are refused with the variable named', () => {
  for (const [name, value] of [
    ['PORT', 'eighty'],
    ['HUMCLI_ENV', 'staging'],
    ['HUMCLI_KYC_MODE', 'sometimes'],
    ['HUMCLI_ESTIMATE_TTL_MS', '-5'],
    ['HUMCLI_MASTER_KEY', 'short'],
    ['HUMCLI_TIER_LIMITS', '{"GOLD":{}}'],
    ['HUMCLI_TIER_LIMITS', 'not json'],
    ['HUMCLI_PG_POOL_SIZE', '0'],
  ]) {
    assert.throws(
      () => loadConfig({ [name!]: value }),
      (e: unknown) => e instanceof ConfigError && e.message.includes(name!.replace(/_MS$/, '')),
      `${name}=${value}`,
    )
  }
})

test('tier limits can be overridden per tier in dollars', () => {
  const c = loadConfig({ HUMCLI_TIER_LIMITS: '{"STANDARD":{"maxDailyTasks":1000,"maxTaskValue":20000}}' })
  assert.equal(c.tierLimits.STANDARD.maxDailyTasks, 1000)
  assert.equal(c.tierLimits.STANDARD.maxTaskValueMicros, 20_000_000_000n)
  assert.equal(c.tierLimits.STANDARD.maxDailySpendMicros, 50_000_000_000n)
  assert.equal(c.tierLimits.VERIFIED.maxDailyTasks, 10)
})
