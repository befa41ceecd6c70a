import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ledgerCheck } from '../../src/ledger/check.ts'
import { expireEstimate } from '../../src/tasks/expire-estimate.ts'
import type { ApiResponse } from '../helpers/api.ts'
import {
  type AgentFixture,
  createTask,
  driveTo,
  newAgent,
  newOperator,
  type OperatorFixture,
  taskBody,
} from '../helpers/fixtures.ts'
import { type Dialect, forEachDialect, startTestServer, type TestServer } from '../helpers/harness.ts'

/** Each race gets its own server, so no other task's timers or balances can blur the count. */
async function withServer(dialect: Dialect, fn: (s: TestServer) => Promise<void>) {
  const s = await startTestServer(dialect)
  try {
    await fn(s)
  } finally {
    await s.close()
  }
}

/** A $15 task (escrow $16 out of a $100 deposit) driven to `step`. */
async function setUp(s: TestServer, step: 'ESTIMATE_PENDING' | 'SUBMITTED') {
  const agent = await newAgent(s, { tier: 'VERIFIED', deposit: 100 })
  const op = await newOperator(s)
  const taskId = await createTask(s, agent)
  await driveTo(s, agent, op, taskId, step)
  return { agent, op, taskId }
}

async function log(s: TestServer, taskId: string) {
  return s.ctx.store.db
    .selectFrom('task_transitions')
    .select(['from_status', 'to_status', 'actor'])
    .where('task_id', '=', taskId)
    .orderBy('id')
    .execute()
}

async function ledgerKinds(s: TestServer, taskId: string) {
  const rows = await s.ctx.store.db
    .selectFrom('ledger_transactions')
    .select('kind')
    .where('task_id', '=', taskId)
    .execute()
  return rows.map((r) => r.kind).sort()
}

async function statusEvents(s: TestServer, taskId: string) {
  const rows = await s.ctx.store.db
    .selectFrom('outbox')
    .select('id')
    .where('task_id', '=', taskId)
    .where('type', '=', 'task.status_changed')
    .execute()
  return rows.length
}

async function balance(agent: AgentFixture) {
  const r = await agent.api.get('/agents/balance')
  return { deposit: r.body.deposit_balance, escrow: r.body.escrow_balance }
}

async function assertLedgerSound(s: TestServer) {
  assert.deepEqual((await ledgerCheck(s.ctx.store.db)).problems, [])
  const negative = await s.ctx.store.db
    .selectFrom('accounts')
    .select(['id', 'balance_micros'])
    .where('balance_micros', '<', 0n)
    .where('id', 'not like', 'external:%')
    .execute()
  assert.deepEqual(negative, [])
}

/** Every loser is a 409 with a sentence, never a 5xx or a second success. */
function assertRefused(losers: ApiResponse[], codes = ['INVALID_STATE']) {
  for (const r of losers) {
    assert.equal(r.status, 409, r.text)
    assert.ok(codes.includes(r.body.code), r.text)
    assert.match(r.body.error, /^[A-Z].{10,}\.$/)
  }
}

/** A request (its response) or a timer call (null). */
type Attempt = { kind: string; run: () => Promise<ApiResponse | null> }

/**
 * Interleaves the attempts in a random order, starts them all at once, and splits the requests'
 * responses into wins (200) and losses; every loss must be a 409 with a sentence.
 */
async function race(attempts: Attempt[], codes = ['INVALID_STATE']) {
  const shuffled = attempts
    .map((a) => ({ a, k: Math.random() }))
    .sort((x, y) => x.k - y.k)
    .map((x) => x.a)
  const done = await Promise.all(shuffled.map(async (a) => ({ kind: a.kind, response: await a.run() })))
  const http = done.filter((d): d is { kind: string; response: ApiResponse } => d.response !== null)
  const losses = http.filter((d) => d.response.status !== 200).map((d) => d.response)
  assertRefused(losses, codes)
  return { wins: http.filter((d) => d.response.status === 200), losses }
}

/** The estimate timer as the job runner would call it: the payload it was enqueued with. */
async function expiryAttempts(s: TestServer, taskId: string, n: number): Promise<Attempt[]> {
  const jobs = await s.ctx.store.db
    .selectFrom('jobs')
    .select('payload')
    .where('kind', '=', 'estimate.expire')
    .execute()
  const payload = jobs.map((j) => JSON.parse(j.payload)).find((p) => p.taskId === taskId)
  assert.ok(payload, 'the estimate expiry was scheduled')
  s.clock.advance(s.ctx.config.estimateTtlMs)
  const run = async () => {
    // A round trip first, so the timer lands among the requests rather than ahead of all of them.
    await fetch(`${s.url}/healthz`)
    try {
      await expireEstimate(s.ctx, payload)
    } catch (err) {
      // Losing the compare-and-set on PostgreSQL: the job would retry and then find the task moved on.
      assert.equal((err as { code?: string }).code, 'INVALID_STATE', String(err))
    }
    return null
  }
  return Array.from({ length: n }, () => ({ kind: 'expire', run }))
}

