import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import type { Config } from '../../src/config.ts'
import { createTask, driveTo, newAgent, newOperator } from '../helpers/fixtures.ts'
import { type Dialect, forEachDialect, startTestServer, type TestServer } from '../helpers/harness.ts'
import { freePort, type Receiver, type Reply, startReceiver } from '../helpers/receiver.ts'

const MIN = 60_000
const HOUR = 60 * MIN

async function fresh(t: TestContext, dialect: Dialect, overrides: Partial<Config> = {}) {
  const s = await startTestServer(dialect, overrides)
  t.after(() => s.close())
  const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
  const op = await newOperator(s)
  return { s, agent, op }
}

async function advance(s: TestServer, ms: number) {
  s.clock.advance(ms)
  return s.runJobs()
}

const statuses = (rx: Receiver, ok: (i: number) => boolean = () => true) =>
  rx.received.filter((_, i) => ok(i)).map((r) => JSON.parse(r.body).status as string)

forEachDialect('webhook retries', (dialect) => {
  test('500s are retried on the schedule; events of a task arrive in order, none lost', async (t) => {
    const { s, agent, op } = await fresh(t, dialect)
    const rx = await startReceiver()
    t.after(() => rx.close())
    let failures = 3
    rx.reply = () => (failures-- > 0 ? { status: 500, body: 'boom' } : { status: 200 })
    const id = await createTask(s, agent, { callback_url: `${rx.url}/hook` })
    await driveTo(s, agent, op, id, 'IN_PROGRESS')
    await s.runJobs()
    assert.equal(rx.received.length, 1, 'only the first event is tried while it fails')
    await advance(s, 3_000)
    assert.equal(rx.received.length, 1, 'not before the first backoff (5 s ± 20 %)')
    await advance(s, 4_000)
    assert.equal(rx.received.length, 2)
    await advance(s, 40_000)
    assert.equal(rx.received.length, 3)
    await advance(s, 3 * MIN)
    // The fourth attempt succeeds and releases the two later events at once, in order.
    assert.deepEqual(statuses(rx), [
      'ESTIMATE_PENDING',
      'ESTIMATE_PENDING',
      'ESTIMATE_PENDING',
      'ESTIMATE_PENDING',
      'ACCEPTED',
      'IN_PROGRESS',
    ])
    const ids = rx.received.slice(0, 4).map((r) => r.headers['webhook-id'])
    assert.equal(new Set(ids).size, 1, 'a retried event carries the same webhook-id')
    await advance(s, 12 * HOUR)
    assert.equal(rx.received.length, 6, 'nothing more')
  })

  test('connection refused, then the receiver comes up: everything arrives', async (t) => {
    const { s, agent, op } = await fresh(t, dialect)
    const port = await freePort()
    const id = await createTask(s, agent, { callback_url: `http://127.0.0.1:${port}/hook` })
    const other = await createTask(s, agent, { callback_url: `http://127.0.0.1:${port}/other` })
    await driveTo(s, agent, op, id, 'IN_PROGRESS')
    await driveTo(s, agent, op, other, 'ESTIMATE_PENDING')
    await s.runJobs()
    await advance(s, 10_000)
    const rows = await s.ctx.store.db.selectFrom('webhook_deliveries').selectAll().execute()
    assert.equal(rows.length, 4)
    assert.ok(rows.every((r) => r.status === 'pending'))
    assert.match(rows.find((r) => r.attempts > 0n)!.last_error!, /ECONNREFUSED/)
    const rx = await startReceiver(port)
    t.after(() => rx.close())
    await advance(s, 30 * MIN)
    const hook = statuses(rx, (i) => rx.received[i]!.path === '/hook')
    assert.deepEqual(hook, ['ESTIMATE_PENDING', 'ACCEPTED', 'IN_PROGRESS'])
    assert.deepEqual(
      statuses(rx, (i) => rx.received[i]!.path === '/other'),
      ['ESTIMATE_PENDING'],
    )
  })

  test('a receiver that does not answer in time is a failure, retried', async (t) => {
    const { s, agent, op } = await fresh(t, dialect, { webhookTimeoutMs: 200 })
    const rx = await startReceiver()
    t.after(() => rx.close())
    let first = true
    rx.reply = () => {
      if (!first) return { status: 204 }
      first = false
      return 'hang'
    }
    const id = await createTask(s, agent, { callback_url: `${rx.url}/hook` })
    await driveTo(s, agent, op, id, 'ESTIMATE_PENDING')
    await s.runJobs()
    const [row] = await s.ctx.store.db.selectFrom('webhook_deliveries').selectAll().execute()
    assert.equal(row!.status, 'pending')
    assert.match(row!.last_error!, /timed out/)
    await advance(s, MIN)
    const [done] = await s.ctx.store.db.selectFrom('webhook_deliveries').selectAll().execute()
    assert.equal(done!.status, 'succeeded')
    assert.equal(rx.received.length, 2)
  })

  test('Retry-After is honoured; redirects are not followed', async (t) => {
    const { s, agent, op } = await fresh(t, dialect)
    const rx = await startReceiver()
    t.after(() => rx.close())
    let n = 0
    rx.reply = (r): Reply => {
      n++
      if (r.path === '/moved') return { status: 200 }
      if (n === 1) return { status: 503, headers: { 'retry-after': '3600' } }
      if (n === 2) return { status: 307, headers: { location: `${rx.url}/moved` } }
      return { status: 200 }
    }
    const id = await createTask(s, agent, { callback_url: `${rx.url}/hook` })
    await driveTo(s, agent, op, id, 'ACCEPTED')
    await s.runJobs()
    await advance(s, 50 * MIN)
    assert.equal(rx.received.length, 1, 'Retry-After: 3600 holds the retry back an hour')
    await advance(s, 11 * MIN)
    assert.equal(rx.received.length, 2)
    assert.ok(!rx.received.some((r) => r.path === '/moved'), 'the redirect is not followed')
    await advance(s, MIN)
    // The third attempt delivers the first event and releases the second at once.
    assert.deepEqual(statuses(rx), ['ESTIMATE_PENDING', 'ESTIMATE_PENDING', 'ESTIMATE_PENDING', 'ACCEPTED'])
    const rows = await s.ctx.store.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .orderBy('event_seq')
      .execute()
    assert.deepEqual(
      rows.map((r) => [r.status, r.attempts]),
      [
        ['succeeded', 3n],
        ['succeeded', 1n],
      ],
    )
  })

  test('given up after about 3 days; the next event of the task then goes', async (t) => {
    const { s, agent, op } = await fresh(t, dialect)
    const rx = await startReceiver()
    t.after(() => rx.close())
    let down = true
    rx.reply = () => (down ? { status: 500 } : { status: 200 })
    const deadline = new Date(s.clock.now().getTime() + 7 * 24 * HOUR).toISOString()
    const id = await createTask(s, agent, { callback_url: `${rx.url}/hook`, deadline })
    await driveTo(s, agent, op, id, 'ESTIMATE_PENDING')
    await s.runJobs()
    const deliveries = () =>
      s.ctx.store.db.selectFrom('webhook_deliveries').selectAll().orderBy('event_seq').execute()
    for (let h = 0; h < 48; h++) await advance(s, HOUR)
    // The estimate expired after 1 h: a second event (back to PENDING) waits behind the first.
    assert.deepEqual(
      (await deliveries()).map((r) => [r.status, r.attempts > 0n]),
      [
        ['pending', true],
        ['pending', false],
      ],
    )
    for (let h = 0; h < 48; h++) await advance(s, HOUR)
    const [first, second] = await deliveries()
    assert.equal(first!.status, 'failed')
    assert.ok(first!.attempts >= 11n && first!.attempts <= 15n, `attempts ${first!.attempts}`)
    assert.equal(second!.status, 'pending')
    assert.ok(second!.attempts > 0n, 'released once the first was given up')
    down = false
    await advance(s, 24 * HOUR)
    assert.equal((await deliveries())[1]!.status, 'succeeded')
    const seen = statuses(rx)
    const firstSecond = seen.indexOf('PENDING')
    assert.ok(seen.slice(0, firstSecond).every((x) => x === 'ESTIMATE_PENDING'))
    assert.ok(seen.slice(firstSecond).every((x) => x === 'PENDING'))
  })
})
