import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import { sql } from 'kysely'
import type { Config } from '../../src/config.ts'
import { loadConfig } from '../../src/config.ts'
import { enqueueJob } from '../../src/jobs/enqueue.ts'
import { ledgerCheck } from '../../src/ledger/check.ts'
import { withTx } from '../../src/store/tx.ts'
import { JOB_HANDLERS } from '../../src/worker/handlers.ts'
import { claimDueJobs } from '../../src/worker/runner.ts'
import { client } from '../helpers/api.ts'
import {
  type AgentFixture,
  createTask,
  driveTo,
  newAgent,
  newOperator,
  type OperatorFixture,
  proofForm,
  review,
  type Step,
} from '../helpers/fixtures.ts'
import { type Dialect, forEachDialect, startTestServer, type TestServer } from '../helpers/harness.ts'
import { makePhoto } from '../helpers/images.ts'

const MIN = 60_000
const HOUR = 60 * MIN

/** A server of its own per test, so moving its clock cannot disturb another test. */
async function fresh(t: TestContext, dialect: Dialect, overrides: Partial<Config> = {}) {
  const s = await startTestServer(dialect, overrides)
  t.after(() => s.close())
  const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
  return { s, agent }
}

const getTask = async (agent: AgentFixture, id: string) => {
  const r = await agent.api.get(`/tasks/${id}`)
  assert.equal(r.status, 200, r.text)
  return r.body
}

/** Moves the clock and runs whatever became due. */
async function advance(s: TestServer, ms: number) {
  s.clock.advance(ms)
  return s.runJobs()
}

/** Operator tokens live one hour on the server's clock: log in again after moving it. */
async function relogin(s: TestServer, op: OperatorFixture) {
  const r = await client(s.url).post('/operator/login', { email: op.email, password: op.password })
  assert.equal(r.status, 200, r.text)
  return client(s.url, { token: r.body.token })
}

const balance = async (agent: AgentFixture) => (await agent.api.get('/agents/balance')).body

async function jobsOf(s: TestServer, kind: string) {
  const rows = await s.ctx.store.db.selectFrom('jobs').selectAll().where('kind', '=', kind).execute()
  return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) }))
}

