/**
 * Demonstration 4 (issue 4): after credentials are submitted in both modes, retrieved and logged
 * at the most verbose level, neither the database (every file byte on SQLite, WAL included; every
 * row of every table on PostgreSQL) nor the data folder nor the logs hold a plaintext value. A
 * sealed value copied onto another task fails to open; the agent's key opens its own.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import pino from 'pino'
import { LOG_REDACT_PATHS } from '../../src/compose.ts'
import { dataFolderDump, forms, postgresDump } from '../helpers/at-rest-dump.ts'
import { newAgent, newOperator } from '../helpers/fixtures.ts'
import { forEachDialect, type TestServer, useServer } from '../helpers/harness.ts'
import { agentKeyPair, openSealedCredential } from '../helpers/open-credential.ts'
import { approve, submitCredentialTask } from './fixtures.ts'

const logLines: string[] = []
const log = pino(
  { level: 'trace', redact: LOG_REDACT_PATHS },
  { write: (line: string) => void logLines.push(line) },
)

/** Copies a task's stored credential onto another task, as an attacker with database access would. */
async function copyCredentials(s: TestServer, fromTask: string, toTask: string) {
  const row = await s.ctx.store.db
    .selectFrom('tasks')
    .select('credentials')
    .where('id', '=', fromTask)
    .executeTakeFirstOrThrow()
  await s.ctx.store.db
    .updateTable('tasks')
    .set({ credentials: row.credentials })
    .where('id', '=', toTask)
    .execute()
}

forEachDialect('demonstration 4: no plaintext credential at rest', (dialect) => {
  const server = useServer(dialect, {}, { log })

  test('database, data folder and logs hold no plaintext; sealed boxes are bound to their task', async () => {
    const s = server()
    const marker = () => `cred-${randomBytes(9).toString('hex')}`
    const keys = await agentKeyPair()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 200 })
    const op = await newOperator(s)

    const sealedValues = {
      username: marker(),
      password: marker(),
      api_key: marker(),
      credential_notes: marker(),
    }
    const sealedA = await submitCredentialTask(s, agent, op, sealedValues, {
      agent_public_key: keys.publicKeyB64,
    })
    const sealedB = await submitCredentialTask(
      s,
      agent,
      op,
      { password: marker() },
      { agent_public_key: keys.publicKeyB64 },
    )
    const atRestValues = {
      username: marker(),
      password: marker(),
      api_key: marker(),
      credential_notes: marker(),
    }
    const atRest = await submitCredentialTask(s, agent, op, atRestValues)
    for (const id of [sealedA, sealedB, atRest]) await approve(agent, id)

    // The agent's key opens its own boxes; the at-rest task comes back as plain strings over the wire.
    const a = (await agent.api.post(`/tasks/${sealedA}/retrieve-credential`)).body
    assert.equal(a.encryption, 'x25519-sealedbox')
    for (const [field, sent] of [
      ['username', sealedValues.username],
      ['password', sealedValues.password],
      ['api_key', sealedValues.api_key],
      ['notes', sealedValues.credential_notes],
    ] as const) {
      assert.equal(
        await openSealedCredential(a.encrypted_credential[field], keys, { taskId: sealedA, field }),
        sent,
      )
    }
    // Sent with an Idempotency-Key too: a read is never stored as an idempotent response.
    const plain = (
      await agent.api.post(`/tasks/${atRest}/retrieve-credential`, undefined, {
        headers: { 'idempotency-key': 'read-1' },
      })
    ).body
    assert.equal(plain.encryption, 'none')
    assert.equal(plain.encrypted_credential.password, atRestValues.password)

    // Anything that logs an object carrying credential fields gets them redacted.
    s.ctx.log.info(
      { body: { password: atRestValues.password }, credentials: atRestValues },
      'redaction probe',
    )
    await s.runJobs()

    const allValues = [...Object.values(sealedValues), ...Object.values(atRestValues)]
    const dumps: [string, Buffer][] = [
      ['data folder', dataFolderDump(s)],
      ['logs', Buffer.from(logLines.join(''))],
    ]
    if (dialect === 'postgres') dumps.push(['postgres rows', Buffer.from(await postgresDump(s))])
    // The dumps are real: they hold the tasks and the sealed boxes themselves.
    const db = dialect === 'postgres' ? dumps[2]![1] : dumps[0]![1]
    assert.ok(db.includes(sealedA) && db.includes(a.encrypted_credential.password))
    assert.ok(logLines.length > 20 && logLines.some((l) => l.includes('[Redacted]')))
    for (const [what, dump] of dumps) {
      for (const value of allValues) {
        for (const form of forms(value)) assert.equal(dump.includes(form), false, `${value} found in ${what}`)
      }
    }

    // A sealed box copied onto another task of the same agent is refused by the opener.
    await copyCredentials(s, sealedA, sealedB)
    s.ctx.caches.taskViews.clear()
    const moved = (await agent.api.post(`/tasks/${sealedB}/retrieve-credential`)).body
    assert.equal(moved.encrypted_credential.password, a.encrypted_credential.password)
    await assert.rejects(
      openSealedCredential(moved.encrypted_credential.password, keys, { taskId: sealedB, field: 'password' }),
      new RegExp(`belongs to task ${sealedA}`),
    )
    // An at-rest ciphertext moved to another task does not decrypt either (its key is bound to the task).
    await copyCredentials(s, atRest, sealedB)
    const swapped = await agent.api.post(`/tasks/${sealedB}/retrieve-credential`)
    assert.equal(swapped.status, 500)
    assert.match(swapped.body.error, /cannot be decrypted/)
    assert.doesNotMatch(swapped.text, new RegExp(atRestValues.password))
  })
})
