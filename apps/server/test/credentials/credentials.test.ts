import assert from 'node:assert/strict'
import { test } from 'node:test'
import { newAdmin, newAgent, newOperator, taskBody } from '../helpers/fixtures.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'
import { agentKeyPair, openSealedCredential } from '../helpers/open-credential.ts'
import { approve, credentialTask, submitCredentialTask } from './fixtures.ts'

const DAY = 24 * 3_600_000

forEachDialect('credentials', (dialect) => {
  const server = useServer(dialect)

  test('sealed to the agent key: each given field is a box only the agent opens; reads repeat', async () => {
    const s = server()
    const keys = await agentKeyPair()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const op = await newOperator(s)
    const taskId = await submitCredentialTask(
      s,
      agent,
      op,
      { username: 'ana@example.com', password: 'hunter2-sealed', api_key: 'sk_live_123' },
      { agent_public_key: keys.publicKeyB64 },
    )
    const early = await agent.api.post(`/tasks/${taskId}/retrieve-credential`)
    assert.equal(early.status, 409)
    assert.equal(early.body.code, 'INVALID_STATE')
    assert.match(early.body.error, /COMPLETED.*SUBMITTED/)
    assert.equal((await agent.api.get(`/tasks/${taskId}`)).body.credential_available, false)

    const done = await approve(agent, taskId)
    assert.equal(done.credential_available, true)
    const r = await agent.api.post(`/tasks/${taskId}/retrieve-credential`)
    assert.equal(r.status, 200, r.text)
    assert.equal(r.body.task_id, taskId)
    assert.equal(r.body.encryption, 'x25519-sealedbox')
    assert.deepEqual(Object.keys(r.body.encrypted_credential).sort(), ['api_key', 'password', 'username'])
    const open = (field: string) =>
      openSealedCredential(r.body.encrypted_credential[field], keys, { taskId, field })
    assert.equal(await open('username'), 'ana@example.com')
    assert.equal(await open('password'), 'hunter2-sealed')
    assert.equal(await open('api_key'), 'sk_live_123')
    // A box opened as another field is refused (the field is inside the box).
    await assert.rejects(
      openSealedCredential(r.body.encrypted_credential.password, keys, { taskId, field: 'username' }),
      /password field/,
    )
    // Another key pair cannot open it at all.
    const stranger = await agentKeyPair()
    await assert.rejects(
      openSealedCredential(r.body.encrypted_credential.password, stranger, { taskId, field: 'password' }),
    )
    const again = await agent.api.post(`/tasks/${taskId}/retrieve-credential`)
    assert.deepEqual(again.body, r.body)
  })

  test('without a key: encrypted at rest, returned as plain strings with encryption "none"', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const op = await newOperator(s)
    const taskId = await submitCredentialTask(s, agent, op, {
      password: 'plain-over-tls',
      credential_notes: 'recovery codes: 1111 2222',
    })
    const stored = await s.ctx.store.db
      .selectFrom('tasks')
      .select('credentials')
      .where('id', '=', taskId)
      .executeTakeFirstOrThrow()
    assert.ok(stored.credentials && !stored.credentials.includes('plain-over-tls'))
    await approve(agent, taskId)
    const r = await agent.api.post(`/tasks/${taskId}/retrieve-credential`)
    assert.equal(r.status, 200, r.text)
    assert.deepEqual(r.body, {
      task_id: taskId,
      encrypted_credential: { password: 'plain-over-tls', notes: 'recovery codes: 1111 2222' },
      encryption: 'none',
    })
  })

  test('a whitespace-only field counts as not given: neither listed in the proof nor stored', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const op = await newOperator(s)
    const taskId = await submitCredentialTask(s, agent, op, {
      username: 'ana@example.com',
      password: '   ',
      credential_notes: '\n\t ',
    })
    const task = (await agent.api.get(`/tasks/${taskId}`)).body
    assert.deepEqual(task.proof.credential_fields, ['username'])
    await approve(agent, taskId)
    const r = await agent.api.post(`/tasks/${taskId}/retrieve-credential`)
    assert.equal(r.status, 200, r.text)
    assert.deepEqual(r.body.encrypted_credential, { username: 'ana@example.com' })
  })

  test('who may retrieve: own task only (404), credential tasks only (409), agents only (403)', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const other = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const op = await newOperator(s)
    const taskId = await submitCredentialTask(s, agent, op, { username: 'u', password: 'p-secret' })
    await approve(agent, taskId)
    const foreign = await other.api.post(`/tasks/${taskId}/retrieve-credential`)
    assert.equal(foreign.status, 404)
    assert.equal((await other.api.post('/tasks/task_nope/retrieve-credential')).status, 404)
    assert.equal((await op.api.post(`/tasks/${taskId}/retrieve-credential`)).status, 403)
    const photo = await agent.api.post('/tasks', taskBody(s))
    const notCred = await agent.api.post(`/tasks/${photo.body.task_id}/retrieve-credential`)
    assert.equal(notCred.status, 409)
    assert.match(notCred.body.error, /PHOTO task.*credential tasks/)
    // The operator never sees the values again: not in their task view, not in the transition log.
    const opView = await op.api.get(`/operator/tasks/${taskId}`)
    assert.equal(opView.status, 200)
    assert.doesNotMatch(opView.text, /p-secret/)
    const agentView = await agent.api.get(`/tasks/${taskId}`)
    assert.doesNotMatch(agentView.text, /p-secret/)
  })

  test('purged after the retention period: credential_available false, retrieval 410', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const op = await newOperator(s)
    const keys = await agentKeyPair()
    const taskId = await submitCredentialTask(
      s,
      agent,
      op,
      { api_key: 'k-123' },
      { agent_public_key: keys.publicKeyB64 },
    )
    await approve(agent, taskId)
    s.clock.advance(30 * DAY - 60_000)
    await s.runJobs()
    assert.equal((await agent.api.post(`/tasks/${taskId}/retrieve-credential`)).status, 200)
    assert.equal((await agent.api.get(`/tasks/${taskId}`)).body.credential_available, true)
    s.clock.advance(60_000)
    await s.runJobs()
    const gone = await agent.api.post(`/tasks/${taskId}/retrieve-credential`)
    assert.equal(gone.status, 410)
    assert.equal(gone.body.code, 'GONE')
    assert.match(gone.body.error, /purged/)
    assert.equal((await agent.api.get(`/tasks/${taskId}`)).body.credential_available, false)
    const row = await s.ctx.store.db
      .selectFrom('tasks')
      .select(['credentials', 'credentials_purged_at'])
      .where('id', '=', taskId)
      .executeTakeFirstOrThrow()
    assert.equal(row.credentials, null)
    assert.ok(row.credentials_purged_at)
  })

  test('a dispute refunded to the agent drops the credential in the same transaction', async () => {
    const s = server()
    const admin = await newAdmin(s)
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const op = await newOperator(s)
    const taskId = await submitCredentialTask(s, agent, op, { password: 'never-handed-over' })
    assert.equal((await agent.api.post(`/tasks/${taskId}/verify`, { decision: 'REJECT' })).status, 200)
    const r = await admin.api.post(`/admin/tasks/${taskId}/resolve`, {
      outcome: 'REFUND_AGENT',
      note: 'no account',
    })
    assert.equal(r.status, 200, r.text)
    const row = await s.ctx.store.db
      .selectFrom('tasks')
      .select('credentials')
      .where('id', '=', taskId)
      .executeTakeFirstOrThrow()
    assert.equal(row.credentials, null)
    assert.equal((await agent.api.post(`/tasks/${taskId}/retrieve-credential`)).status, 409)
  })

  test('agent_public_key must be base64 of a usable 32-byte X25519 key (400 with a sentence)', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const bad = [
      'short',
      Buffer.alloc(31, 7).toString('base64'),
      Buffer.alloc(33, 7).toString('base64'),
      `${'!'.repeat(43)}=`,
      Buffer.alloc(32).toString('base64'), // all zero: a low-order point libsodium refuses
    ]
    for (const key of bad) {
      const r = await agent.api.post('/tasks', taskBody(s, credentialTask({ agent_public_key: key })))
      assert.equal(r.status, 400, `${key}: ${r.text}`)
      assert.match(r.body.error, /agent_public_key.*base64.*32-byte X25519/)
      assert.equal(r.body.details[0].path, 'agent_public_key')
    }
    const good = await agentKeyPair()
    const r = await agent.api.post(
      '/tasks',
      taskBody(s, credentialTask({ agent_public_key: good.publicKeyB64 })),
    )
    assert.equal(r.status, 201, r.text)
    assert.equal(r.body.agent_public_key, good.publicKeyB64)
  })
})
