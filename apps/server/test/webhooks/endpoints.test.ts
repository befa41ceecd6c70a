import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import { Webhook } from 'standardwebhooks'
import { createTask, driveTo, newAgent, newOperator } from '../helpers/fixtures.ts'
import { type Dialect, forEachDialect, startTestServer, type TestServer } from '../helpers/harness.ts'
import { type Received, startReceiver } from '../helpers/receiver.ts'

async function fresh(t: TestContext, dialect: Dialect) {
  const s = await startTestServer(dialect)
  t.after(() => s.close())
  // Standard Webhooks verifiers check the timestamp against the real time.
  s.clock.set(new Date())
  const rx = await startReceiver()
  t.after(() => rx.close())
  const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
  // Endpoints receive events from their creation time on; the funding deposit is before that.
  s.clock.advance(1000)
  return { s, rx, agent }
}

const verify = (secret: string, r: Received) =>
  new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as Record<string, unknown>

async function advance(s: TestServer, ms: number) {
  s.clock.advance(ms)
  return s.runJobs()
}

forEachDialect('account webhook endpoints', (dialect) => {
  test('create, list, deliveries signed the Standard Webhooks way; tampering and wrong secret fail', async (t) => {
    const { s, rx, agent } = await fresh(t, dialect)
    const created = await agent.api.post('/webhooks', {
      url: `${rx.url}/all`,
      events: ['*'],
      description: 'everything',
    })
    assert.equal(created.status, 201, created.text)
    const secret = created.body.secret as string
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/)
    assert.match(created.body.id, /^whe_/)
    const only = await agent.api.post('/webhooks', {
      url: `${rx.url}/deposits`,
      events: ['deposit.confirmed'],
    })
    assert.equal(only.status, 201)
    const list = await agent.api.get('/webhooks')
    assert.equal(list.body.data.length, 2)
    assert.ok(
      list.body.data.every((e: Record<string, unknown>) => e.secret === undefined),
      'secret shown once',
    )

    const id = await createTask(s, agent)
    await driveTo(s, agent, await newOperator(s), id, 'ESTIMATE_PENDING')
    await agent.api.post('/agents/deposit/usdc', {
      tx_hash: `0x${'ab'.repeat(32)}`,
      amount_usdc: 5,
      chain: 'base',
    })
    await s.runJobs()
    const all = rx.received.filter((r) => r.path === '/all')
    const types = all.map((r) => JSON.parse(r.body).type)
    // Ordered per task; events of different tasks (or none) may interleave.
    assert.deepEqual(
      types.filter((x) => x.startsWith('task.')),
      ['task.status_changed', 'task.estimate_submitted'],
    )
    assert.deepEqual(types.filter((x) => x === 'deposit.confirmed').length, 1)
    assert.deepEqual(
      rx.received.filter((r) => r.path === '/deposits').map((r) => JSON.parse(r.body).type),
      ['deposit.confirmed'],
    )
    for (const r of all) {
      const payload = verify(secret, r)
      assert.equal(payload.id, r.headers['webhook-id'])
      assert.throws(() => verify(secret, { ...r, body: r.body.replace('"type"', '"typ3"') }))
      assert.throws(() => verify(only.body.secret, r))
    }
    const status = JSON.parse(all.find((r) => JSON.parse(r.body).type === 'task.status_changed')!.body)
    assert.deepEqual(Object.keys(status.data), ['event', 'task_id', 'status', 'previous_status', 'timestamp'])

    const deliveries = await agent.api.get(`/webhooks/${created.body.id}/deliveries`)
    assert.equal(deliveries.status, 200)
    assert.equal(deliveries.body.pagination.total, 3)
    const d = deliveries.body.data[0]
    assert.equal(d.status, 'SUCCEEDED')
    assert.equal(d.response.status, 200)
    assert.equal(d.response.body, 'ok')
  })

  test('test ping, redeliver with the same id, truncated receiver bodies', async (t) => {
    const { s, rx, agent } = await fresh(t, dialect)
    rx.reply = () => ({ status: 500, body: 'x'.repeat(5000) })
    const ep = (await agent.api.post('/webhooks', { url: `${rx.url}/h`, events: ['task.status_changed'] }))
      .body
    const ping = await agent.api.post(`/webhooks/${ep.id}/test`)
    assert.equal(ping.status, 202, ping.text)
    await s.runJobs()
    assert.equal(rx.received.length, 1)
    assert.equal(JSON.parse(rx.received[0]!.body).type, 'webhook.ping')
    const [failed] = (await agent.api.get(`/webhooks/${ep.id}/deliveries`)).body.data
    assert.equal(failed.status, 'PENDING')
    assert.equal(failed.response.status, 500)
    assert.ok(failed.response.body.length <= 501)
    rx.reply = () => ({ status: 200 })
    const again = await agent.api.post(`/webhooks/deliveries/${failed.id}/redeliver`)
    assert.equal(again.status, 202, again.text)
    await s.runJobs()
    assert.equal(rx.received.length, 2)
    assert.equal(rx.received[1]!.headers['webhook-id'], rx.received[0]!.headers['webhook-id'])
    verify(ep.secret, rx.received[1]!)
    await advance(s, 60_000)
    assert.equal(rx.received.length, 2, 'delivered: no further retry')
  })

  test('rotate-secret: both signatures for 24 h, then only the new one', async (t) => {
    const { s, rx, agent } = await fresh(t, dialect)
    const ep = (await agent.api.post('/webhooks', { url: `${rx.url}/h`, events: ['*'] })).body
    const rotated = await agent.api.post(`/webhooks/${ep.id}/rotate-secret`)
    assert.equal(rotated.status, 200, rotated.text)
    assert.notEqual(rotated.body.secret, ep.secret)
    await agent.api.post(`/webhooks/${ep.id}/test`)
    await s.runJobs()
    verify(ep.secret, rx.received[0]!)
    verify(rotated.body.secret, rx.received[0]!)
    assert.equal(String(rx.received[0]!.headers['webhook-signature']).split(' ').length, 2)
    s.clock.advance(25 * 3_600_000)
    await agent.api.post(`/webhooks/${ep.id}/test`)
    await s.runJobs()
    const late = rx.received[1]!
    assert.equal(String(late.headers['webhook-signature']).split(' ').length, 1)
    assert.equal(late.headers['webhook-timestamp'], String(Math.floor(s.clock.now().getTime() / 1000)))
  })

  test('410 disables the endpoint; delete stops deliveries; another agent gets 404', async (t) => {
    const { s, rx, agent } = await fresh(t, dialect)
    rx.reply = (r) => (r.path === '/gone' ? { status: 410 } : { status: 200 })
    const gone = (await agent.api.post('/webhooks', { url: `${rx.url}/gone`, events: ['*'] })).body
    const kept = (await agent.api.post('/webhooks', { url: `${rx.url}/kept`, events: ['*'] })).body
    await agent.api.post(`/webhooks/${gone.id}/test`)
    await s.runJobs()
    const list = (await agent.api.get('/webhooks')).body.data
    const g = list.find((e: { id: string }) => e.id === gone.id)
    assert.equal(g.status, 'DISABLED')
    assert.match(g.disabled_reason, /410/)
    assert.equal((await agent.api.post(`/webhooks/${gone.id}/test`)).status, 409)
    // The agent is told through its other endpoints.
    await s.runJobs()
    const told = rx.received.filter((r) => r.path === '/kept').map((r) => JSON.parse(r.body))
    const notice = told.find((e) => e.type === 'webhook_endpoint.disabled')
    assert.ok(notice, 'the other endpoint receives webhook_endpoint.disabled')
    assert.equal(notice.data.endpoint_id, gone.id)
    assert.match(notice.data.reason, /410/)
    assert.ok(!rx.received.some((r) => r.path === '/gone' && r.body.includes('webhook_endpoint.disabled')))

    const other = await newAgent(s)
    for (const [m, p] of [
      ['GET', `/webhooks/${kept.id}/deliveries`],
      ['DELETE', `/webhooks/${kept.id}`],
      ['POST', `/webhooks/${kept.id}/test`],
      ['POST', `/webhooks/${kept.id}/rotate-secret`],
    ] as const) {
      const r = await other.api.call(m, p)
      assert.equal(r.status, 404, `${m} ${p}`)
    }
    const [d] = (await agent.api.get(`/webhooks/${gone.id}/deliveries`)).body.data
    assert.equal((await other.api.post(`/webhooks/deliveries/${d.id}/redeliver`)).status, 404)
    assert.equal((await other.api.get('/webhooks')).body.data.length, 0)
    assert.equal((await agent.api.delete(`/webhooks/${kept.id}`)).status, 200)
    assert.equal((await agent.api.get('/webhooks')).body.data.length, 1)
    const before = rx.received.length
    await createTask(s, agent)
    await s.runJobs()
    assert.equal(rx.received.length, before, 'nothing goes to a deleted or disabled endpoint')
    assert.equal((await client401(s)).status, 401)
  })

  test('bad input: unknown event, private URL, http in production rules', async (t) => {
    const { agent } = await fresh(t, dialect)
    const bad = async (body: Record<string, unknown>) => {
      const r = await agent.api.post('/webhooks', body)
      assert.equal(r.status, 400, `${JSON.stringify(body)} → ${r.text}`)
    }
    await bad({ url: 'https://example.com/h', events: ['task.nope'] })
    await bad({ url: 'https://example.com/h', events: [] })
    await bad({ url: 'http://example.com/h', events: ['*'] })
    await bad({ url: 'https://10.0.0.1/h', events: ['*'] })
    await bad({ url: 'https://169.254.169.254/latest/meta-data', events: ['*'] })
    await bad({ url: 'https://example.com/h', events: ['*'], secret: 'whsec_mine' })
  })
})

async function client401(s: TestServer) {
  const r = await fetch(`${s.url}/api/v1/webhooks`)
  return { status: r.status }
}
