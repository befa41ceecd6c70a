/**
 * Webhook signing secrets at rest (issue 16, item 5): endpoint secrets (current and previous)
 * and task callback secrets are stored sealed under the master key, deliveries still sign with
 * them, a generated callback secret is never kept in a replayable idempotent answer, rows written
 * in plaintext before are sealed by migration 0017, and a rotated master key still opens them.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { sql } from 'kysely'
import { openSecret, sealSecret } from '../../src/credentials/at-rest.ts'
import { loadSecrets } from '../../src/secrets.ts'
import { migrationHelpers } from '../../src/server.ts'
import { migrateToLatest } from '../../src/store/migrate.ts'
import { callbackSignature, standardSignature } from '../../src/webhooks/sign.ts'
import { databaseDump, forms, rowDump } from '../helpers/at-rest-dump.ts'
import { newAgent, newOperator, taskBody } from '../helpers/fixtures.ts'
import { forEachDialect, type TestServer, useServer } from '../helpers/harness.ts'
import { type Received, startReceiver } from '../helpers/receiver.ts'

function assertNotStored(dump: Buffer, secrets: Record<string, string>): void {
  for (const [what, value] of Object.entries(secrets)) {
    for (const form of forms(value))
      assert.equal(dump.includes(form), false, `${what} is stored in plaintext`)
  }
}

/** Whether the Standard Webhooks signature header holds a valid signature under `secret`. */
function signedWith(r: Received, secret: string): boolean {
  const id = String(r.headers['webhook-id'])
  const ts = Number(r.headers['webhook-timestamp'])
  const expected = standardSignature(secret, id, ts, r.body)
  return String(r.headers['webhook-signature']).split(' ').includes(expected)
}

