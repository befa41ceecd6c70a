import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { type TestContext, test } from 'node:test'
import { createTask, driveTo, newAgent, newOperator, taskBody } from '../helpers/fixtures.ts'
import { type Dialect, forEachDialect, startTestServer } from '../helpers/harness.ts'
import { startReceiver } from '../helpers/receiver.ts'

async function fresh(t: TestContext, dialect: Dialect) {
  const s = await startTestServer(dialect)
  t.after(() => s.close())
  const rx = await startReceiver()
  t.after(() => rx.close())
  const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
  return { s, rx, agent }
}

const hmacHex = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex')

forEachDialect('per-task callbacks', (dialect) => {
  test('every status change is POSTed with the exact compat body, X-Timestamp and X-Signature', async (t) => {
    const { s, rx, agent } = await fresh(t, dialect)
    const created = await agent.api.post('/tasks', {
      ...taskBody(s),
      callback_url: `${rx.url}/hook`,
    })
    assert.equal(created.status, 201, created.text)
    const secret = created.body.callback_secret as string
    assert.match(secret, /^[0-9a-f]{64}$/)
    const id = created.body.task_id as string
    const op = await newOperator(s)
    await driveTo(s, agent, op, id, 'ACCEPTED')
    assert.equal(rx.received.length, 0, 'nothing is sent outside the job worker')
    await s.runJobs()
    assert.equal(rx.received.length, 2)
    const [first, second] = rx.received
    const ts = (await agent.api.get(`/tasks/${id}`)).body.transitions.map((x: { at: string }) => x.at)
    assert.equal(
      first!.body,
      `{"event":"task.status_changed","task_id":"${id}","status":"ESTIMATE_PENDING","previous_status":"PENDING","timestamp":"${ts[1]}"}`,
    )
    assert.equal(JSON.parse(second!.body).status, 'ACCEPTED')
    assert.equal(JSON.parse(second!.body).previous_status, 'ESTIMATE_PENDING')
    for (const r of rx.received) {
      assert.equal(r.path, '/hook')
      assert.equal(r.headers['content-type'], 'application/json')
      assert.equal(r.headers['x-timestamp'], JSON.parse(r.body).timestamp)
      assert.equal(r.headers['x-signature'], hmacHex(secret, r.body))
      assert.match(String(r.headers['webhook-id']), /^evt_/)
    }
    // Running the jobs again sends nothing twice.
    await s.runJobs()
    assert.equal(rx.received.length, 2)
  })

  test('a secret given at creation signs the callbacks; tasks without callback_url send nothing', async (t) => {
    const { s, rx, agent } = await fresh(t, dialect)
    const id = await createTask(s, agent, {
      callback_url: `${rx.url}/cb`,
      callback_secret: 'my-own-secret-0123456789',
    })
    await createTask(s, agent)
    const op = await newOperator(s)
    await driveTo(s, agent, op, id, 'ESTIMATE_PENDING')
    await s.runJobs()
    assert.equal(rx.received.length, 1)
    assert.equal(
      rx.received[0]!.headers['x-signature'],
      hmacHex('my-own-secret-0123456789', rx.received[0]!.body),
    )
    assert.notEqual(
      rx.received[0]!.headers['x-signature'],
      hmacHex('another-secret-0123456789', rx.received[0]!.body),
    )
  })
})
