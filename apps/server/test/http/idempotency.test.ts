import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { sql } from 'kysely'
import type { ApiResponse } from '../helpers/api.ts'
import {
  type AgentFixture,
  createTask,
  driveTo,
  newAgent,
  newOperator,
  proofForm,
  taskBody,
  txHash,
} from '../helpers/fixtures.ts'
import { forEachDialect, type TestServer, useServer } from '../helpers/harness.ts'

const newKey = () => `idem-${randomBytes(8).toString('hex')}`
const withKey = (key: string) => ({ headers: { 'idempotency-key': key } })

/** One original answer and the rest replays, all byte-for-byte the same. */
function assertOneOriginalRestReplayed(replies: ApiResponse[], status: number) {
  for (const r of replies) assert.equal(r.status, status, r.text)
  const originals = replies.filter((r) => r.headers.get('idempotent-replayed') === null)
  assert.equal(originals.length, 1, 'exactly one request ran; the others were replays')
  for (const r of replies) {
    if (r !== originals[0]) assert.equal(r.headers.get('idempotent-replayed'), 'true')
    assert.equal(r.text, originals[0]!.text, 'replayed bodies are byte-for-byte identical')
  }
}

async function count(s: TestServer, table: 'tasks' | 'deposits', agentId: string): Promise<number> {
  const r = await s.ctx.store.db
    .selectFrom(table)
    .select(sql<bigint>`count(*)`.as('n'))
    .where('agent_id', '=', agentId)
    .executeTakeFirstOrThrow()
  return Number(r.n)
}

/** Ledger transactions of one kind, for one task (or every task when taskId is omitted). */
async function ledgerTxCount(s: TestServer, kind: string, taskId?: string): Promise<number> {
  let q = s.ctx.store.db
    .selectFrom('ledger_transactions')
    .select(sql<bigint>`count(*)`.as('n'))
    .where('kind', '=', kind)
  if (taskId) q = q.where('task_id', '=', taskId)
  return Number((await q.executeTakeFirstOrThrow()).n)
}

const balance = async (agent: AgentFixture) => (await agent.api.get('/agents/balance')).body