const rawRows = (s: TestServer) => ({
  endpoint: (id: string) =>
    s.ctx.store.db
      .selectFrom('webhook_endpoints')
      .select(['secret', 'previous_secret'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow(),
  task: (id: string) =>
    s.ctx.store.db
      .selectFrom('tasks')
      .select('callback_secret')
      .where('id', '=', id)
      .executeTakeFirstOrThrow(),
})

forEachDialect('webhook secrets at rest', (dialect) => {
  const server = useServer(dialect)

  test('sealed when stored, signing as before; a generated callback secret is not replayed', async (t) => {
    const s = server()
    const rx = await startReceiver()
    t.after(() => rx.close())
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const created = await agent.api.post('/webhooks', { url: `${rx.url}/ep`, events: ['*'] })
    assert.equal(created.status, 201, created.text)
    const first = created.body.secret as string
    const rotated = await agent.api.post(`/webhooks/${created.body.id}/rotate-secret`)
    assert.equal(rotated.status, 200, rotated.text)
    const second = rotated.body.secret as string
    const own = `own-${randomBytes(12).toString('hex')}`
    const given = await agent.api.post(
      '/tasks',
      taskBody(s, { callback_url: `${rx.url}/own`, callback_secret: own }),
    )
    assert.equal(given.status, 201, given.text)
    const key = { headers: { 'idempotency-key': 'create-with-generated-secret' } }
    const gen = await agent.api.post('/tasks', taskBody(s, { callback_url: `${rx.url}/gen` }), key)
    assert.equal(gen.status, 201, gen.text)
    const generated = gen.body.callback_secret as string
    assert.match(generated, /^[0-9a-f]{64}$/)

    // The replay answers the same task, says the secret is not repeated, and does not repeat it.
    const replay = await agent.api.post('/tasks', taskBody(s, { callback_url: `${rx.url}/gen` }), key)
    assert.equal(replay.status, 201, replay.text)
    assert.equal(replay.headers.get('idempotent-replayed'), 'true')
    assert.equal(replay.body.task_id, gen.body.task_id)
    assert.equal(replay.body.callback_secret, undefined)
    assert.match(replay.body.callback_secret_omitted, /shown only in the first answer/)
    assert.ok(!replay.text.includes(generated))

    // Deliveries: the endpoint ping carries both signatures (rotation overlap), callbacks theirs.
    assert.equal((await agent.api.post(`/webhooks/${created.body.id}/test`)).status, 202)
    const op = await newOperator(s)
    for (const id of [given.body.task_id, gen.body.task_id]) {
      const r = await op.api.post(`/operator/tasks/${id}/accept`, { estimate_hours: 1 })
      assert.equal(r.status, 200, r.text)
    }
    await s.runJobs()
    const at = (path: string) => rx.received.filter((r) => r.path === path)
    assert.ok(at('/ep').length >= 1 && at('/own').length === 1 && at('/gen').length === 1)
    for (const r of at('/ep'))
      assert.ok(signedWith(r, first) && signedWith(r, second), 'both endpoint secrets sign')
    assert.equal(at('/own')[0]!.headers['x-signature'], callbackSignature(own, at('/own')[0]!.body))
    assert.equal(at('/gen')[0]!.headers['x-signature'], callbackSignature(generated, at('/gen')[0]!.body))

    const rows = rawRows(s)
    const ep = await rows.endpoint(created.body.id)
    assert.match(ep.secret, /^enc:v1:[0-9a-f]{8}:/)
    assert.match(ep.previous_secret!, /^enc:v1:[0-9a-f]{8}:/)
    assert.match((await rows.task(given.body.task_id)).callback_secret!, /^enc:v1:/)
    assertNotStored(await databaseDump(s), { first, second, own, generated })
  })

  test('migration 0017 seals secrets stored in plaintext and strips stored generated secrets', async (t) => {
    const s = server()
    const rx = await startReceiver()
    t.after(() => rx.close())
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const ep = (await agent.api.post('/webhooks', { url: `${rx.url}/ep`, events: ['*'] })).body
    const task = (await agent.api.post('/tasks', taskBody(s, { callback_url: `${rx.url}/cb` }))).body
    // Put the database back as the previous release stored it: plaintext secrets, and a stored
    // create answer holding the generated secret.
    const plain = {
      endpoint: `whsec_${randomBytes(24).toString('base64')}`,
      previous: `whsec_${randomBytes(24).toString('base64')}`,
      callback: randomBytes(32).toString('hex'),
    }
    const db = s.ctx.store.db
    const expires = new Date(s.clock.now().getTime() + 3_600_000).toISOString()
    await db
      .updateTable('webhook_endpoints')
      .set({ secret: plain.endpoint, previous_secret: plain.previous, previous_secret_expires_at: expires })
      .where('id', '=', ep.id)
      .execute()
    await db
      .updateTable('tasks')
      .set({ callback_secret: plain.callback })
      .where('id', '=', task.task_id)
      .execute()
    const answer = JSON.stringify({
      task_id: task.task_id,
      status: 'PENDING',
      callback_secret: plain.callback,
    })
    await db
      .insertInto('idempotency_keys')
      .values({
        scope: `agent:${agent.id}|POST|/api/v1/tasks|old-key`,
        request_hash: 'h',
        state: 'done',
        response_status: 201n,
        response_body: answer,
        created_at: s.clock.now().toISOString(),
        expires_at: expires,
      })
      .execute()
    await sql`delete from humcli_migrations where name = '0017-sealed-webhook-secrets'`.execute(db)
    s.ctx.caches.taskViews.clear()

    assert.deepEqual(
      await migrateToLatest(db as never, s.ctx.store.dialect, migrationHelpers(s.ctx.secrets)),
      ['0017-sealed-webhook-secrets'],
    )
    // Rows, not file bytes: SQLite keeps overwritten pages in its WAL and free list (and PostgreSQL
    // dead tuples) until VACUUM, which the upgrade notes ask for (ADR 0016).
    assertNotStored(await rowDump(s), plain)
    const stored = await db
      .selectFrom('idempotency_keys')
      .select('response_body')
      .where('scope', 'like', '%old-key')
      .executeTakeFirstOrThrow()
    assert.match(JSON.parse(stored.response_body!).callback_secret_omitted, /shown only in the first answer/)

    // Deliveries sign with the secrets the rows held.
    assert.equal((await agent.api.post(`/webhooks/${ep.id}/test`)).status, 202)
    const op = await newOperator(s)
    assert.equal(
      (await op.api.post(`/operator/tasks/${task.task_id}/accept`, { estimate_hours: 1 })).status,
      200,
    )
    await s.runJobs()
    const ping = rx.received.find((r) => r.path === '/ep')!
    assert.ok(signedWith(ping, plain.endpoint) && signedWith(ping, plain.previous))
    const cb = rx.received.find((r) => r.path === '/cb')!
    assert.equal(cb.headers['x-signature'], callbackSignature(plain.callback, cb.body))
  })
})

test('a secret sealed under the previous master key opens once that key is in HUMCLI_MASTER_KEY_PREVIOUS', () => {
  const oldKey = randomBytes(32).toString('hex')
  const newKey = randomBytes(32).toString('hex')
  const base = { dataDir: '/nonexistent', env: 'production' as const }
  const before = loadSecrets({ ...base, masterKey: oldKey })
  const sealed = sealSecret(before, 'webhook-secret:whe_x', 'whsec_abc')
  const after = loadSecrets({ ...base, masterKey: newKey, previousMasterKeys: [oldKey] })
  assert.equal(openSecret(after, 'webhook-secret:whe_x', sealed), 'whsec_abc')
  assert.notEqual(sealSecret(after, 'webhook-secret:whe_x', 'whsec_abc').split(':')[2], sealed.split(':')[2])
  const forgotten = loadSecrets({ ...base, masterKey: newKey })
  assert.throws(() => openSecret(forgotten, 'webhook-secret:whe_x', sealed), /HUMCLI_MASTER_KEY_PREVIOUS/)
  // Bound to its row: the same ciphertext under another endpoint's purpose does not open.
  assert.throws(() => openSecret(before, 'webhook-secret:whe_y', sealed))
})
