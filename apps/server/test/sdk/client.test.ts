import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Humcli, HumcliError, type TaskType } from '@humcli/sdk'
import {
  createTask,
  driveTo,
  newAgent,
  newOperator,
  proofForm,
  taskBody,
  txHash,
} from '../helpers/fixtures.ts'
import { forEachDialect, type TestServer, useServer } from '../helpers/harness.ts'
import { startReceiver } from '../helpers/receiver.ts'

/** An SDK client for a registered agent of the given tier, with funds. */
async function sdkAgent(s: TestServer, opts: Parameters<typeof newAgent>[1] = {}) {
  const agent = await newAgent(s, opts)
  return { agent, humcli: new Humcli({ apiKey: agent.key, baseUrl: s.url, maxRetries: 0 }) }
}

const sdkTask = (s: TestServer, over: Record<string, unknown> = {}) =>
  ({ ...taskBody(s, over), task_type: (over.task_type ?? 'PHOTO') as TaskType }) as Parameters<
    Humcli['tasks']['create']
  >[0]

/** Awaits a promise expected to reject with a HumcliError and returns that error. */
async function failure(p: Promise<unknown>): Promise<HumcliError> {
  try {
    await p
  } catch (err) {
    assert.ok(err instanceof HumcliError, `expected a HumcliError, got ${String(err)}`)
    return err
  }
  assert.fail('expected the call to fail')
}

