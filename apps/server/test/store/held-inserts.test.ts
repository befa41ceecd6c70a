// A status change's log row, timers and events are inserts nothing in its transaction reads back.
// On PostgreSQL they used to cost a round trip each (15 statements for an operator's accept);
// `HeldInserts` sends them as one statement before the counters. What must still hold: every
// row is written, the events keep their order (the fan-out reads the outbox by `seq`), the lane
// is woken at COMMIT, and a rolled-back change leaves none of them.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import pg from 'pg'
import pino from 'pino'
import { JOBS_CHANNEL } from '../../src/jobs/wake.ts'
import { HeldInserts } from '../../src/store/held-inserts.ts'
import { listen } from '../../src/store/notify.ts'
import { withTx } from '../../src/store/tx.ts'
import { findTask } from '../../src/tasks/load.ts'
import { transitionTask } from '../../src/tasks/transition.ts'
import { newAgent, newOperator, taskBody } from '../helpers/fixtures.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'

/** The text of every statement this process sends to PostgreSQL while `fn` runs (the driver's own calls). */
async function statementsOf(fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = []
  const query = pg.Client.prototype.query
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0] as string | { text: string }
    seen.push(typeof q === 'string' ? q : q.text)
    return (query as (...a: unknown[]) => unknown).apply(this, args)
  } as typeof query
  try {
    await fn()
  } finally {
    pg.Client.prototype.query = query
  }
  return seen
}

const inserts = (statement: string, table: string) => statement.includes(`insert into "${table}"`)

forEachDialect('held inserts of a status change', (dialect) => {
  const server = useServer(dialect)

  test('the log row, the timers and both events of an accept are written, the events in order', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const op = await newOperator(s)
    const created = await agent.api.post('/tasks', taskBody(s))
    assert.equal(created.status, 201, created.text)
    const taskId = created.body.task_id as string
    const woken: string[] = []
    const stop =
      dialect === 'postgres'
        ? await listen(s.ctx.config, JOBS_CHANNEL, (m) => woken.push(m), pino({ level: 'silent' }))
        : async () => {}
    try {
      const db = s.ctx.store.db
      const jobsBefore = await db.selectFrom('jobs').select('id').execute()
      const sent = await statementsOf(async () => {
        const r = await op.api.post(`/operator/tasks/${taskId}/accept`, { estimate_hours: 1 })
        assert.equal(r.status, 200, r.text)
      })
      if (dialect === 'postgres') {
        // One statement writes all three tables; no other statement inserts into any of them.
        const held = sent.filter(
          (q) => inserts(q, 'task_transitions') || inserts(q, 'outbox') || inserts(q, 'jobs'),
        )
        assert.equal(held.length, 1, held.join('\n'))
        assert.ok(
          ['task_transitions', 'outbox', 'jobs'].every((t) => inserts(held[0]!, t)),
          held[0],
        )
        assert.ok(sent.length <= 10, `${sent.length} statements:\n${sent.join('\n')}`)
      }
      const log = await db
        .selectFrom('task_transitions')
        .select(['from_status', 'to_status', 'actor'])
        .where('task_id', '=', taskId)
        .orderBy('id')
        .execute()
      assert.deepEqual(log.at(-1), {
        from_status: 'PENDING',
        to_status: 'ESTIMATE_PENDING',
        actor: `operator:${op.id}`,
      })
      const events = await db
        .selectFrom('outbox')
        .select(['id', 'type'])
        .where('task_id', '=', taskId)
        .orderBy('seq')
        .execute()
      assert.deepEqual(
        events.slice(-2).map((e) => e.type),
        ['task.status_changed', 'task.estimate_submitted'],
      )
      const known = new Set(jobsBefore.map((j) => j.id))
      const jobs = (await db.selectFrom('jobs').select(['id', 'kind', 'payload']).execute()).filter(
        (j) => !known.has(j.id),
      )
      const kinds = jobs.map((j) => j.kind).sort()
      assert.deepEqual(kinds, ['estimate.expire', 'webhooks.fan_out', 'webhooks.fan_out'])
      const fannedOut = jobs.filter((j) => j.kind === 'webhooks.fan_out').map((j) => JSON.parse(j.payload))
      assert.deepEqual(new Set(fannedOut.map((p) => p.eventId)), new Set(events.slice(-2).map((e) => e.id)))
      if (dialect === 'postgres') {
        // The due fan-out jobs woke their lane, once, at COMMIT.
        const until = Date.now() + 5_000
        while (!woken.includes('timers') && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
        assert.deepEqual(woken, ['timers'])
      }
    } finally {
      await stop()
    }
  })

  test('a change rolled back after its inserts were sent leaves none of them', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const created = await agent.api.post('/tasks', taskBody(s))
    const taskId = created.body.task_id as string
    const db = s.ctx.store.db
    const count = async () => ({
      log: (await db.selectFrom('task_transitions').select('id').where('task_id', '=', taskId).execute())
        .length,
      events: (await db.selectFrom('outbox').select('id').where('task_id', '=', taskId).execute()).length,
      jobs: (await db.selectFrom('jobs').select('id').execute()).length,
    })
    const before = await count()
    await assert.rejects(
      withTx(s.ctx.store, async (tx) => {
        assert.equal(HeldInserts.of(tx) !== null, dialect === 'postgres')
        const task = await findTask(tx, taskId)
        await transitionTask(s.ctx, tx, {
          task: task!,
          to: 'CANCELLED',
          actor: `agent:${agent.id}`,
          now: s.clock.now(),
        })
        throw new Error('rolled back on purpose')
      }),
      /rolled back on purpose/,
    )
    assert.deepEqual(await count(), before)
    assert.equal((await findTask(db, taskId))?.status, 'PENDING')
  })
})
