// The webhook fan-out turns outbox events into delivery rows. Two fan-outs at once (two timer
// slots, or two workers on PostgreSQL) used to read the same events and insert every delivery
// twice, the second waiting on the first's unique keys; they now take turns.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { fanOutEvents } from '../../src/webhooks/fan-out.ts'
import { newAgent, taskBody } from '../helpers/fixtures.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'

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
})