forEachDialect('SDK against a real server', (dialect) => {
  const server = useServer(dialect)

  test('register (no key), me, balance, keys create/list/revoke', async () => {
    const s = server()
    const reg = await Humcli.register(
      { name: 'sdk agent', email: `sdk-${Date.now()}@example.com` },
      { baseUrl: `${s.url}/api/v1/` },
    )
    assert.match(reg.api_key, /^ho_live_[A-Za-z0-9]{48}$/)
    assert.equal(reg.tier, 'SANDBOX')
    assert.equal(reg.sandbox_info.limits.maxTaskValue, 10)
    const humcli = new Humcli({ apiKey: reg.api_key, baseUrl: s.url })
    const me = await humcli.me()
    assert.equal(me.agent_id, reg.agent_id)
    assert.equal(me.tier, 'SANDBOX')
    assert.deepEqual(await humcli.balance(), { deposit_balance: 0, escrow_balance: 0, currency: 'USD' })

    const k = await humcli.keys.create('ci')
    assert.match(k.key, /^ho_live_/)
    assert.equal(k.name, 'ci')
    const listed = await humcli.keys.list()
    assert.deepEqual(listed.data.map((x) => x.name).sort(), ['ci', 'default'])
    assert.ok(
      listed.data.every((x) => !('key' in x)),
      'keys are listed by prefix only',
    )
    const revoked = await humcli.keys.revoke(k.id)
    assert.equal(revoked.id, k.id)
    const again = await failure(humcli.keys.revoke(k.id))
    assert.equal(again.status, 404)
    assert.equal(again.code, 'NOT_FOUND')
    assert.equal(again.message, 'API key not found.')
    assert.match(again.requestId ?? '', /^req_/)
    assert.equal(again.request_id, again.requestId)
    const lastKey = listed.data.find((x) => x.name === 'default')!
    assert.equal((await failure(humcli.keys.revoke(lastKey.id))).status, 409)
  })

  test('deposit sends an Idempotency-Key; the same key replays, a new key is a new deposit', async () => {
    const s = server()
    const { humcli } = await sdkAgent(s, { tier: 'VERIFIED' })
    const tx = txHash()
    const d = await humcli.deposit({ tx_hash: tx, amount_usdc: 30 }, { idempotencyKey: 'dep-1' })
    assert.equal(d.status, 'CONFIRMED')
    assert.equal(d.amount_usdc, 30)
    const replay = await humcli.deposit({ tx_hash: tx, amount_usdc: 30 }, { idempotencyKey: 'dep-1' })
    assert.deepEqual(replay, d)
    const dup = await failure(humcli.deposit({ tx_hash: tx, amount_usdc: 30 }))
    assert.equal(dup.status, 409)
    assert.equal(dup.message, 'Transaction already processed.')
    assert.equal((await humcli.balance()).deposit_balance, 30)
    const lines = await humcli.transactions({ limit: 5 })
    assert.equal(lines.pagination.total, 1)
    assert.equal(lines.data[0]!.amount_usd, 30)
    assert.equal(lines.data[0]!.account, 'deposit')
  })

  test('tasks: create (Date deadline), list with filters, get, approve estimate, verify, rate', async () => {
    const s = server()
    const { humcli } = await sdkAgent(s, { tier: 'STANDARD', deposit: 100 })
    const input = sdkTask(s)
    const created = await humcli.tasks.create({ ...input, deadline: new Date(input.deadline) })
    assert.equal(created.status, 'PENDING')
    assert.equal(created.escrow_usd, 16)
    assert.equal(created.deadline, new Date(input.deadline).toISOString())
    const other = await humcli.tasks.create(sdkTask(s, { task_type: 'DATA_VALIDATION', location: undefined }))
    const all = await humcli.tasks.list()
    assert.equal(all.pagination.total, 2)
    assert.equal(all.data[0]!.task_id, other.task_id, 'newest first')
    const first = await humcli.tasks.list({ limit: 1 })
    assert.ok(first.pagination.next_cursor)
    const second = await humcli.tasks.list({ limit: 1, cursor: first.pagination.next_cursor })
    assert.deepEqual(
      [...first.data, ...second.data].map((t) => t.task_id),
      all.data.map((t) => t.task_id),
    )
    assert.equal(second.pagination.next_cursor, null)
    const photos = await humcli.tasks.list({ task_type: 'PHOTO', limit: 1 })
    assert.deepEqual(
      photos.data.map((t) => t.task_id),
      [created.task_id],
    )
    assert.equal((await humcli.tasks.list({ status: 'COMPLETED' })).pagination.total, 0)

    const op = await newOperator(s)
    const accepted = await op.api.post(`/operator/tasks/${created.task_id}/accept`, { estimate_hours: 1 })
    assert.equal(accepted.status, 200, accepted.text)
    const got = await humcli.tasks.get(created.task_id)
    assert.equal(got.status, 'ESTIMATE_PENDING')
    assert.equal(got.estimate?.total_minutes, 60)
    const approved = await humcli.tasks.approveEstimate(created.task_id)
    assert.equal(approved.status, 'ACCEPTED')
    assert.equal(approved.estimate_minutes, 60)
    await op.api.post(`/operator/tasks/${created.task_id}/start`)
    const proof = await op.api.post(`/operator/tasks/${created.task_id}/proof`, undefined, {
      form: proofForm(),
    })
    assert.equal(proof.status, 200, proof.text)
    const submitted = await humcli.tasks.get(created.task_id)
    if (submitted.status !== 'SUBMITTED') assert.equal(submitted.status, 'MANUAL_REVIEW')
    const done = await humcli.tasks.verify(created.task_id, { decision: 'APPROVE', reason: 'looks right' })
    assert.equal(done.status, 'COMPLETED')
    assert.equal(done.transitions.at(-1)?.reason, 'looks right')
    assert.deepEqual(await humcli.balance(), { deposit_balance: 68, escrow_balance: 16, currency: 'USD' })
    const rating = await humcli.tasks.rate(created.task_id, { score: 5, comment: 'quick' })
    assert.equal(rating.score, 5)
    assert.equal((await failure(humcli.tasks.rate(created.task_id, { score: 4 }))).status, 409)
  })

  test('tasks: reject estimate, cancel with refund, verify REJECT disputes', async () => {
    const s = server()
    const { agent, humcli } = await sdkAgent(s, { tier: 'STANDARD', deposit: 100 })
    const op = await newOperator(s)
    const a = await createTask(s, agent)
    await driveTo(s, agent, op, a, 'ESTIMATE_PENDING')
    const rejected = await humcli.tasks.rejectEstimate(a, 'too slow')
    assert.deepEqual([rejected.task_id, rejected.status], [a, 'PENDING'])
    const cancelled = await humcli.tasks.cancel(a, 'no longer needed')
    assert.equal(cancelled.status, 'CANCELLED')
    assert.equal(cancelled.refunded_usd, 16)
    const twice = await failure(humcli.tasks.cancel(a))
    assert.equal(twice.status, 409)
    assert.equal(twice.code, 'INVALID_STATE')

    const b = await createTask(s, agent)
    await driveTo(s, agent, op, b, 'SUBMITTED')
    const disputed = await humcli.tasks.verify(b, { decision: 'REJECT', reason: 'wrong shop' })
    assert.equal(disputed.status, 'DISPUTED')
  })

  test('errors are typed: not found, validation details, wrong key, no key', async () => {
    const s = server()
    const { humcli } = await sdkAgent(s)
    const missing = await failure(humcli.tasks.get('task_doesnotexist'))
    assert.deepEqual([missing.kind, missing.status, missing.code], ['api', 404, 'NOT_FOUND'])
    const bad = await failure(humcli.tasks.create({ ...sdkTask(s), reward_usd: -1 }))
    assert.equal(bad.status, 400)
    assert.equal(bad.code, 'VALIDATION_FAILED')
    assert.ok(
      bad.details?.some((d) => d.path.includes('reward_usd')),
      JSON.stringify(bad.details),
    )
    const wrong = await failure(new Humcli({ apiKey: 'ho_live_wrong', baseUrl: s.url }).me())
    assert.deepEqual([wrong.status, wrong.code], [401, 'UNAUTHORIZED'])
    const none = await failure(new Humcli({ baseUrl: s.url }).balance())
    assert.deepEqual([none.code, none.status], ['NO_API_KEY', null])
  })

  test('webhooks: create, list, test, deliveries, redeliver, rotate secret, delete', async () => {
    const s = server()
    const rx = await startReceiver()
    try {
      const { humcli } = await sdkAgent(s, { tier: 'VERIFIED' })
      const ep = await humcli.webhooks.create({ url: `${rx.url}/hooks`, events: ['*'], description: 'all' })
      assert.match(ep.secret ?? '', /^whsec_/)
      const listed = await humcli.webhooks.list()
      assert.deepEqual(
        listed.data.map((e) => [e.id, e.secret]),
        [[ep.id, undefined]],
      )
      const ping = await humcli.webhooks.test(ep.id)
      assert.equal(ping.event_type, 'webhook.ping')
      await s.runJobs()
      assert.equal(rx.received.length, 1)
      const deliveries = await humcli.webhooks.deliveries(ep.id, { limit: 10 })
      assert.equal(deliveries.pagination.total, 1)
      assert.equal(deliveries.data[0]!.status, 'SUCCEEDED')
      const again = await humcli.webhooks.redeliver(ping.id)
      assert.equal(again.status, 'PENDING')
      await s.runJobs()
      assert.equal(rx.received.length, 2)
      const rotated = await humcli.webhooks.rotateSecret(ep.id)
      assert.notEqual(rotated.secret, ep.secret)
      assert.deepEqual(await humcli.webhooks.delete(ep.id), { id: ep.id, deleted: true })
      assert.equal((await humcli.webhooks.list()).data.length, 0)
      assert.equal((await failure(humcli.webhooks.delete(ep.id))).status, 404)
    } finally {
      await rx.close()
    }
  })
})
