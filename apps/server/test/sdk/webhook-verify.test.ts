import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import { Humcli, verifyWebhook, WebhookVerificationError } from '@humcli/sdk'
import { Webhook } from 'standardwebhooks'
import { newAgent, taskBody } from '../helpers/fixtures.ts'
import { forEachDialect, startTestServer } from '../helpers/harness.ts'
import { type Received, startReceiver } from '../helpers/receiver.ts'

const refused = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof WebhookVerificationError && pattern.test(e.message))

async function fresh(t: TestContext, dialect: 'sqlite' | 'postgres') {
  const s = await startTestServer(dialect)
  t.after(() => s.close())
  s.clock.set(new Date()) // deliveries are stamped with the server clock; the verifier checks real time
  const rx = await startReceiver()
  t.after(() => rx.close())
  const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
  s.clock.advance(1000)
  const humcli = new Humcli({ apiKey: agent.key, baseUrl: s.url })
  return { s, rx, humcli }
}

forEachDialect('SDK verifyWebhook on deliveries the server really sent', (dialect) => {
  test('per-task callback: compat X-Signature and the Standard Webhooks headers both verify', async (t) => {
    const { s, rx, humcli } = await fresh(t, dialect)
    const secret = 'a-callback-secret-of-enough-length'
    const task = await humcli.tasks.create({
      ...taskBody(s),
      task_type: 'PHOTO',
      callback_url: `${rx.url}/cb`,
      callback_secret: secret,
    })
    await humcli.tasks.cancel(task.task_id)
    await s.runJobs()
    const r = rx.received.find((x) => x.path === '/cb')!
    assert.ok(r, 'a callback arrived')
    const event = verifyWebhook<{ task_id: string; status: string }>(r.body, r.headers, secret)
    assert.equal(event.task_id, task.task_id)
    // The compat header alone, as a receiver that knows nothing of Standard Webhooks would check it.
    const compatOnly = { 'x-signature': String(r.headers['x-signature']), 'x-timestamp': 'x' }
    assert.deepEqual(verifyWebhook(r.body, compatOnly, secret), event)
    assert.deepEqual(verifyWebhook(Buffer.from(r.body), new Headers(compatOnly), secret), event)
    refused(() => verifyWebhook(r.body.replace('CANCELLED', 'COMPLETED'), compatOnly, secret), /X-Signature/)
    refused(() => verifyWebhook(r.body, compatOnly, 'another-secret-entirely'), /X-Signature/)
    refused(() => verifyWebhook(r.body, r.headers, 'another-secret-entirely'), /webhook-signature/)
  })

  test('account endpoint: whsec_ secret, rotation (both secrets valid), tolerance, tampering', async (t) => {
    const { s, rx, humcli } = await fresh(t, dialect)
    const ep = await humcli.webhooks.create({ url: `${rx.url}/hooks`, events: ['*'] })
    const oldSecret = ep.secret!
    const rotated = await humcli.webhooks.rotateSecret(ep.id)
    await humcli.webhooks.test(ep.id)
    await s.runJobs()
    const r: Received = rx.received.at(-1)!
    assert.equal(
      String(r.headers['webhook-signature']).split(' ').length,
      2,
      'two signatures during rotation',
    )
    const body = verifyWebhook<{ type: string }>(r.body, r.headers, rotated.secret!)
    assert.equal(body.type, 'webhook.ping')
    assert.equal(verifyWebhook<{ type: string }>(r.body, r.headers, oldSecret).type, 'webhook.ping')
    assert.deepEqual(verifyWebhook(r.body, r.headers, ['whsec_AAAA', rotated.secret!]), body)
    // The same answer as the reference Standard Webhooks library.
    assert.deepEqual(new Webhook(rotated.secret!).verify(r.body, r.headers as Record<string, string>), body)

    const ts = Number(r.headers['webhook-timestamp']) * 1000
    refused(() => verifyWebhook(r.body, r.headers, oldSecret, { now: ts + 301_000 }), /tolerance/)
    assert.ok(verifyWebhook(r.body, r.headers, oldSecret, { now: ts + 299_000 }))
    refused(() => verifyWebhook(`${r.body} `, r.headers, oldSecret), /No webhook-signature matches/)
    refused(() => verifyWebhook(r.body, { ...r.headers, 'webhook-id': 'evt_other' }, oldSecret), /matches/)
    refused(
      () => verifyWebhook(r.body, { ...r.headers, 'webhook-timestamp': 'soon' }, oldSecret),
      /malformed/,
    )
    refused(
      () => verifyWebhook(r.body, { 'content-type': 'application/json' }, oldSecret),
      /no webhook-signature/,
    )
    refused(() => verifyWebhook(r.body, r.headers, []), /No webhook secret/)
  })
})