forEachDialect('Idempotency-Key', (dialect) => {
  const server = useServer(dialect)

  test('POST /tasks 10× in sequence with one key: one task, escrow taken once, replays identical', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const key = newKey()
    const body = taskBody(s)
    const replies: ApiResponse[] = []
    for (let i = 0; i < 10; i++) replies.push(await agent.api.post('/tasks', body, withKey(key)))
    assertOneOriginalRestReplayed(replies, 201)
    assert.equal(replies[0]!.headers.get('idempotent-replayed'), null, 'the first request is the original')
    assert.equal(await count(s, 'tasks', agent.id), 1)
    assert.deepEqual(await balance(agent), { deposit_balance: 84, escrow_balance: 16, currency: 'USD' })
    assert.equal(await ledgerTxCount(s, 'escrow.hold', replies[0]!.body.task_id), 1)
  })

  test('POST /tasks 10× concurrently with one key: one task, escrow taken once, replays identical', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const key = newKey()
    const body = taskBody(s)
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => agent.api.post('/tasks', body, withKey(key))),
    )
    assertOneOriginalRestReplayed(replies, 201)
    assert.equal(await count(s, 'tasks', agent.id), 1)
    assert.deepEqual(await balance(agent), { deposit_balance: 84, escrow_balance: 16, currency: 'USD' })
  })

  test('the same key with another body is 422 IDEMPOTENCY_MISMATCH and creates nothing', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const key = newKey()
    const first = await agent.api.post('/tasks', taskBody(s), withKey(key))
    assert.equal(first.status, 201, first.text)
    const other = await agent.api.post('/tasks', taskBody(s, { reward_usd: 20 }), withKey(key))
    assert.equal(other.status, 422, other.text)
    assert.equal(other.body.code, 'IDEMPOTENCY_MISMATCH')
    assert.equal(other.headers.get('idempotent-replayed'), null)
    assert.equal(await count(s, 'tasks', agent.id), 1)
    assert.deepEqual(await balance(agent), { deposit_balance: 84, escrow_balance: 16, currency: 'USD' })
    // A fresh key with that other body works.
    const fresh = await agent.api.post('/tasks', taskBody(s, { reward_usd: 20 }), withKey(newKey()))
    assert.equal(fresh.status, 201, fresh.text)
  })

  test("keys are scoped per agent: agent B using A's key string creates its own task", async () => {
    const s = server()
    const a = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const b = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const key = newKey()
    const body = taskBody(s)
    const ra = await a.api.post('/tasks', body, withKey(key))
    const rb = await b.api.post('/tasks', body, withKey(key))
    assert.equal(ra.status, 201, ra.text)
    assert.equal(rb.status, 201, rb.text)
    assert.equal(rb.headers.get('idempotent-replayed'), null, "B's request runs, it is not A's replay")
    assert.notEqual(rb.body.task_id, ra.body.task_id)
    assert.equal(await count(s, 'tasks', a.id), 1)
    assert.equal(await count(s, 'tasks', b.id), 1)
    // B's key did not leak A's task: B reads its own, and A's is 404 for B.
    assert.equal((await b.api.get(`/tasks/${rb.body.task_id}`)).status, 200)
    assert.equal((await b.api.get(`/tasks/${ra.body.task_id}`)).status, 404)
    // Repeating B's request replays B's answer, not A's.
    const bAgain = await b.api.post('/tasks', body, withKey(key))
    assert.equal(bAgain.headers.get('idempotent-replayed'), 'true')
    assert.equal(bAgain.text, rb.text)
  })

  test('POST /tasks/:id/cancel: one refund, identical replays; another body is 422', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const taskId = await createTask(s, agent)
    const key = newKey()
    const seq = [await agent.api.post(`/tasks/${taskId}/cancel`, undefined, withKey(key))]
    const par = await Promise.all(
      Array.from({ length: 9 }, () => agent.api.post(`/tasks/${taskId}/cancel`, undefined, withKey(key))),
    )
    assertOneOriginalRestReplayed([...seq, ...par], 200)
    assert.equal(seq[0]!.body.status, 'CANCELLED')
    assert.equal(seq[0]!.body.refunded_usd, 16)
    assert.equal(await ledgerTxCount(s, 'escrow.refund', taskId), 1)
    assert.deepEqual(await balance(agent), { deposit_balance: 100, escrow_balance: 0, currency: 'USD' })
    const mismatch = await agent.api.post(
      `/tasks/${taskId}/cancel`,
      { reason: 'changed my mind' },
      withKey(key),
    )
    assert.equal(mismatch.status, 422, mismatch.text)
    assert.equal(mismatch.body.code, 'IDEMPOTENCY_MISMATCH')
    // Without the key the cancel really runs again, and is refused: the replays did not re-run it.
    const again = await agent.api.post(`/tasks/${taskId}/cancel`)
    assert.equal(again.status, 409, again.text)
  })

  test('POST /tasks/:id/verify: one completion and one release, identical replays; another body is 422', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const op = await newOperator(s)
    const taskId = await createTask(s, agent)
    await driveTo(s, agent, op, taskId, 'SUBMITTED')
    const key = newKey()
    const body = { decision: 'APPROVE', reason: 'all good' }
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => agent.api.post(`/tasks/${taskId}/verify`, body, withKey(key))),
    )
    assertOneOriginalRestReplayed(replies, 200)
    assert.equal(replies[0]!.body.status, 'COMPLETED')
    const completions = replies[0]!.body.transitions.filter((t: { to: string }) => t.to === 'COMPLETED')
    assert.equal(completions.length, 1)
    assert.equal(await ledgerTxCount(s, 'escrow.release', taskId), 1)
    const earnings = (await op.api.get('/operator/earnings')).body
    assert.equal(earnings.pending_balance, 15)
    const reject = await agent.api.post(`/tasks/${taskId}/verify`, { decision: 'REJECT' }, withKey(key))
    assert.equal(reject.status, 422, reject.text)
    assert.equal(reject.body.code, 'IDEMPOTENCY_MISMATCH')
    assert.equal((await agent.api.get(`/tasks/${taskId}`)).body.status, 'COMPLETED')
  })

  test('estimate approve / reject and rating: one transition or rating each, identical replays', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const op = await newOperator(s)
    const transitionsTo = async (taskId: string, to: string) =>
      (await agent.api.get(`/tasks/${taskId}`)).body.transitions.filter((t: { to: string }) => t.to === to)
        .length
    const repeat = (path: string, body: unknown, key = newKey()) =>
      Promise.all(Array.from({ length: 6 }, () => agent.api.post(path, body, withKey(key))))

    const approved = await createTask(s, agent)
    await driveTo(s, agent, op, approved, 'ESTIMATE_PENDING')
    assertOneOriginalRestReplayed(await repeat(`/tasks/${approved}/estimate/approve`, undefined), 200)
    assert.equal(await transitionsTo(approved, 'ACCEPTED'), 1)

    const rejected = await createTask(s, agent)
    await driveTo(s, agent, op, rejected, 'ESTIMATE_PENDING')
    const key = newKey()
    assertOneOriginalRestReplayed(
      await repeat(`/tasks/${rejected}/estimate/reject`, { reason: 'too slow' }, key),
      200,
    )
    assert.equal((await agent.api.get(`/tasks/${rejected}`)).body.status, 'PENDING')
    const other = await agent.api.post(
      `/tasks/${rejected}/estimate/reject`,
      { reason: 'too dear' },
      withKey(key),
    )
    assert.equal(other.status, 422, other.text)

    assert.equal((await op.api.post(`/operator/tasks/${approved}/start`)).status, 200)
    const proof = await op.api.post(`/operator/tasks/${approved}/proof`, undefined, { form: proofForm() })
    assert.equal(proof.status, 200, proof.text)
    assert.equal((await agent.api.post(`/tasks/${approved}/verify`, { decision: 'APPROVE' })).status, 200)
    assertOneOriginalRestReplayed(await repeat(`/tasks/${approved}/rating`, { score: 5 }), 201)
    const ratings = await s.ctx.store.db
      .selectFrom('task_ratings')
      .select(sql<bigint>`count(*)`.as('n'))
      .where('task_id', '=', approved)
      .executeTakeFirstOrThrow()
    assert.equal(Number(ratings.n), 1)
  })

  test('operator accept / start / release: one transition each, identical replays', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const op = await newOperator(s)
    const taskId = await createTask(s, agent)
    const repeat = (path: string, body: unknown) => {
      const key = newKey()
      return Promise.all(Array.from({ length: 6 }, () => op.api.post(path, body, withKey(key))))
    }
    assertOneOriginalRestReplayed(
      await repeat(`/operator/tasks/${taskId}/accept`, { estimate_hours: 1 }),
      200,
    )
    assert.equal((await agent.api.post(`/tasks/${taskId}/estimate/approve`)).status, 200)
    assertOneOriginalRestReplayed(await repeat(`/operator/tasks/${taskId}/start`, undefined), 200)
    assertOneOriginalRestReplayed(await repeat(`/operator/tasks/${taskId}/release`, { reason: 'sick' }), 200)
    const moves = (await agent.api.get(`/tasks/${taskId}`)).body.transitions.map(
      (t: { from: string; to: string }) => `${t.from}>${t.to}`,
    )
    assert.deepEqual(moves.slice(-4), [
      'PENDING>ESTIMATE_PENDING',
      'ESTIMATE_PENDING>ACCEPTED',
      'ACCEPTED>IN_PROGRESS',
      'IN_PROGRESS>PENDING',
    ])
    assert.equal(moves.filter((m: string) => m === 'PENDING>ESTIMATE_PENDING').length, 1)
  })

  test('POST /agents/deposit/usdc: a replayed report credits once', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD' })
    const key = newKey()
    const body = { tx_hash: txHash(), amount_usdc: 25, chain: 'base' }
    const seq: ApiResponse[] = []
    for (let i = 0; i < 5; i++) seq.push(await agent.api.post('/agents/deposit/usdc', body, withKey(key)))
    const par = await Promise.all(
      Array.from({ length: 5 }, () => agent.api.post('/agents/deposit/usdc', body, withKey(key))),
    )
    assertOneOriginalRestReplayed([...seq, ...par], 201)
    assert.equal(seq[0]!.body.status, 'CONFIRMED')
    assert.equal(await count(s, 'deposits', agent.id), 1)
    assert.deepEqual(await balance(agent), { deposit_balance: 25, escrow_balance: 0, currency: 'USD' })
    // Concurrent reports under different keys: the chain transaction is still credited once.
    const fresh = { tx_hash: txHash(), amount_usdc: 10, chain: 'base' }
    const racing = await Promise.all(
      Array.from({ length: 5 }, () => agent.api.post('/agents/deposit/usdc', fresh, withKey(newKey()))),
    )
    assert.equal(racing.filter((r) => r.status === 201).length, 1)
    assert.ok(racing.every((r) => r.status === 201 || r.status === 409))
    assert.deepEqual(await balance(agent), { deposit_balance: 35, escrow_balance: 0, currency: 'USD' })
    const mismatch = await agent.api.post('/agents/deposit/usdc', { ...body, amount_usdc: 30 }, withKey(key))
    assert.equal(mismatch.status, 422, mismatch.text)
    assert.equal(mismatch.body.code, 'IDEMPOTENCY_MISMATCH')
  })

  test('the same body with its keys in another order is the same request: replayed, not 422', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const key = newKey()
    const body = taskBody(s)
    const first = await agent.api.post('/tasks', body, withKey(key))
    assert.equal(first.status, 201, first.text)
    const reordered = Object.fromEntries(Object.entries(body).reverse())
    assert.notEqual(JSON.stringify(reordered), JSON.stringify(body))
    const again = await agent.api.post('/tasks', reordered, withKey(key))
    assert.equal(again.status, 201, again.text)
    assert.equal(again.headers.get('idempotent-replayed'), 'true')
    assert.equal(again.text, first.text)
    assert.equal(await count(s, 'tasks', agent.id), 1)
  })

  test('a key longer than 255 characters is 400; 255 characters is fine', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const tooLong = await agent.api.post('/tasks', taskBody(s), withKey('k'.repeat(256)))
    assert.equal(tooLong.status, 400, tooLong.text)
    assert.equal(tooLong.body.code, 'VALIDATION_FAILED')
    assert.match(tooLong.body.error, /Idempotency-Key/)
    assert.equal(await count(s, 'tasks', agent.id), 0)
    const longest = 'k'.repeat(255)
    const ok = await agent.api.post('/tasks', taskBody(s), withKey(longest))
    assert.equal(ok.status, 201, ok.text)
    const replay = await agent.api.post('/tasks', taskBody(s), withKey(longest))
    assert.equal(replay.headers.get('idempotent-replayed'), 'true')
    assert.equal(await count(s, 'tasks', agent.id), 1)
  })
})
