import assert from 'node:assert/strict'
import { createHash, createHmac } from 'node:crypto'
import { test } from 'node:test'
import { decryptAtRest } from '../../src/credentials/at-rest.ts'
import { acceptTask } from '../../src/operators/accept-task.ts'
import { SANDBOX_OPERATOR_ID } from '../../src/sandbox/operator.ts'
import { SANDBOX_MAX_ESTIMATES } from '../../src/sandbox/simulate-accept.ts'
import { type AgentFixture, createTask, newAgent, newOperator, taskBody } from '../helpers/fixtures.ts'
import { forEachDialect, type TestServer, useServer } from '../helpers/harness.ts'
import { startReceiver } from '../helpers/receiver.ts'
import { assertWithinTask, ledgerSnapshot, servedEvidence } from './evidence.ts'

const STEP = 2_000
const SECRET = 'a callback secret of some length'

async function status(agent: AgentFixture, taskId: string): Promise<string> {
  const r = await agent.api.get(`/tasks/${taskId}`)
  assert.equal(r.status, 200, r.text)
  return r.body.status
}

/** Moves the clock one simulator step and runs every job then due. */
async function step(s: TestServer): Promise<void> {
  s.clock.advance(STEP)
  await s.runJobs()
}

async function queuedSandboxJobs(s: TestServer, taskId: string) {
  const rows = await s.ctx.store.db
    .selectFrom('jobs')
    .select(['kind', 'payload'])
    .where('kind', 'like', 'sandbox.%')
    .where('status', '=', 'queued')
    .execute()
  return rows.filter((r) => JSON.parse(r.payload).taskId === taskId).map((r) => r.kind)
}