const TO: Record<string, string> = { approve: 'ACCEPTED', reject: 'PENDING', cancel: 'CANCELLED' }

forEachDialect('races', (dialect) => {
  test('50 approve / reject requests and 10 estimate expiries on one ESTIMATE_PENDING task: exactly one wins', async () => {
    await withServer(dialect, async (s) => {
      const { agent, taskId } = await setUp(s, 'ESTIMATE_PENDING')
      const approve = () => agent.api.post(`/tasks/${taskId}/estimate/approve`)
      const reject = () => agent.api.post(`/tasks/${taskId}/estimate/reject`, { reason: 'too slow' })
      const { wins } = await race([
        ...Array.from({ length: 50 }, (_, i) =>
          i % 2 ? { kind: 'approve', run: approve } : { kind: 'reject', run: reject },
        ),
        ...(await expiryAttempts(s, taskId, 10)),
      ])

      const entries = await log(s, taskId)
      assert.equal(entries.length, 3, 'exactly one transition beyond the setup')
      const last = entries[2]!
      assert.equal(last.from_status, 'ESTIMATE_PENDING')
      if (last.actor === 'system') {
        assert.equal(wins.length, 0, 'the timer won, so no request may have')
        assert.equal(last.to_status, 'PENDING')
      } else {
        assert.equal(wins.length, 1)
        assert.equal(last.actor, `agent:${agent.id}`)
        assert.equal(last.to_status, TO[wins[0]!.kind])
      }
      assert.equal(await statusEvents(s, taskId), 2)
      assert.deepEqual(await balance(agent), { deposit: 84, escrow: 16 })
      assert.deepEqual(await ledgerKinds(s, taskId), ['escrow.hold'])
      await assertLedgerSound(s)
    })
  })

  test('50 approve / reject / cancel requests and 10 expiries: one leaves ESTIMATE_PENDING, at most one cancel, refunded at most once', async () => {
    await withServer(dialect, async (s) => {
      const { agent, taskId } = await setUp(s, 'ESTIMATE_PENDING')
      const runs: Record<string, () => Promise<ApiResponse>> = {
        approve: () => agent.api.post(`/tasks/${taskId}/estimate/approve`),
        reject: () => agent.api.post(`/tasks/${taskId}/estimate/reject`, { reason: 'too slow' }),
        cancel: () => agent.api.post(`/tasks/${taskId}/cancel`),
      }
      const kinds = Object.keys(runs)
      const { wins } = await race([
        ...Array.from({ length: 50 }, (_, i) => ({ kind: kinds[i % 3]!, run: runs[kinds[i % 3]!]! })),
        ...(await expiryAttempts(s, taskId, 10)),
      ])

      // Cancel is also allowed from PENDING and ACCEPTED, so a cancel may legitimately follow the
      // winner out of ESTIMATE_PENDING, but nothing else can, and CANCELLED is final.
      const after = (await log(s, taskId)).slice(2)
      assert.ok(after.length === 1 || after.length === 2, `transitions after the setup: ${after.length}`)
      assert.equal(after[0]!.from_status, 'ESTIMATE_PENDING')
      if (after.length === 2) {
        assert.equal(after[1]!.from_status, after[0]!.to_status)
        assert.equal(after[1]!.to_status, 'CANCELLED')
      }
      const byAgent = after.filter((e) => e.actor === `agent:${agent.id}`)
      assert.equal(wins.length, byAgent.length, 'one 200 per transition the agent made')
      assert.deepEqual(wins.map((w) => TO[w.kind]).sort(), byAgent.map((e) => e.to_status).sort())
      assert.ok(after.every((e) => e.actor === `agent:${agent.id}` || e.actor === 'system'))
      assert.equal(await statusEvents(s, taskId), 1 + after.length, 'one event per status change')

      const cancelled = after.at(-1)!.to_status === 'CANCELLED'
      assert.deepEqual(
        await balance(agent),
        cancelled ? { deposit: 100, escrow: 0 } : { deposit: 84, escrow: 16 },
      )
      assert.deepEqual(
        await ledgerKinds(s, taskId),
        cancelled ? ['escrow.hold', 'escrow.refund'] : ['escrow.hold'],
      )
      await assertLedgerSound(s)
    })
  })

  test('50 concurrent APPROVE / REJECT verdicts on one SUBMITTED task: exactly one wins, the escrow moves once', async () => {
    await withServer(dialect, async (s) => {
      const { agent, op, taskId } = await setUp(s, 'SUBMITTED')
      const verdict = (decision: string) => () => agent.api.post(`/tasks/${taskId}/verify`, { decision })
      const { wins } = await race(
        Array.from({ length: 50 }, (_, i) => {
          const decision = i % 2 ? 'APPROVE' : 'REJECT'
          return { kind: decision, run: verdict(decision) }
        }),
      )
      assert.equal(wins.length, 1)

      const approved = wins[0]!.kind === 'APPROVE'
      const entries = await log(s, taskId)
      assert.equal(entries.length, 6)
      assert.deepEqual(entries.at(-1), {
        from_status: 'SUBMITTED',
        to_status: approved ? 'COMPLETED' : 'DISPUTED',
        actor: `agent:${agent.id}`,
      })
      assert.equal(await statusEvents(s, taskId), 5)
      assert.deepEqual(await balance(agent), { deposit: 84, escrow: approved ? 0 : 16 })
      assert.equal((await op.api.get('/operator/earnings')).body.pending_balance, approved ? 15 : 0)
      assert.deepEqual(
        await ledgerKinds(s, taskId),
        approved ? ['escrow.hold', 'escrow.release'] : ['escrow.hold'],
      )
      await assertLedgerSound(s)
    })
  })

  test('with balance for exactly 7 tasks, 30 concurrent creates: 7 succeed, 23 are 402, nothing goes negative', async () => {
    await withServer(dialect, async (s) => {
      // $15 tasks escrow $16 each: 7 × $16 = $112, plus $15.50 that does not cover an eighth.
      const agent = await newAgent(s, { tier: 'STANDARD', deposit: 127.5 })
      const results = await Promise.all(
        Array.from({ length: 30 }, () => agent.api.post('/tasks', taskBody(s))),
      )
      const created = results.filter((r) => r.status === 201)
      const refused = results.filter((r) => r.status !== 201)
      assert.equal(created.length, 7, results.map((r) => r.status).join(','))
      for (const r of refused) {
        assert.equal(r.status, 402, r.text)
        assert.equal(r.body.code, 'INSUFFICIENT_BALANCE')
        assert.match(r.body.error, /^Insufficient deposit balance: this task needs \$16 /)
      }
      assert.equal(new Set(created.map((r) => r.body.task_id)).size, 7)

      assert.deepEqual(await balance(agent), { deposit: 15.5, escrow: 112 })
      const list = await agent.api.get('/tasks')
      assert.equal(list.body.pagination.total, 7)
      const me = await agent.api.get('/agents/me')
      assert.equal(me.body.usage_today.tasks, 7, 'refused creates must not count against the daily limit')
      const holds = await s.ctx.store.db
        .selectFrom('ledger_transactions')
        .select('task_id')
        .where('kind', '=', 'escrow.hold')
        .execute()
      assert.deepEqual(holds.map((h) => h.task_id).sort(), created.map((r) => r.body.task_id).sort())
      await assertLedgerSound(s)
    })
  })

  test('10 operators accept the same PENDING task at once: exactly one holds it', async () => {
    await withServer(dialect, async (s) => {
      const agent = await newAgent(s, { tier: 'VERIFIED', deposit: 100 })
      const taskId = await createTask(s, agent)
      const ops: OperatorFixture[] = await Promise.all(Array.from({ length: 10 }, () => newOperator(s)))
      const accept = (op: OperatorFixture) => () =>
        op.api.post(`/operator/tasks/${taskId}/accept`, { estimate_hours: 2 })
      // Whoever read the task after the winner committed sees CONFLICT; whoever read it before
      // loses the compare-and-set (INVALID_STATE). Both are 409.
      const { wins } = await race(
        ops.map((op) => ({ kind: op.id, run: accept(op) })),
        ['CONFLICT', 'INVALID_STATE'],
      )
      assert.equal(wins.length, 1)
      const winner = wins[0]!.kind

      const task = await agent.api.get(`/tasks/${taskId}`)
      assert.equal(task.body.status, 'ESTIMATE_PENDING')
      assert.equal(task.body.operator.operator_id, winner)
      assert.deepEqual(
        (await log(s, taskId)).map((e) => [e.to_status, e.actor]),
        [
          ['PENDING', `agent:${agent.id}`],
          ['ESTIMATE_PENDING', `operator:${winner}`],
        ],
      )
      const expiries = await s.ctx.store.db
        .selectFrom('jobs')
        .select('payload')
        .where('kind', '=', 'estimate.expire')
        .execute()
      assert.equal(expiries.length, 1, 'one estimate timer, for the winner')
      const events = await s.ctx.store.db
        .selectFrom('outbox')
        .select('type')
        .where('task_id', '=', taskId)
        .execute()
      assert.deepEqual(events.map((e) => e.type).sort(), ['task.estimate_submitted', 'task.status_changed'])
      assert.deepEqual(await balance(agent), { deposit: 84, escrow: 16 })
      await assertLedgerSound(s)
    })
  })
})