forEachDialect('timers on the injected clock', (dialect) => {
  test('an unanswered estimate expires after 1 h: back to PENDING, operator unassigned', async (t) => {
    const { s, agent } = await fresh(t, dialect)
    const op = await newOperator(s)
    const id = await createTask(s, agent)
    await driveTo(s, agent, op, id, 'ESTIMATE_PENDING')
    const pending = await getTask(agent, id)
    assert.equal(pending.estimate.expires_at, new Date(s.clock.now().getTime() + HOUR).toISOString())

    await advance(s, HOUR - MIN)
    assert.equal((await getTask(agent, id)).status, 'ESTIMATE_PENDING', 'not a minute early')
    await advance(s, MIN)
    const expired = await getTask(agent, id)
    assert.equal(expired.status, 'PENDING')
    assert.equal(expired.operator, null)
    assert.equal(expired.estimate, null)
    const last = expired.transitions.at(-1)
    assert.deepEqual([last.from, last.to, last.actor], ['ESTIMATE_PENDING', 'PENDING', 'system'])
    // Open to everyone again: another operator can take it.
    const other = await newOperator(s)
    const acc = await other.api.post(`/operator/tasks/${id}/accept`, { estimate_hours: 1 })
    assert.equal(acc.status, 200, acc.text)
  })

  test('a timer set for an old version does nothing once the task moved on', async (t) => {
    const { s, agent } = await fresh(t, dialect)
    const op = await newOperator(s)
    const id = await createTask(s, agent)
    const start = s.clock.now().getTime()
    await driveTo(s, agent, op, id, 'ESTIMATE_PENDING')
    s.clock.advance(30 * MIN)
    const rej = await agent.api.post(`/tasks/${id}/estimate/reject`, { reason: 'too slow' })
    assert.equal(rej.status, 200, rej.text)
    const again = await op.api.post(`/operator/tasks/${id}/accept`, { estimate_hours: 1 })
    assert.equal(again.status, 200, again.text)
    assert.equal(again.body.estimate_expires_at, new Date(start + 90 * MIN).toISOString())

    await s.runJobs() // webhook fan-out jobs of the transitions above
    // The first timer (due at +60 min, set for the first estimate's version) runs and changes nothing.
    assert.equal(await advance(s, 31 * MIN), 1)
    const [first, second] = (await jobsOf(s, 'estimate.expire')).sort((a, b) =>
      a.run_at < b.run_at ? -1 : 1,
    )
    assert.equal(first!.status, 'done')
    assert.equal(second!.status, 'queued')
    assert.notEqual(first!.payload.version, second!.payload.version)
    assert.equal(
      (await getTask(agent, id)).status,
      'ESTIMATE_PENDING',
      'the second estimate is not expired early',
    )

    // The second one expires its own estimate on time.
    await advance(s, 29 * MIN)
    const task = await getTask(agent, id)
    assert.equal(task.status, 'PENDING')
    assert.equal(task.transitions.filter((x: { actor: string }) => x.actor === 'system').length, 1)

    // An estimate approved in time is never expired by its timer.
    await driveTo(s, agent, await relogin(s, op).then((api) => ({ ...op, api })), id, 'ACCEPTED')
    await advance(s, 2 * HOUR)
    assert.equal((await getTask(agent, id)).status, 'ACCEPTED')
  })

  test('the deadline cancels PENDING, ESTIMATE_PENDING, ACCEPTED and IN_PROGRESS with a full refund', async (t) => {
    const { s, agent } = await fresh(t, dialect)
    const [op1, op2] = [await newOperator(s), await newOperator(s)]
    // Deadline before the 1 h estimate expiry, so ESTIMATE_PENDING is still there when it passes.
    const deadline = new Date(s.clock.now().getTime() + 30 * MIN).toISOString()
    const steps: Step[] = ['PENDING', 'ESTIMATE_PENDING', 'ACCEPTED', 'IN_PROGRESS', 'SUBMITTED']
    const ids: string[] = []
    for (const [i, step] of steps.entries()) {
      const id = await createTask(s, agent, { deadline })
      const op = i % 2 ? op1 : op2
      if (step !== 'SUBMITTED') await driveTo(s, agent, op, id, step)
      else {
        // Real photos without EXIF: the Guardian cannot confirm time and place, so the proof
        // waits for a person (MANUAL_REVIEW) instead of going back to the operator.
        await driveTo(s, agent, op, id, 'IN_PROGRESS')
        const photos = [
          await makePhoto({ seed: 1, noExif: true }),
          await makePhoto({ seed: 2, noExif: true }),
        ]
        const form = proofForm(photos)
        const r = await op.api.post(`/operator/tasks/${id}/proof`, undefined, { form })
        assert.equal(r.status, 200, r.text)
      }
      ids.push(id)
    }
    const later = await createTask(s, agent, {
      deadline: new Date(s.clock.now().getTime() + HOUR).toISOString(),
    })
    assert.deepEqual(await balance(agent), { deposit_balance: 4, escrow_balance: 96, currency: 'USD' })

    await advance(s, 30 * MIN - 1)
    for (const id of ids) assert.notEqual((await getTask(agent, id)).status, 'CANCELLED')
    await advance(s, 1)
    for (const [i, id] of ids.entries()) {
      const task = await getTask(agent, id)
      if (steps[i] === 'SUBMITTED') {
        assert.equal(task.status, 'MANUAL_REVIEW', 'submitted work is not cancelled by the deadline')
        continue
      }
      assert.equal(task.status, 'CANCELLED', `${steps[i]} is cancelled at the deadline`)
      assert.equal(task.cancel_reason, 'DEADLINE_EXPIRED')
      assert.equal(task.cancelled_at, s.clock.now().toISOString())
      const last = task.transitions.at(-1)
      assert.equal(last.from, steps[i])
      assert.equal(last.actor, 'system')
    }
    assert.equal((await getTask(agent, later)).status, 'PENDING', 'a later deadline is untouched')
    // Four $16 escrows refunded in full; the submitted task and the later one still hold theirs.
    assert.deepEqual(await balance(agent), { deposit_balance: 68, escrow_balance: 32, currency: 'USD' })
    assert.deepEqual((await ledgerCheck(s.ctx.store.db)).problems, [])
  })

  test('proof sent back after the deadline passed while it was SUBMITTED: the task is cancelled and refunded', async (t) => {
    const { s, agent } = await fresh(t, dialect)
    const op = await newOperator(s)
    const deadline = new Date(s.clock.now().getTime() + 30 * MIN).toISOString()
    const id = await createTask(s, agent, { deadline })
    await driveTo(s, agent, op, id, 'SUBMITTED')
    // The deadline passes while the proof waits for review: its timer runs and leaves it alone.
    s.clock.advance(30 * MIN + 1)
    const [timer] = await jobsOf(s, 'task.deadline')
    await JOB_HANDLERS['task.deadline'](s.ctx, timer!.payload)
    await s.ctx.store.db.updateTable('jobs').set({ status: 'done' }).where('id', '=', timer!.id).execute()
    assert.equal((await getTask(agent, id)).status, 'SUBMITTED')
    // Then the review sends it back: the operator may no longer resubmit (410), so nothing
    // would ever move it again and the agent's escrow would stay locked.
    assert.equal((await review(s, id, 'RESUBMIT', 30)).status, 'IN_PROGRESS')
    const api = await relogin(s, op)
    const late = await api.post(`/operator/tasks/${id}/proof`, undefined, { form: proofForm() })
    assert.equal(late.status, 410, late.text)
    await s.runJobs()
    const task = await getTask(agent, id)
    assert.equal(task.status, 'CANCELLED')
    assert.equal(task.cancel_reason, 'DEADLINE_EXPIRED')
    assert.deepEqual(
      task.transitions.slice(-2).map((x: { from: string; to: string }) => `${x.from}>${x.to}`),
      ['SUBMITTED>IN_PROGRESS', 'IN_PROGRESS>CANCELLED'],
    )
    assert.deepEqual(await balance(agent), { deposit_balance: 100, escrow_balance: 0, currency: 'USD' })
    assert.deepEqual((await ledgerCheck(s.ctx.store.db)).problems, [])
  })

  test('MANUAL_REVIEW untouched for 72 h auto-approves and pays the operator; decided ones are left alone', async (t) => {
    const { s, agent } = await fresh(t, dialect)
    const op = await newOperator(s)
    const [auto, rejected] = [await createTask(s, agent), await createTask(s, agent)]
    for (const id of [auto, rejected]) {
      await driveTo(s, agent, op, id, 'SUBMITTED')
      assert.equal((await review(s, id, 'MANUAL_REVIEW')).status, 'MANUAL_REVIEW')
    }
    const dispute = await agent.api.post(`/tasks/${rejected}/verify`, {
      decision: 'REJECT',
      reason: 'blurry',
    })
    assert.equal(dispute.body.status, 'DISPUTED', dispute.text)

    await advance(s, 72 * HOUR - MIN)
    assert.equal((await getTask(agent, auto)).status, 'MANUAL_REVIEW')
    await advance(s, MIN)
    const done = await getTask(agent, auto)
    assert.equal(done.status, 'COMPLETED')
    assert.equal(done.transitions.at(-1).actor, 'system')
    assert.equal(done.completed_at, s.clock.now().toISOString())
    assert.equal((await getTask(agent, rejected)).status, 'DISPUTED', 'an agent decision beats the timer')
    assert.deepEqual(await balance(agent), { deposit_balance: 68, escrow_balance: 16, currency: 'USD' })
    const api = await relogin(s, op)
    assert.equal((await api.get('/operator/earnings')).body.pending_balance, 15)
    await advance(s, 48 * HOUR)
    const earned = (await (await relogin(s, op)).get('/operator/earnings')).body
    assert.equal(earned.available_balance, 15)
    assert.equal(earned.pending_balance, 0)
  })

  test('earnings are released after 48 h exactly once, even when the job runs twice', async (t) => {
    const { s, agent } = await fresh(t, dialect)
    const op = await newOperator(s)
    const ids = [await createTask(s, agent), await createTask(s, agent)]
    for (const id of ids) {
      await driveTo(s, agent, op, id, 'SUBMITTED')
      const v = await agent.api.post(`/tasks/${id}/verify`, { decision: 'APPROVE' })
      assert.equal(v.body.status, 'COMPLETED', v.text)
    }
    await advance(s, 48 * HOUR - 1)
    const jobs = await jobsOf(s, 'earnings.release')
    assert.deepEqual(
      jobs.map((j) => j.status),
      ['queued', 'queued'],
      'not released a millisecond early',
    )
    s.clock.advance(1)
    // The same job run several times at once (a worker whose lock expired, a retry after a crash):
    // the first task's earnings move once, and the second task's stay pending. The pool is warmed
    // first so the runs really overlap on PostgreSQL instead of queueing for new connections.
    await Promise.all(Array.from({ length: 8 }, () => sql`select 1`.execute(s.ctx.store.db)))
    const release = JOB_HANDLERS['earnings.release']
    await Promise.all(Array.from({ length: 6 }, () => release(s.ctx, jobs[0]!.payload)))
    const api = await relogin(s, op)
    let earned = (await api.get('/operator/earnings')).body
    assert.deepEqual([earned.pending_balance, earned.available_balance], [15, 15])

    assert.equal(await s.runJobs(), 2)
    // And once more through the queue, as if a worker died after the release committed.
    await s.ctx.store.db
      .updateTable('jobs')
      .set({ status: 'queued' })
      .where('kind', '=', 'earnings.release')
      .execute()
    assert.equal(await s.runJobs(), 2)
    earned = (await api.get('/operator/earnings')).body
    assert.deepEqual([earned.pending_balance, earned.available_balance, earned.total_earned], [0, 30, 30])
    const releases = await s.ctx.store.db
      .selectFrom('ledger_transactions')
      .select(['task_id'])
      .where('kind', '=', 'earnings.release')
      .execute()
    assert.deepEqual(releases.map((r) => r.task_id).sort(), [...ids].sort())
    assert.deepEqual((await ledgerCheck(s.ctx.store.db)).problems, [])
  })

  test('durations are configurable', async (t) => {
    assert.equal(loadConfig({ HUMCLI_ESTIMATE_TTL_MS: '600000' }).estimateTtlMs, 10 * MIN)
    const { s, agent } = await fresh(t, dialect, {
      estimateTtlMs: 10 * MIN,
      manualReviewAutoApproveMs: 2 * HOUR,
      earningsHoldMs: 5 * MIN,
    })
    const op = await newOperator(s)
    const [expiring, reviewed] = [await createTask(s, agent), await createTask(s, agent)]
    await driveTo(s, agent, op, expiring, 'ESTIMATE_PENDING')
    await driveTo(s, agent, op, reviewed, 'SUBMITTED')
    await review(s, reviewed, 'MANUAL_REVIEW')
    await advance(s, 10 * MIN - 1)
    assert.equal((await getTask(agent, expiring)).status, 'ESTIMATE_PENDING')
    await advance(s, 1)
    assert.equal((await getTask(agent, expiring)).status, 'PENDING')
    await advance(s, 2 * HOUR - 10 * MIN)
    assert.equal((await getTask(agent, reviewed)).status, 'COMPLETED')
    const api = await relogin(s, op)
    assert.equal((await api.get('/operator/earnings')).body.pending_balance, 15)
    await advance(s, 5 * MIN)
    assert.equal((await api.get('/operator/earnings')).body.available_balance, 15)
  })

  test('a failing job is retried with backoff, then marked failed; a dead worker’s job is reclaimed', async (t) => {
    const { s } = await fresh(t, dialect)
    const now = () => s.clock.now()
    await s.runJobs() // the webhook fan-out of the funding deposit, so only the job below is due
    await withTx(s.ctx.store, (tx) =>
      enqueueJob(tx, {
        kind: 'earnings.release',
        payload: { taskId: 'task_missing', operatorId: 'op_missing', amountMicros: 'not a number' },
        runAt: now(),
        now: now(),
        maxAttempts: 3,
      }),
    )
    const job = async () => (await jobsOf(s, 'earnings.release'))[0]!
    const ahead = (runAt: string) => new Date(runAt).getTime() - now().getTime()

    assert.equal(await s.runJobs(), 1)
    let j = await job()
    assert.deepEqual([j.status, j.attempts], ['queued', 1n])
    assert.match(j.last_error ?? '', /BigInt/)
    assert.ok(
      ahead(j.run_at) >= 2_500 && ahead(j.run_at) <= 5_000,
      `first retry in 2.5–5 s, got ${ahead(j.run_at)}`,
    )
    assert.equal(await s.runJobs(), 0, 'not retried before its time')

    s.clock.set(j.run_at)
    assert.equal(await s.runJobs(), 1)
    j = await job()
    assert.deepEqual([j.status, j.attempts], ['queued', 2n])
    assert.ok(
      ahead(j.run_at) >= 5_000 && ahead(j.run_at) <= 10_000,
      `second retry in 5–10 s, got ${ahead(j.run_at)}`,
    )

    s.clock.set(j.run_at)
    assert.equal(await s.runJobs(), 1)
    j = await job()
    assert.deepEqual([j.status, j.attempts], ['failed', 3n])
    assert.equal(j.finished_at, now().toISOString())
    assert.equal(await advance(s, 24 * HOUR), 0, 'a failed job stays failed')

    // A job claimed by a worker that died is claimed again once its lock runs out.
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 20 })
    const op = await newOperator(s)
    const id = await createTask(s, agent)
    await driveTo(s, agent, op, id, 'ESTIMATE_PENDING')
    await s.runJobs() // webhook fan-out jobs of the deposit and the transitions
    s.clock.advance(HOUR)
    const stolen = await claimDueJobs(s.ctx, 'w_dead')
    assert.deepEqual(
      stolen.map((x) => x.kind),
      ['estimate.expire'],
    )
    assert.equal(await s.runJobs(), 0, 'locked by the dead worker')
    // The expiry timer, then the webhook fan-out of the transition it made.
    assert.equal(await advance(s, 5 * MIN + 1), 2)
    assert.equal((await getTask(agent, id)).status, 'PENDING')
    const [expire] = await jobsOf(s, 'estimate.expire')
    assert.deepEqual([expire!.status, expire!.attempts], ['done', 2n])
    assert.notEqual(expire!.locked_by, 'w_dead')
  })
})