forEachDialect('sandbox simulator', (dialect) => {
  const server = useServer(dialect, { sandboxStepMs: STEP })

  test('PHOTO task: simulated accept → approve → start → proof with real EXIF → COMPLETED; no money moves', async () => {
    const s = server()
    const agent = await newAgent(s)
    await s.runJobs() // the registration email
    const before = await ledgerSnapshot(s.ctx)
    const requirements = ['photo of the storefront', 'photo of the opening hours', 'photo of the street sign']
    const taskId = await createTask(s, agent, { reward_usd: 8, proof_requirements: requirements })
    const created = (await agent.api.get(`/tasks/${taskId}`)).body
    assert.equal(created.sandbox, true)
    assert.match(created.sandbox_notice, /simulated task/)

    await s.runJobs()
    assert.equal(await status(agent, taskId), 'PENDING', 'nothing happens before a step has passed')
    await step(s)
    const estimated = (await agent.api.get(`/tasks/${taskId}`)).body
    assert.equal(estimated.status, 'ESTIMATE_PENDING')
    assert.equal(estimated.operator.name, 'Sandbox Operator')
    assert.equal(estimated.operator.operator_id, SANDBOX_OPERATOR_ID)
    assert.ok(estimated.estimate.total_minutes >= 30 && estimated.estimate.total_minutes <= 180)
    assert.match(estimated.estimate.note, /Simulated operator/)

    // The simulated operator waits for the agent, however long.
    await step(s)
    assert.equal(await status(agent, taskId), 'ESTIMATE_PENDING')
    const approve = await agent.api.post(`/tasks/${taskId}/estimate/approve`)
    assert.equal(approve.status, 200, approve.text)
    assert.equal(approve.body.operator.name, 'Sandbox Operator')
    await s.runJobs()
    assert.equal(await status(agent, taskId), 'ACCEPTED')
    await step(s)
    assert.equal(await status(agent, taskId), 'IN_PROGRESS')
    await step(s)

    const done = (await agent.api.get(`/tasks/${taskId}`)).body
    assert.equal(done.status, 'COMPLETED')
    assert.deepEqual(
      done.transitions.map((t: { to: string }) => t.to),
      ['PENDING', 'ESTIMATE_PENDING', 'ACCEPTED', 'IN_PROGRESS', 'SUBMITTED', 'VERIFIED', 'COMPLETED'],
    )
    assert.ok(
      done.transitions
        .slice(1, 5)
        .every((t: { actor: string }, i: number) =>
          i === 1 ? t.actor === `agent:${agent.id}` : t.actor === `operator:${SANDBOX_OPERATOR_ID}`,
        ),
    )
    assert.equal(done.guardian_result.decision, 'VERIFIED')
    for (const r of requirements) assert.ok(done.proof.notes.includes(r), `notes answer "${r}"`)
    assert.equal(done.proof.photos.length, requirements.length, 'one photo per proof requirement')

    const hashes = new Set<string>()
    for (const [i, url] of (done.proof.photos as string[]).entries()) {
      const res = await fetch(url)
      assert.equal(res.status, 200)
      const photo = Buffer.from(await res.arrayBuffer())
      hashes.add(createHash('sha256').update(photo).digest('hex'))
      assertWithinTask(await servedEvidence(photo, done.proof.photo_details[i]), done)
    }
    assert.equal(hashes.size, requirements.length, 'every photo is unique')

    assert.deepEqual(await ledgerSnapshot(s.ctx), before, 'no ledger row or balance changed')
    assert.deepEqual((await agent.api.get('/agents/balance')).body, {
      deposit_balance: 0,
      escrow_balance: 0,
      currency: 'USD',
    })
    assert.deepEqual(await queuedSandboxJobs(s, taskId), [], 'the simulator is finished with it')
  })

  test('digital task: notes carry a synthetic result for each requirement, no photos', async () => {
    const s = server()
    const agent = await newAgent(s)
    const requirements = ['list of broken links', 'screenshot description of the checkout page']
    const taskId = await createTask(s, agent, {
      task_type: 'CONTENT_REVIEW',
      reward_usd: 3,
      location: undefined,
      digital_instructions: 'Review https://example.com and report problems.',
      proof_requirements: requirements,
    })
    await step(s)
    assert.equal((await agent.api.post(`/tasks/${taskId}/estimate/approve`)).status, 200)
    await step(s)
    await step(s)
    const done = (await agent.api.get(`/tasks/${taskId}`)).body
    assert.equal(done.status, 'COMPLETED')
    assert.deepEqual(done.proof.photos, [])
    for (const r of requirements) assert.ok(done.proof.notes.includes(r))
    assert.match(done.proof.notes, /SBX-[0-9A-F]{8}/)
    assert.ok(done.estimate.total_minutes >= 10 && done.estimate.total_minutes <= 60)
  })

  test('credential task: the simulated operator submits a synthetic credential', async () => {
    const s = server()
    const agent = await newAgent(s)
    const taskId = await createTask(s, agent, {
      task_type: 'ACCOUNT_CREATION',
      reward_usd: 2,
      location: undefined,
      proof_requirements: ['account username and password'],
    })
    await step(s)
    assert.equal((await agent.api.post(`/tasks/${taskId}/estimate/approve`)).status, 200)
    await step(s)
    await step(s)
    const done = (await agent.api.get(`/tasks/${taskId}`)).body
    assert.equal(done.status, 'COMPLETED')
    assert.equal(done.credential_available, true)
    const row = await s.ctx.store.db
      .selectFrom('tasks')
      .select('credentials')
      .where('id', '=', taskId)
      .executeTakeFirstOrThrow()
    const creds = JSON.parse(
      decryptAtRest(
        s.ctx.secrets.masterKey,
        `task-credential:${taskId}`,
        Buffer.from(row.credentials!, 'base64'),
      ).toString(),
    )
    assert.match(creds.username, /^sandbox_[0-9a-f]{8}$/)
    assert.ok(creds.password.length >= 12)
    assert.match(creds.api_key, /^sk_sandbox_[0-9a-f]{32}$/)
  })

  for (const at of ['PENDING', 'ESTIMATE_PENDING', 'ACCEPTED'] as const) {
    test(`cancelling in ${at} stops the simulator`, async () => {
      const s = server()
      const agent = await newAgent(s)
      const taskId = await createTask(s, agent, { reward_usd: 1 })
      if (at !== 'PENDING') await step(s)
      if (at === 'ACCEPTED')
        assert.equal((await agent.api.post(`/tasks/${taskId}/estimate/approve`)).status, 200)
      assert.equal(await status(agent, taskId), at)
      const cancel = await agent.api.post(`/tasks/${taskId}/cancel`)
      assert.equal(cancel.status, 200, cancel.text)
      assert.equal(cancel.body.refunded_usd, 0)
      const transitions = (await agent.api.get(`/tasks/${taskId}`)).body.transitions.length
      for (let i = 0; i < 4; i++) await step(s)
      const after = (await agent.api.get(`/tasks/${taskId}`)).body
      assert.equal(after.status, 'CANCELLED')
      assert.equal(after.transitions.length, transitions, 'no step acted after the cancel')
      assert.deepEqual(await queuedSandboxJobs(s, taskId), [])
    })
  }

  test('IN_PROGRESS cannot be cancelled by the agent (409), as documented; the simulator completes it', async () => {
    const s = server()
    const agent = await newAgent(s)
    const taskId = await createTask(s, agent, { reward_usd: 1 })
    await step(s)
    await agent.api.post(`/tasks/${taskId}/estimate/approve`)
    await step(s)
    assert.equal(await status(agent, taskId), 'IN_PROGRESS')
    const cancel = await agent.api.post(`/tasks/${taskId}/cancel`)
    assert.equal(cancel.status, 409)
    assert.match(cancel.body.error, /IN_PROGRESS/)
    await step(s)
    assert.equal(await status(agent, taskId), 'COMPLETED')
  })

  test('a rejected estimate: the task reopens and the simulator accepts again after a step', async () => {
    const s = server()
    const agent = await newAgent(s)
    const taskId = await createTask(s, agent, { reward_usd: 1 })
    await step(s)
    const first = (await agent.api.get(`/tasks/${taskId}`)).body.estimate
    const reject = await agent.api.post(`/tasks/${taskId}/estimate/reject`, { reason: 'too slow' })
    assert.equal(reject.status, 200, reject.text)
    await s.runJobs()
    assert.equal(await status(agent, taskId), 'PENDING')
    await step(s)
    const again = (await agent.api.get(`/tasks/${taskId}`)).body
    assert.equal(again.status, 'ESTIMATE_PENDING')
    assert.notEqual(again.estimate.submitted_at, first.submitted_at, 'a new estimate')
    assert.deepEqual(
      again.transitions.map((t: { to: string }) => t.to),
      ['PENDING', 'ESTIMATE_PENDING', 'PENDING', 'ESTIMATE_PENDING'],
    )
  })

  test('an estimate left unanswered expires as for real tasks, then the simulator accepts again', async () => {
    const s = server()
    const agent = await newAgent(s)
    const taskId = await createTask(s, agent, { reward_usd: 1 })
    await step(s)
    s.clock.advance(s.ctx.config.estimateTtlMs)
    await s.runJobs()
    const expired = (await agent.api.get(`/tasks/${taskId}`)).body
    assert.equal(expired.status, 'PENDING')
    assert.equal(expired.transitions.at(-1).reason, 'estimate expired')
    await step(s)
    assert.equal(await status(agent, taskId), 'ESTIMATE_PENDING')
  })

  test(`after ${SANDBOX_MAX_ESTIMATES} estimates the simulated operator stops offering; the task stays open`, async () => {
    const s = server()
    const agent = await newAgent(s)
    const taskId = await createTask(s, agent, { reward_usd: 1 })
    for (let i = 0; i < SANDBOX_MAX_ESTIMATES; i++) {
      await step(s)
      assert.equal(await status(agent, taskId), 'ESTIMATE_PENDING', `estimate ${i + 1}`)
      s.clock.advance(s.ctx.config.estimateTtlMs)
      await s.runJobs()
      assert.equal(await status(agent, taskId), 'PENDING')
    }
    await step(s)
    await step(s)
    assert.equal(await status(agent, taskId), 'PENDING')
    assert.equal((await agent.api.post(`/tasks/${taskId}/cancel`)).status, 200)
  })

  test('real operators never see sandbox tasks; the simulated operator never takes real ones; no cap for it', async () => {
    const s = server()
    const sandbox = await newAgent(s)
    const ids: string[] = []
    for (let i = 0; i < 7; i++) ids.push(await createTask(s, sandbox, { reward_usd: 1 }))
    const op = await newOperator(s)
    const browse = await op.api.get('/operator/tasks?limit=100')
    assert.ok(!browse.body.data.some((t: { task_id: string }) => ids.includes(t.task_id)))
    assert.equal((await op.api.get(`/operator/tasks/${ids[0]}`)).status, 404)
    assert.equal((await op.api.post(`/operator/tasks/${ids[0]}/accept`, { estimate_hours: 1 })).status, 404)
    await step(s)
    // More than the 5 unfinished tasks a real operator may hold.
    for (const id of ids) assert.equal(await status(sandbox, id), 'ESTIMATE_PENDING')
    assert.equal((await op.api.get(`/operator/tasks/${ids[0]}`)).status, 404)
    assert.equal((await op.api.get('/operator/tasks/mine')).body.pagination.total, 0)

    const real = await newAgent(s, { tier: 'VERIFIED', deposit: 20 })
    const realTask = await createTask(s, real, { reward_usd: 2 })
    await assert.rejects(
      acceptTask(s.ctx, SANDBOX_OPERATOR_ID, realTask, { estimate_hours: 1 }, { simulated: true }),
      /Task not found/,
    )
    await step(s)
    assert.equal(await status(real, realTask), 'PENDING', 'the simulator leaves real tasks alone')
    const login = await op.api.post('/operator/login', {
      email: 'sandbox-operator@humcli.invalid',
      password: 'any password at all',
    })
    assert.equal(login.status, 401, 'nobody can log in as the simulated operator')
  })

  test('callbacks fire for every status change of a sandbox task, as for real ones', async () => {
    const s = server()
    const receiver = await startReceiver()
    try {
      const agent = await newAgent(s)
      const r = await agent.api.post(
        '/tasks',
        taskBody(s, { reward_usd: 1, callback_url: `${receiver.url}/hook`, callback_secret: SECRET }),
      )
      assert.equal(r.status, 201, r.text)
      const taskId = r.body.task_id
      await step(s)
      await agent.api.post(`/tasks/${taskId}/estimate/approve`)
      await step(s)
      await step(s)
      await s.runJobs()
      const events = receiver.received
        .map((x) => JSON.parse(x.body))
        .filter((e) => e.task_id === taskId)
        .map((e) => `${e.previous_status}→${e.status}`)
      assert.deepEqual(events, [
        'PENDING→ESTIMATE_PENDING',
        'ESTIMATE_PENDING→ACCEPTED',
        'ACCEPTED→IN_PROGRESS',
        'IN_PROGRESS→SUBMITTED',
        'SUBMITTED→VERIFIED',
        'VERIFIED→COMPLETED',
      ])
      for (const x of receiver.received) {
        const expected = createHmac('sha256', SECRET).update(x.body).digest('hex')
        assert.equal(x.headers['x-signature'], expected, 'signed as for real tasks')
      }
    } finally {
      await receiver.close()
    }
  })

  test('at most 10 photos, one per requirement, all different', async () => {
    const s = server()
    const agent = await newAgent(s)
    const requirements = Array.from({ length: 12 }, (_, i) => `photo of window ${i + 1}`)
    const taskId = await createTask(s, agent, { reward_usd: 1, proof_requirements: requirements })
    await step(s)
    await agent.api.post(`/tasks/${taskId}/estimate/approve`)
    await step(s)
    await step(s)
    const done = (await agent.api.get(`/tasks/${taskId}`)).body
    assert.equal(done.status, 'COMPLETED')
    assert.equal(done.proof.photos.length, 10)
    for (const r of requirements) assert.ok(done.proof.notes.includes(`${r}:`))
  })
})
