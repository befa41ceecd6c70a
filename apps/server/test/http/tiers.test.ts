import assert from 'node:assert/strict'
import { test } from 'node:test'
import { adminCredit } from '../../src/agents/deposit.ts'
import { newAgent, taskBody, txHash } from '../helpers/fixtures.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'

forEachDialect('tier limits', (dialect) => {
  const server = useServer(dialect)

  test('VERIFIED: at most 10 tasks a day (422 naming maxDailyTasks), reset at 00:00 UTC', async () => {
    const s = server()
    s.clock.set('2026-06-01T20:00:00.000Z')
    // Under $50 of deposits, so the agent stays VERIFIED.
    const agent = await newAgent(s, { tier: 'VERIFIED', deposit: 40 })
    for (let i = 0; i < 10; i++) {
      const r = await agent.api.post('/tasks', taskBody(s, { reward_usd: 1 }))
      assert.equal(r.status, 201, r.text)
    }
    const over = await agent.api.post('/tasks', taskBody(s, { reward_usd: 1 }))
    assert.equal(over.status, 422)
    assert.equal(over.body.code, 'LIMIT_EXCEEDED')
    assert.match(over.body.error, /maxDailyTasks/)
    const me = (await agent.api.get('/agents/me')).body
    assert.equal(me.usage_today.tasks, 10)
    assert.equal(me.usage_today.remaining_tasks, 0)
    assert.equal(me.balance.escrow_balance, 20)
    s.clock.set('2026-06-02T00:00:01.000Z')
    assert.equal((await agent.api.post('/tasks', taskBody(s, { reward_usd: 1 }))).status, 201)
  })

  test('VERIFIED: daily spend counts escrow (reward + fee); max task value is the reward', async () => {
    const s = server()
    s.clock.set('2026-06-03T10:00:00.000Z')
    const agent = await newAgent(s, { tier: 'VERIFIED' })
    await adminCredit(s.ctx, agent.id, 1_000_000_000n, 'test funds') // an admin credit is not a deposit: no upgrade
    const big = await agent.api.post('/tasks', taskBody(s, { reward_usd: 100.01 }))
    assert.equal(big.status, 422)
    assert.match(big.body.error, /maxTaskValue/)
    assert.equal((await agent.api.post('/tasks', taskBody(s, { reward_usd: 100 }))).status, 201) // escrow 105
    const second = await agent.api.post('/tasks', taskBody(s, { reward_usd: 90 })) // escrow 94.5 → 199.5 ok
    assert.equal(second.status, 201, second.text)
    const third = await agent.api.post('/tasks', taskBody(s, { reward_usd: 0.5 })) // escrow 1.5 → 201 > 200
    assert.equal(third.status, 422)
    assert.match(third.body.error, /maxDailySpend/)
    assert.match(third.body.error, /resets at 00:00 UTC \(2026-06-04T00:00:00.000Z, in 14 h 0 min\)/)
    assert.match(third.body.error, /deposit \$50/)
    assert.deepEqual((await agent.api.get('/agents/balance')).body, {
      deposit_balance: 800.5,
      escrow_balance: 199.5,
      currency: 'USD',
    })
  })

  test('SANDBOX: no escrow and no daily spend; limited by count a day and reward per task', async () => {
    const s = server()
    s.clock.set('2026-06-04T21:30:00.000Z')
    const agent = await newAgent(s)
    const r = await agent.api.post('/tasks', taskBody(s, { reward_usd: 10 }))
    assert.equal(r.status, 201, r.text)
    assert.equal(r.body.sandbox, true)
    assert.equal(r.body.escrow_usd, 0)
    assert.match(r.body.sandbox_notice, /simulated task/)
    assert.deepEqual((await agent.api.get('/agents/balance')).body, {
      deposit_balance: 0,
      escrow_balance: 0,
      currency: 'USD',
    })
    // Past the compat $10 "daily spend": sandbox tasks move no money, so it does not bite.
    for (let i = 1; i < 50; i++) {
      const more = await agent.api.post('/tasks', taskBody(s, { reward_usd: 5 }))
      assert.equal(more.status, 201, `task ${i + 1}: ${more.text}`)
    }
    const over = await agent.api.post('/tasks', taskBody(s, { reward_usd: 1 }))
    assert.equal(over.status, 422)
    assert.equal(over.body.code, 'LIMIT_EXCEEDED')
    assert.match(over.body.error, /at most 50 tasks per day \(maxDailyTasks\)/)
    assert.match(over.body.error, /resets at 00:00 UTC \(2026-06-05T00:00:00.000Z, in 2 h 30 min\)/)
    assert.match(over.body.error, /verify your email/)
    const big = await agent.api.post('/tasks', taskBody(s, { reward_usd: 10.01 }))
    assert.equal(big.status, 422)
    assert.match(big.body.error, /at most \$10 per task \(maxTaskValue\).*verify your email/)
    s.clock.set('2026-06-05T00:00:01.000Z')
    assert.equal((await agent.api.post('/tasks', taskBody(s, { reward_usd: 1 }))).status, 201)
  })

  test('402 with the amount needed when the deposit balance is short, and nothing written', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 15.99 })
    const r = await agent.api.post('/tasks', taskBody(s, { reward_usd: 15 }))
    assert.equal(r.status, 402)
    assert.equal(r.body.code, 'INSUFFICIENT_BALANCE')
    assert.match(r.body.error, /\$16/)
    assert.equal((await agent.api.get('/tasks')).body.pagination.total, 0)
    assert.equal((await agent.api.get('/agents/me')).body.usage_today.tasks, 0)
  })

  test('deposits totalling $50 upgrade a VERIFIED agent to STANDARD; a SANDBOX agent stays SANDBOX', async () => {
    const s = server()
    const verified = await newAgent(s, { tier: 'VERIFIED', deposit: 30 })
    assert.equal((await verified.api.get('/agents/me')).body.tier, 'VERIFIED')
    const d = await verified.api.post('/agents/deposit/usdc', {
      tx_hash: txHash(),
      amount_usdc: 20,
      chain: 'base',
    })
    assert.equal(d.status, 201)
    const me = (await verified.api.get('/agents/me')).body
    assert.equal(me.tier, 'STANDARD')
    assert.equal(me.limits.maxDailyTasks, 100)
    const sandbox = await newAgent(s, { deposit: 500 })
    assert.equal((await sandbox.api.get('/agents/me')).body.tier, 'SANDBOX')
  })
})
