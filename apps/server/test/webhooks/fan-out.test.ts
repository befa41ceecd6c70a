// The webhook fan-out turns outbox events into delivery rows. Two fan-outs at once (two timer
// slots, or two workers on PostgreSQL) used to read the same events and insert every delivery
// twice, the second waiting on the first's unique keys; they now take turns. A run writes its
// batch's deliveries in multi-row inserts, 500 rows at most each, the head of each (task, target)
// line ready for an attempt (ADR 0027: no attempt job).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { fanOutEvents } from '../../src/webhooks/fan-out.ts'
import { runDueJobs } from '../../src/worker/runner.ts'
import { newAgent, newOperator, taskBody } from '../helpers/fixtures.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'
import { startReceiver } from '../helpers/receiver.ts'

forEachDialect('webhook fan-out', (dialect) => {
  const server = useServer(dialect)

  test('two fan-outs at once handle each event once', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    for (let i = 0; i < 20; i++) {
      const r = await agent.api.post('/tasks', { ...taskBody(s), callback_url: 'http://127.0.0.1:9/cb' })
      assert.equal(r.status, 201, r.text)
      assert.equal((await agent.api.post(`/tasks/${r.body.task_id}/cancel`)).status, 200)
    }
    const undispatched = async () =>
      Number(
        (
          await s.ctx.store.db
            .selectFrom('outbox')
            .select(sql<bigint>`count(*)`.as('n'))
            .where('dispatched_at', 'is', null)
            .executeTakeFirstOrThrow()
        ).n,
      )
    const events = await undispatched()
    assert.ok(events >= 20, `${events} events`)
    const [a, b] = await Promise.all([fanOutEvents(s.ctx), fanOutEvents(s.ctx)])
    assert.equal(a + b, events, `handled ${a} + ${b} of ${events} events`)
    assert.equal(await undispatched(), 0)
    const callbacks = await s.ctx.store.db
      .selectFrom('webhook_deliveries')
      .select(['event_id'])
      .where('target', '=', 'callback')
      .execute()
    assert.equal(callbacks.length, 20, 'one callback delivery per cancel')
    assert.equal(new Set(callbacks.map((c) => c.event_id)).size, 20)
  })

  test('a batch with more deliveries than one insert holds: one delivery per event and target, the first of each line ready', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 1000 })
    // Six endpoints for every event and a callback for each status change (the cancels): one
    // fan-out run writes more than 600 deliveries, so more than one insert.
    for (let i = 0; i < 6; i++) {
      const r = await agent.api.post('/webhooks', { url: `http://127.0.0.1:9/hook-${i}`, events: ['*'] })
      assert.equal(r.status, 201, r.text)
    }
    for (let i = 0; i < 90; i++) {
      const r = await agent.api.post('/tasks', { ...taskBody(s), callback_url: 'http://127.0.0.1:9/cb' })
      assert.equal(r.status, 201, r.text)
      assert.equal((await agent.api.post(`/tasks/${r.body.task_id}/cancel`)).status, 200)
    }
    const db = s.ctx.store.db
    const events = await db
      .selectFrom('outbox')
      .select(['id', 'type'])
      .where('dispatched_at', 'is', null)
      .execute()
    const statusChanges = events.filter((e) => e.type === 'task.status_changed').length
    assert.ok(events.length >= 90, `${events.length} events`)
    const expected = events.length * 6 + statusChanges
    assert.ok(expected > 600, `${expected} deliveries expected`)

    assert.equal(await fanOutEvents(s.ctx), events.length)
    // This test's deliveries only: the server is shared with the test above.
    const eventIds = events.map((e) => e.id)
    const ofTheseEvents = () =>
      db
        .selectFrom('webhook_deliveries')
        .select(['id', 'event_id', 'event_seq', 'task_id', 'target', 'ready', 'status'])
        .where('event_id', 'in', eventIds)
        .orderBy('event_seq')
    const deliveries = await ofTheseEvents().execute()
    assert.equal(deliveries.length, expected)
    assert.equal(new Set(deliveries.map((d) => `${d.event_id} ${d.target}`)).size, expected)
    // Each task's created and cancelled events share a line per target: the first is ready, the
    // second waits for it. No job is queued for any of them.
    const heads = new Set<string>()
    for (const d of deliveries) {
      const line = `${d.task_id} ${d.target}`
      const head = d.task_id === null || !heads.has(line)
      heads.add(line)
      assert.equal(d.ready, head ? 1n : 0n, `${d.id} (${line}) ready`)
      assert.equal(d.status, 'pending')
    }
    const attemptJobs = await db
      .selectFrom('jobs')
      .select(sql<bigint>`count(*)`.as('n'))
      .where('kind', '=', 'webhooks.deliver')
      .executeTakeFirstOrThrow()
    assert.equal(Number(attemptJobs.n), 0, 'no attempt job')
    // A second run finds nothing; the unique (event, target) keeps a repeated insert out.
    assert.equal(await fanOutEvents(s.ctx), 0)
    assert.equal((await ofTheseEvents().execute()).length, expected)
  })

  test('a delivery behind an earlier pending event of its task is not ready until that one ends', async (t) => {
    const s = server()
    const rx = await startReceiver()
    t.after(() => rx.close())
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const op = await newOperator(s)
    const created = await agent.api.post('/tasks', { ...taskBody(s), callback_url: `${rx.url}/cb` })
    const taskId = created.body.task_id as string
    const db = s.ctx.store.db
    const callbacks = () =>
      db
        .selectFrom('webhook_deliveries')
        .select(['id', 'status', 'event_seq', 'ready', 'attempts'])
        .where('task_id', '=', taskId)
        .where('target', '=', 'callback')
        .orderBy('event_seq')
        .execute()

    // Two status changes, each fanned out on its own before anything is sent.
    assert.equal((await op.api.post(`/operator/tasks/${taskId}/accept`, { estimate_hours: 1 })).status, 200)
    await fanOutEvents(s.ctx)
    assert.equal(
      (await agent.api.post(`/tasks/${taskId}/estimate/reject`, { reason: 'too long' })).status,
      200,
    )
    await fanOutEvents(s.ctx)
    const [first, second] = await callbacks()
    assert.equal(first!.ready, 1n)
    // It could not go before the first anyway; the first one's end makes it ready.
    assert.equal(second!.ready, 0n)

    await s.runJobs()
    assert.deepEqual(
      rx.received.map((r) => JSON.parse(r.body).status),
      ['ESTIMATE_PENDING', 'PENDING'],
    )
    assert.deepEqual(
      (await callbacks()).map((d) => [d.status, d.attempts]),
      [
        ['succeeded', 1n],
        ['succeeded', 1n],
      ],
    )
  })

  test('status changes, fan-outs and attempts all at once: every event arrives, in order per task', async (t) => {
    const s = server()
    const rx = await startReceiver()
    t.after(() => rx.close())
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 1000 })
    const ops = [await newOperator(s), await newOperator(s), await newOperator(s)]
    const ids: string[] = []
    for (let i = 0; i < 12; i++) {
      const r = await agent.api.post('/tasks', { ...taskBody(s), callback_url: `${rx.url}/cb-${i}` })
      ids.push(r.body.task_id)
    }
    await s.runJobs()
    rx.received.length = 0
    let producing = true
    const loop = async (fn: () => Promise<unknown>) => {
      while (producing) {
        await fn()
        // SQLite answers in-process: let the requests' I/O in between.
        await new Promise((r) => setImmediate(r))
      }
    }
    // A fan-out and the workers run all the time while every task goes through four changes.
    const background = [loop(() => fanOutEvents(s.ctx)), loop(() => runDueJobs(s.ctx))]
    try {
      await Promise.all(
        ids.map(async (id, i) => {
          const op = ops[i % ops.length]!
          for (let k = 0; k < 2; k++) {
            const accepted = await op.api.post(`/operator/tasks/${id}/accept`, { estimate_hours: 1 })
            assert.equal(accepted.status, 200, accepted.text)
            const rejected = await agent.api.post(`/tasks/${id}/estimate/reject`, { reason: 'no' })
            assert.equal(rejected.status, 200, rejected.text)
          }
        }),
      )
    } finally {
      producing = false
      await Promise.all(background)
    }
    for (let i = 0; i < 10 && rx.received.length < ids.length * 4; i++) {
      await fanOutEvents(s.ctx)
      await s.runJobs()
    }
    for (let i = 0; i < ids.length; i++) {
      const got = rx.received.filter((r) => r.path === `/cb-${i}`).map((r) => JSON.parse(r.body).status)
      assert.deepEqual(got, ['ESTIMATE_PENDING', 'PENDING', 'ESTIMATE_PENDING', 'PENDING'], `task ${i}`)
    }
  })
})
