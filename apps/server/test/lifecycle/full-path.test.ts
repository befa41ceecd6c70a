import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ledgerCheck } from '../../src/ledger/check.ts'
import { client } from '../helpers/api.ts'
import { createTask, newOperator, proofForm, txHash } from '../helpers/fixtures.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'

forEachDialect('full path from registration to COMPLETED', (dialect) => {
  const server = useServer(dialect)

  test('exact balances at every step, and earnings become available after the holding period', async () => {
    const s = server()
    const reg = await client(s.url).post('/agents/register', {
      name: 'Storefront bot',
      email: 'bot@example.com',
    })
    assert.equal(reg.status, 201)
    assert.match(reg.body.api_key, /^ho_live_[A-Za-z0-9]{48}$/)
    assert.equal(reg.body.tier, 'SANDBOX')
    const agent = client(s.url, { key: reg.body.api_key })
    const { setAgentTier } = await import('../../src/admin/set-tier.ts')
    await setAgentTier(s.ctx, reg.body.agent_id, 'VERIFIED')

    const dep = await agent.post('/agents/deposit/usdc', {
      tx_hash: txHash(),
      amount_usdc: 100,
      chain: 'base',
    })
    assert.equal(dep.status, 201, dep.text)
    assert.equal(dep.body.status, 'CONFIRMED')
    assert.deepEqual((await agent.get('/agents/balance')).body, {
      deposit_balance: 100,
      escrow_balance: 0,
      currency: 'USD',
    })

    const fixture = { id: reg.body.agent_id, key: reg.body.api_key, api: agent }
    const taskId = await createTask(s, fixture, { reward_usd: 15 })
    assert.deepEqual((await agent.get('/agents/balance')).body, {
      deposit_balance: 84,
      escrow_balance: 16,
      currency: 'USD',
    })
    const created = (await agent.get(`/tasks/${taskId}`)).body
    assert.equal(created.platform_fee_usd, 1)
    assert.equal(created.escrow_usd, 16)
    assert.equal(created.sandbox, false)

    const op = await newOperator(s)
    const browse = await op.api.get('/operator/tasks')
    assert.ok(browse.body.data.some((t: { task_id: string }) => t.task_id === taskId))
    const acc = await op.api.post(`/operator/tasks/${taskId}/accept`, {
      estimate_hours: 2,
      estimate_minutes: 30,
      estimate_note: 'on my way',
    })
    assert.equal(acc.status, 200, acc.text)
    assert.equal(acc.body.status, 'ESTIMATE_PENDING')

    const appr = await agent.post(`/tasks/${taskId}/estimate/approve`)
    assert.equal(appr.status, 200, appr.text)
    assert.equal(appr.body.status, 'ACCEPTED')
    assert.equal(appr.body.estimate_minutes, 150)
    assert.equal(appr.body.operator.rating, 5)

    assert.equal((await op.api.post(`/operator/tasks/${taskId}/start`)).body.status, 'IN_PROGRESS')
    const proof = await op.api.post(`/operator/tasks/${taskId}/proof`, undefined, { form: proofForm() })
    assert.equal(proof.status, 200, proof.text)
    assert.equal(proof.body.status, 'SUBMITTED')

    const submitted = (await agent.get(`/tasks/${taskId}`)).body
    assert.equal(submitted.proof.photos.length, 1)
    const photo = await fetch(submitted.proof.photos[0])
    assert.equal(photo.status, 200)
    assert.equal(photo.headers.get('content-type'), 'image/jpeg')

    const ver = await agent.post(`/tasks/${taskId}/verify`, { decision: 'APPROVE', reason: 'looks right' })
    assert.equal(ver.status, 200, ver.text)
    assert.equal(ver.body.status, 'COMPLETED')
    assert.deepEqual(
      ver.body.transitions.map((t: { to: string }) => t.to),
      ['PENDING', 'ESTIMATE_PENDING', 'ACCEPTED', 'IN_PROGRESS', 'SUBMITTED', 'COMPLETED'],
    )
    assert.deepEqual((await agent.get('/agents/balance')).body, {
      deposit_balance: 84,
      escrow_balance: 0,
      currency: 'USD',
    })
    const earn = (await op.api.get('/operator/earnings')).body
    assert.equal(earn.pending_balance, 15)
    assert.equal(earn.available_balance, 0)
    assert.equal(earn.total_earned, 15)
    const revenue = await s.ctx.store.db
      .selectFrom('accounts')
      .select('balance_micros')
      .where('id', '=', 'platform:revenue')
      .executeTakeFirstOrThrow()
    assert.equal(revenue.balance_micros, 1_000_000n)

    // Not yet: one minute short of the 48-hour holding period.
    s.clock.advance(48 * 3_600_000 - 60_000)
    await s.runJobs()
    // Operator tokens are short-lived (1 h): two days later the operator logs in again.
    assert.equal((await op.api.get('/operator/earnings')).status, 401)
    const login = await client(s.url).post('/operator/login', { email: op.email, password: op.password })
    assert.equal(login.status, 200, login.text)
    op.api = client(s.url, { token: login.body.token })
    assert.equal((await op.api.get('/operator/earnings')).body.available_balance, 0)
    s.clock.advance(60_000)
    await s.runJobs()
    const later = (await op.api.get('/operator/earnings')).body
    assert.equal(later.pending_balance, 0)
    assert.equal(later.available_balance, 15)
    assert.equal(later.total_earned, 15)
    assert.equal(later.recent_tasks[0].task_id, taskId)

    const check = await ledgerCheck(s.ctx.store.db)
    assert.deepEqual(check.problems, [])
  })
})
