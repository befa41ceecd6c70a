import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ledgerCheck } from '../../src/ledger/check.ts'
import {
  createTask,
  driveTo,
  newAdmin,
  newAgent,
  newOperator,
  review,
  taskBody,
} from '../helpers/fixtures.ts'
import { forEachDialect, type TestServer, useServer } from '../helpers/harness.ts'

async function disputed(s: TestServer) {
  const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
  const op = await newOperator(s)
  const taskId = await createTask(s, agent, { reward_usd: 40 }) // fee $2, escrow $42
  await driveTo(s, agent, op, taskId, 'SUBMITTED')
  const rej = await agent.api.post(`/tasks/${taskId}/verify`, { decision: 'REJECT', reason: 'wrong shop' })
  assert.equal(rej.status, 200, rej.text)
  assert.equal(rej.body.status, 'DISPUTED')
  assert.equal(rej.body.verify_reason, 'wrong shop')
  return { agent, op, taskId }
}

const revenue = async (s: TestServer) =>
  (
    await s.ctx.store.db
      .selectFrom('accounts')
      .select('balance_micros')
      .where('id', '=', 'platform:revenue')
      .executeTakeFirst()
  )?.balance_micros ?? 0n

forEachDialect('admin API', (dialect) => {
  const server = useServer(dialect)

  test('an APPROVE with a reason keeps the reason on the task, as a REJECT does', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const op = await newOperator(s)
    const taskId = await createTask(s, agent, { reward_usd: 5 })
    await driveTo(s, agent, op, taskId, 'SUBMITTED')
    const ok = await agent.api.post(`/tasks/${taskId}/verify`, {
      decision: 'APPROVE',
      reason: 'great photos',
    })
    assert.equal(ok.status, 200, ok.text)
    assert.equal(ok.body.status, 'COMPLETED')
    assert.equal(ok.body.verify_reason, 'great photos')
    const seen = await op.api.get(`/operator/tasks/${taskId}`)
    assert.equal(seen.body.verify_reason, 'great photos')
  })

  test('disputes: list, split by percentage, pay operator, refund agent — exact balances', async () => {
    const s = server()
    const admin = await newAdmin(s)
    const split = await disputed(s)
    const listed = (await admin.api.get('/admin/tasks?status=DISPUTED')).body
    assert.ok(listed.data.some((t: { task_id: string }) => t.task_id === split.taskId))
    const before = await revenue(s)
    const r = await admin.api.post(`/admin/tasks/${split.taskId}/resolve`, {
      outcome: 'SPLIT',
      operator_percent: 25,
      note: 'half done',
    })
    assert.equal(r.status, 200, r.text)
    assert.equal(r.body.status, 'COMPLETED')
    assert.deepEqual((await split.agent.api.get('/agents/balance')).body, {
      deposit_balance: 88,
      escrow_balance: 0,
      currency: 'USD',
    })
    assert.equal((await split.op.api.get('/operator/earnings')).body.pending_balance, 10)
    assert.equal((await revenue(s)) - before, 2_000_000n)
    const task = (await split.agent.api.get(`/tasks/${split.taskId}`)).body
    assert.equal(task.resolution.outcome, 'SPLIT')
    assert.equal(task.resolution.operator_percent, 25)
    assert.equal(task.resolution.note, 'half done')
    assert.match(task.transitions.at(-1).actor, /^admin:adm_/)

    const bad = await admin.api.post(`/admin/tasks/${split.taskId}/resolve`, {
      outcome: 'SPLIT',
      operator_percent: 25,
      note: 'again',
    })
    assert.equal(bad.status, 409)

    const pay = await disputed(s)
    await admin.api.post(`/admin/tasks/${pay.taskId}/resolve`, {
      outcome: 'PAY_OPERATOR',
      note: 'proof was fine',
    })
    assert.deepEqual((await pay.agent.api.get('/agents/balance')).body, {
      deposit_balance: 58,
      escrow_balance: 0,
      currency: 'USD',
    })
    assert.equal((await pay.op.api.get('/operator/earnings')).body.pending_balance, 40)

    const refund = await disputed(s)
    const noPct = await admin.api.post(`/admin/tasks/${refund.taskId}/resolve`, {
      outcome: 'SPLIT',
      note: 'x',
    })
    assert.equal(noPct.status, 400)
    assert.match(noPct.body.error, /operator_percent/)
    const rf = await admin.api.post(`/admin/tasks/${refund.taskId}/resolve`, {
      outcome: 'REFUND_AGENT',
      note: 'no work done',
    })
    assert.equal(rf.body.status, 'CANCELLED')
    assert.deepEqual((await refund.agent.api.get('/agents/balance')).body, {
      deposit_balance: 100,
      escrow_balance: 0,
      currency: 'USD',
    })
    assert.equal((await refund.op.api.get('/operator/earnings')).body.pending_balance, 0)
    assert.equal(
      (await refund.agent.api.get(`/tasks/${refund.taskId}`)).body.cancel_reason,
      'DISPUTE_REFUNDED',
    )

    const check = (await admin.api.get('/admin/ledger-check')).body
    assert.equal(check.ok, true, JSON.stringify(check.problems))
  })

  test('manual review: approve pays the operator, reject refunds the agent', async () => {
    const s = server()
    const admin = await newAdmin(s)
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const op = await newOperator(s)
    const a = await createTask(s, agent, { reward_usd: 10 })
    const b = await createTask(s, agent, { reward_usd: 10 })
    for (const id of [a, b]) {
      await driveTo(s, agent, op, id, 'SUBMITTED')
      await review(s, id, 'MANUAL_REVIEW')
    }
    const queue = (await admin.api.get('/admin/tasks?status=MANUAL_REVIEW')).body
    assert.deepEqual(queue.data.map((t: { task_id: string }) => t.task_id).sort(), [a, b].sort())
    assert.equal(
      (await admin.api.post(`/admin/tasks/${a}/review`, { decision: 'APPROVE' })).body.status,
      'COMPLETED',
    )
    assert.equal(
      (await admin.api.post(`/admin/tasks/${b}/review`, { decision: 'REJECT', note: 'blurry' })).body.status,
      'CANCELLED',
    )
    assert.deepEqual((await agent.api.get('/agents/balance')).body, {
      deposit_balance: 89,
      escrow_balance: 0,
      currency: 'USD',
    })
    assert.equal((await op.api.get('/operator/earnings')).body.pending_balance, 10)
    assert.deepEqual((await ledgerCheck(s.ctx.store.db)).problems, [])
  })

  test('tier and restriction: a restricted agent cannot create tasks (403) until lifted', async () => {
    const s = server()
    const admin = await newAdmin(s)
    const agent = await newAgent(s, { deposit: 100 })
    const tooBig = await agent.api.post('/tasks', { ...taskBody(s), reward_usd: 15 })
    assert.equal(tooBig.status, 422)
    assert.match(tooBig.body.error, /maxTaskValue/)
    assert.equal((await admin.api.post(`/admin/agents/${agent.id}/tier`, { tier: 'VERIFIED' })).status, 200)
    assert.equal((await agent.api.get('/agents/me')).body.tier, 'VERIFIED')
    await admin.api.post(`/admin/agents/${agent.id}/restriction`, {
      restricted: true,
      reason: 'too many overturned rejections',
    })
    const blocked = await agent.api.post('/tasks', taskBody(s))
    assert.equal(blocked.status, 403)
    assert.equal(blocked.body.code, 'ACCOUNT_RESTRICTED')
    assert.match(blocked.body.error, /overturned/)
    await admin.api.post(`/admin/agents/${agent.id}/restriction`, { restricted: false })
    assert.equal((await agent.api.post('/tasks', taskBody(s))).status, 201)
    assert.equal((await admin.api.post('/admin/agents/ag_nope/tier', { tier: 'VERIFIED' })).status, 404)
  })
})
