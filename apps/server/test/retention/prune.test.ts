import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { type TestContext, test } from 'node:test'
import { sql } from 'kysely'
import type { RetentionConfig } from '../../src/config-jobs.ts'
import { AGAIN_SOON_MS, BATCHES_PER_RUN, scheduleRetention } from '../../src/retention/prune.ts'
import { createTask, newAgent, taskBody } from '../helpers/fixtures.ts'
import { type Dialect, forEachDialect, startTestServer, type TestServer } from '../helpers/harness.ts'
import { freePort, startReceiver } from '../helpers/receiver.ts'

const HOUR = 3_600_000
const DAY = 24 * HOUR

const RETENTION: RetentionConfig = {
  jobsMs: 7 * DAY,
  deliveriesMs: 10 * DAY,
  outboxMs: 7 * DAY,
  everyMs: 10 * 60_000,
  batch: 1000,
}

async function fresh(t: TestContext, dialect: Dialect, retention: Partial<RetentionConfig> = {}) {
  const s = await startTestServer(dialect, { retention: { ...RETENTION, ...retention } })
  t.after(() => s.close())
  return s
}

type Counted =
  | 'jobs'
  | 'outbox'
  | 'webhook_deliveries'
  | 'idempotency_keys'
  | 'tasks'
  | 'ledger_entries'
  | 'task_transitions'

async function count(s: TestServer, table: Counted): Promise<number> {
  const r = await s.ctx.store.db
    .selectFrom(table)
    .select(sql<bigint>`count(*)`.as('n'))
    .executeTakeFirstOrThrow()
  return Number(r.n)
}

/**
 * Runs the pruner now: queues it as `humcli serve` does at start, or, when a run is already
 * queued for later, moves that run to now; then runs every job due by the manual clock.
 */
async function prune(s: TestServer) {
  await scheduleRetention(s.ctx)
  await s.ctx.store.db
    .updateTable('jobs')
    .set({ run_at: s.clock.now().toISOString() })
    .where('kind', '=', 'retention.prune')
    .where('status', '=', 'queued')
    .execute()
  await s.runJobs()
}

async function advance(s: TestServer, ms: number, step = 8 * HOUR) {
  for (let done = 0; done < ms; done += step) {
    s.clock.advance(Math.min(step, ms - done))
    await s.runJobs()
  }
}

const nextPrune = (s: TestServer) =>
  s.ctx.store.db
    .selectFrom('jobs')
    .select('run_at')
    .where('kind', '=', 'retention.prune')
    .where('status', '=', 'queued')
    .execute()

