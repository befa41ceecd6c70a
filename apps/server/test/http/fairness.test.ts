import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  type AgentFixture,
  createTask,
  driveTo,
  newAdmin,
  newAgent,
  newOperator,
  taskBody,
} from '../helpers/fixtures.ts'
import { forEachDialect, type TestServer, useServer } from '../helpers/harness.ts'

const DAY = 24 * 3_600_000
type Admin = Awaited<ReturnType<typeof newAdmin>>

/** One dispute through the real API (a fresh operator: tokens expire as the clock moves), resolved by an admin with `outcome`. */
async function dispute(
  s: TestServer,
  agent: AgentFixture,
  admin: Admin,
  outcome: 'PAY_OPERATOR' | 'SPLIT' | 'REFUND_AGENT',
) {
  const taskId = await createTask(s, agent, { reward_usd: 10 })
  const op = await newOperator(s)
  await driveTo(s, agent, op, taskId, 'SUBMITTED')
  const rej = await agent.api.post(`/tasks/${taskId}/verify`, { decision: 'REJECT', reason: 'not done' })
  assert.equal(rej.status, 200, rej.text)
  const r = await admin.api.post(`/admin/tasks/${taskId}/resolve`, {
    outcome,
    note: `admin says ${outcome}`,
    ...(outcome === 'SPLIT' ? { operator_percent: 60 } : {}),
  })
  assert.equal(r.status, 200, r.text)
  return { taskId, body: r.body, op }
}

const canCreate = async (s: TestServer, agent: AgentFixture) =>
  (await agent.api.post('/tasks', taskBody(s))).status

forEachDialect('disputes and fairness', (dialect) => {
  const server = useServer(dialect)

  test('the resolution is recorded on the task: agent, operator and admin views', async () => {
    const s = server()
    const admin = await newAdmin(s)
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const { taskId, body, op } = await dispute(s, agent, admin, 'SPLIT')
    const expected = {
      outcome: 'SPLIT',
      operator_percent: 60,
      note: 'admin says SPLIT',
      admin_id: admin.id,
      at: s.clock.now().toISOString(),
      overturned_rejection: false,
    }
    assert.deepEqual(body.resolution, expected)
    assert.equal(body.agent_restricted, false)
    assert.deepEqual((await agent.api.get(`/tasks/${taskId}`)).body.resolution, expected)
    assert.deepEqual((await op.api.get(`/operator/tasks/${taskId}`)).body.resolution, expected)
    const adminView = await admin.api.get(`/admin/tasks/${taskId}`)
    assert.equal(adminView.status, 200)
    assert.deepEqual(adminView.body.resolution, expected)
    assert.equal(adminView.body.agent_id, agent.id)
    assert.equal(adminView.body.verify_reason, 'not done')
    assert.equal((await admin.api.get('/admin/tasks/task_nope')).status, 404)
    assert.equal((await agent.api.get(`/admin/tasks/${taskId}`)).status, 403)
    const refund = await dispute(s, agent, admin, 'REFUND_AGENT')
    assert.equal(refund.body.resolution.outcome, 'REFUND_AGENT')
    assert.equal(
      (await agent.api.get(`/tasks/${refund.taskId}`)).body.resolution.note,
      'admin says REFUND_AGENT',
    )
  })

  test('2 overturns: not restricted; the 3rd within 30 days restricts (403 on create, still reads and approves); lifting works', async () => {
    const s = server()
    const admin = await newAdmin(s)
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 200 })
    const op2 = await newOperator(s)
    const waiting = await createTask(s, agent, { reward_usd: 10 })
    await driveTo(s, agent, op2, waiting, 'SUBMITTED')

    const first = await dispute(s, agent, admin, 'PAY_OPERATOR')
    assert.equal(first.body.resolution.overturned_rejection, true)
    s.clock.advance(10 * DAY)
    const second = await dispute(s, agent, admin, 'PAY_OPERATOR')
    assert.equal(second.body.agent_restricted, false)
    assert.equal((await agent.api.get('/agents/me')).body.restricted, false)
    s.clock.advance(10 * DAY)
    const third = await dispute(s, agent, admin, 'PAY_OPERATOR')
    assert.equal(third.body.agent_restricted, true)

    const me = (await agent.api.get('/agents/me')).body
    assert.equal(me.restricted, true)
    assert.match(
      me.restricted_reason,
      /3 of this agent's rejections were overturned by admins within 30 days/,
    )
    assert.ok(me.restricted_reason.includes(first.taskId))
    const blocked = await agent.api.post('/tasks', taskBody(s))
    assert.equal(blocked.status, 403)
    assert.equal(blocked.body.code, 'ACCOUNT_RESTRICTED')
    assert.match(blocked.body.error, /restricted.*overturned by admins/)
    // Still able to read and to approve.
    assert.equal((await agent.api.get(`/tasks/${third.taskId}`)).status, 200)
    assert.equal((await agent.api.get('/tasks')).status, 200)
    const ok = await agent.api.post(`/tasks/${waiting}/verify`, { decision: 'APPROVE' })
    assert.equal(ok.status, 200, ok.text)
    assert.equal(ok.body.status, 'COMPLETED')

    const lift = await admin.api.post(`/admin/agents/${agent.id}/restriction`, { restricted: false })
    assert.equal(lift.status, 200)
    assert.equal(await canCreate(s, agent), 201)
    // Overturns before the lift no longer count: one more does not restrict again at once.
    const fourth = await dispute(s, agent, admin, 'PAY_OPERATOR')
    assert.equal(fourth.body.agent_restricted, false)
    assert.equal(await canCreate(s, agent), 201)
  })

  test('overturns spread over more than 30 days do not restrict', async () => {
    const s = server()
    const admin = await newAdmin(s)
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 200 })
    for (let i = 0; i < 4; i++) {
      const r = await dispute(s, agent, admin, 'PAY_OPERATOR')
      assert.equal(r.body.agent_restricted, false, `overturn ${i + 1}`)
      s.clock.advance(16 * DAY)
    }
    assert.equal((await agent.api.get('/agents/me')).body.restricted, false)
    assert.equal(await canCreate(s, agent), 201)
  })

  test('splits and refunds are not overturned rejections', async () => {
    const s = server()
    const admin = await newAdmin(s)
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 200 })
    for (const outcome of [
      'SPLIT',
      'SPLIT',
      'REFUND_AGENT',
      'SPLIT',
      'PAY_OPERATOR',
      'PAY_OPERATOR',
    ] as const) {
      assert.equal((await dispute(s, agent, admin, outcome)).body.agent_restricted, false)
    }
    assert.equal(await canCreate(s, agent), 201)
    const overturns = await s.ctx.store.db
      .selectFrom('overturned_rejections')
      .select('outcome')
      .where('agent_id', '=', agent.id)
      .execute()
    assert.equal(overturns.length, 2)
  })
})