forEachDialect('retention', (dialect) => {
  test('old finished work is pruned; young rows, open work and undelivered webhooks are kept', async (t) => {
    const s = await fresh(t, dialect)
    const rx = await startReceiver()
    t.after(() => rx.close())
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 500 })
    const live = await agent.api.post('/webhooks', { url: `${rx.url}/hook`, events: ['*'] })
    assert.equal(live.status, 201, live.text)
    const dead = await agent.api.post('/webhooks', {
      url: `http://127.0.0.1:${await freePort()}/hook`,
      events: ['*'],
    })
    assert.equal(dead.status, 201, dead.text)
    const deadline = new Date(s.clock.now().getTime() + 60 * DAY).toISOString()
    const old = await agent.api.post('/tasks', taskBody(s, { deadline }), {
      headers: { 'idempotency-key': 'k-old' },
    })
    assert.equal(old.status, 201, old.text)
    await s.runJobs()
    const delivered = await s.ctx.store.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'status'])
      .where('target', '=', live.body.id)
      .execute()
    assert.ok(delivered.length > 0 && delivered.every((d) => d.status === 'succeeded'))
    // An outbox event whose fan-out never ran (as if its worker had died): not dispatched, kept.
    await s.ctx.store.db
      .insertInto('outbox')
      .values({
        id: 'evt_stuck',
        type: 'task.created',
        agent_id: agent.id,
        operator_id: null,
        task_id: null,
        payload: '{}',
        created_at: s.clock.now().toISOString(),
        dispatched_at: null,
      })
      .execute()
    // The dead endpoint's deliveries retry for three days, then fail (undelivered, kept for ever).
    await advance(s, 8 * DAY)
    const young = await createTask(s, agent, { deadline })
    await agent.api.post('/tasks', taskBody(s, { deadline }), { headers: { 'idempotency-key': 'k-young' } })
    assert.equal((await agent.api.post(`/tasks/${young}/cancel`)).status, 200)
    await s.runJobs()
    const cancelled = (
      await s.ctx.store.db
        .selectFrom('outbox')
        .select('id')
        .where('task_id', '=', young)
        .executeTakeFirstOrThrow()
    ).id
    const kept = {
      tasks: await count(s, 'tasks'),
      ledger: await count(s, 'ledger_entries'),
      transitions: await count(s, 'task_transitions'),
    }
    const cutoff = new Date(s.clock.now().getTime() - RETENTION.jobsMs!).toISOString()
    const finishedJobs = (op: '<' | '>=') =>
      s.ctx.store.db
        .selectFrom('jobs')
        .select('id')
        .where('status', 'in', ['done', 'failed'])
        .where('finished_at', op, cutoff)
        .execute()
    const oldJobs = () => finishedJobs('<')
    const youngJobs = () => finishedJobs('>=')
    assert.ok((await oldJobs()).length > 0)
    const youngBefore = (await youngJobs()).length
    const queuedBefore = await s.ctx.store.db
      .selectFrom('jobs')
      .select('id')
      .where('status', '=', 'queued')
      .execute()
    const outboxOfOld = () =>
      s.ctx.store.db.selectFrom('outbox').select('id').where('dispatched_at', '<', cutoff).execute()
    assert.ok((await outboxOfOld()).length > 0)
    const youngOutbox = () =>
      s.ctx.store.db
        .selectFrom('outbox')
        .select('id')
        .where('dispatched_at', '>=', cutoff)
        .orderBy('id')
        .execute()
    const youngOutboxBefore = await youngOutbox()
    assert.ok(
      youngOutboxBefore.some((e) => e.id === cancelled),
      'the young task’s cancellation event',
    )
    const keys = () => s.ctx.store.db.selectFrom('idempotency_keys').select('scope').execute()
    assert.equal((await keys()).length, 2)

    await prune(s)
    assert.deepEqual(await oldJobs(), [], 'finished more than 7 days ago: pruned')
    assert.equal(
      (await youngJobs()).length,
      youngBefore + 1,
      'finished since: kept (and the pruner’s own run)',
    )
    const queuedAfter = await s.ctx.store.db
      .selectFrom('jobs')
      .select('id')
      .where('status', '=', 'queued')
      .execute()
    for (const q of queuedBefore)
      assert.ok(
        queuedAfter.some((a) => a.id === q.id),
        'queued jobs are open work: kept',
      )
    assert.deepEqual(await outboxOfOld(), [], 'events dispatched 8 days ago: pruned')
    assert.deepEqual(await youngOutbox(), youngOutboxBefore, 'events dispatched since: kept')
    assert.ok(
      await s.ctx.store.db.selectFrom('outbox').select('id').where('id', '=', 'evt_stuck').executeTakeFirst(),
      'never dispatched: kept',
    )
    assert.equal((await keys()).length, 1, 'the key past its 7-day TTL is pruned, the young one kept')
    assert.equal(
      (
        await s.ctx.store.db
          .selectFrom('webhook_deliveries')
          .select('id')
          .where(
            'id',
            'in',
            delivered.map((d) => d.id),
          )
          .execute()
      ).length,
      delivered.length,
      'delivered 8 days ago, retention 10 days: kept',
    )
    assert.deepEqual(
      {
        tasks: await count(s, 'tasks'),
        ledger: await count(s, 'ledger_entries'),
        transitions: await count(s, 'task_transitions'),
      },
      kept,
      'tasks, ledger and transitions are never pruned',
    )

    await advance(s, 3 * DAY, DAY)
    const failed = await s.ctx.store.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'status'])
      .where('target', '=', dead.body.id)
      .execute()
    assert.ok(failed.length > 0 && failed.every((d) => d.status === 'failed'), JSON.stringify(failed))
    await prune(s)
    const left = await s.ctx.store.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'target', 'status', 'event_id'])
      .execute()
    assert.ok(!left.some((d) => delivered.some((o) => o.id === d.id)), 'delivered 11 days ago: pruned')
    assert.deepEqual(
      left
        .filter((d) => d.target === dead.body.id)
        .map((d) => d.id)
        .sort(),
      failed.map((d) => d.id).sort(),
      'undelivered (failed) deliveries are never pruned: redeliver needs them',
    )
    assert.ok(
      left.some((d) => d.target === live.body.id && d.status === 'succeeded'),
      'the young task’s deliveries are kept',
    )
    const redo = await agent.api.post(`/webhooks/deliveries/${failed[0]!.id}/redeliver`)
    assert.notEqual(redo.status, 404, redo.text)
  })

  test('batches are bounded: a run deletes at most BATCHES_PER_RUN × batch rows, then comes back soon', async (t) => {
    const s = await fresh(t, dialect, { batch: 500 })
    const oldAt = new Date(s.clock.now().getTime() - 30 * DAY).toISOString()
    const rows = Array.from({ length: 2500 }, (_, i) => ({
      kind: 'earnings.release',
      payload: JSON.stringify({ taskId: `task_${i}`, operatorId: 'op_x', amountMicros: '1' }),
      run_at: oldAt,
      status: 'done',
      attempts: 1n,
      max_attempts: 10n,
      created_at: oldAt,
      finished_at: oldAt,
    }))
    for (let i = 0; i < rows.length; i += 250)
      await s.ctx.store.db
        .insertInto('jobs')
        .values(rows.slice(i, i + 250))
        .execute()
    const done = async () =>
      Number(
        (
          await s.ctx.store.db
            .selectFrom('jobs')
            .select(sql<bigint>`count(*)`.as('n'))
            .where('status', '=', 'done')
            .where('kind', '=', 'earnings.release')
            .executeTakeFirstOrThrow()
        ).n,
      )
    assert.equal(await done(), 2500)

    await prune(s)
    assert.equal(await done(), 2500 - BATCHES_PER_RUN * 500, 'one run: four statements of 500')
    assert.deepEqual(
      (await nextPrune(s)).map((j) => j.run_at),
      [new Date(s.clock.now().getTime() + AGAIN_SOON_MS).toISOString()],
      'rows left: the next run is queued a second later, once',
    )
    s.clock.advance(AGAIN_SOON_MS)
    await s.runJobs()
    assert.equal(await done(), 0)
    assert.deepEqual(
      (await nextPrune(s)).map((j) => j.run_at),
      [new Date(s.clock.now().getTime() + RETENTION.everyMs).toISOString()],
      'caught up: the next run after HUMCLI_RETAIN_EVERY',
    )
    await scheduleRetention(s.ctx)
    assert.equal((await nextPrune(s)).length, 1, 'a restart adds no second chain of runs')
    const metrics = await (await fetch(`${s.url}/metrics`)).text()
    assert.match(metrics, /^humcli_retention_pruned_rows_total\{table="jobs"\} 2500$/m)
    assert.match(metrics, /^humcli_retention_pruned_rows_total\{table="outbox"\} 0$/m)
  })

  test('a failed job pruned still counts in humcli_jobs_failed_total', async (t) => {
    const s = await fresh(t, dialect, { jobsMs: DAY })
    const at = new Date(s.clock.now().getTime() - 3 * DAY)
    await s.ctx.store.db
      .insertInto('jobs')
      .values({
        kind: 'email.send',
        payload: '{}',
        run_at: new Date(at.getTime() + HOUR / 2).toISOString(),
        status: 'failed',
        attempts: 10n,
        max_attempts: 10n,
        created_at: at.toISOString(),
        finished_at: at.toISOString(),
        last_error: 'boom',
      })
      .execute()
    const failedTotal = async () =>
      Number(/^humcli_jobs_failed_total (\d+)$/m.exec(await (await fetch(`${s.url}/metrics`)).text())![1])
    assert.equal(await failedTotal(), 1)
    await prune(s)
    assert.equal(
      (await s.ctx.store.db.selectFrom('jobs').select('id').where('status', '=', 'failed').execute()).length,
      0,
    )
    assert.equal(await failedTotal(), 1, 'the counter never goes down')
  })

  test('idempotency: an unexpired key still replays; a pruned key reused is a new request', async (t) => {
    const s = await startTestServer(dialect, { retention: RETENTION, idempotencyTtlMs: HOUR })
    t.after(() => s.close())
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 500 })
    const key = { headers: { 'idempotency-key': `k-${randomBytes(6).toString('hex')}` } }
    const body = taskBody(s)
    const first = await agent.api.post('/tasks', body, key)
    assert.equal(first.status, 201, first.text)
    s.clock.advance(HOUR - 1000)
    await prune(s)
    const replay = await agent.api.post('/tasks', body, key)
    assert.equal(replay.headers.get('idempotent-replayed'), 'true')
    assert.equal(replay.text, first.text)
    s.clock.advance(2000)
    await prune(s)
    assert.equal(await count(s, 'idempotency_keys'), 0, 'past its TTL: pruned')
    const again = await agent.api.post('/tasks', body, key)
    assert.equal(again.status, 201, again.text)
    assert.equal(again.headers.get('idempotent-replayed'), null)
    assert.notEqual(again.body.task_id, first.body.task_id, 'a new task')
    const replayOfNew = await agent.api.post('/tasks', body, key)
    assert.equal(replayOfNew.body.task_id, again.body.task_id, 'and the key now replays the new answer')
  })

  test('a period set to off prunes nothing of that kind', async (t) => {
    const s = await fresh(t, dialect, { jobsMs: null, outboxMs: null, deliveriesMs: null })
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    await createTask(s, agent)
    s.clock.advance(365 * DAY)
    await s.runJobs()
    const before = { jobs: await count(s, 'jobs'), outbox: await count(s, 'outbox') }
    await prune(s)
    // The pruner adds two jobs: its finished run and the next one.
    assert.deepEqual({ jobs: (await count(s, 'jobs')) - 2, outbox: await count(s, 'outbox') }, before)
  })
})
