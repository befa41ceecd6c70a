import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  CredentialError,
  generateKeyPair,
  Humcli,
  openCredential,
  type TaskStatus,
  verifyWebhook,
} from '@humcli/sdk'
import {
  dbEnv,
  forEachDialect,
  freshDatabase,
  type HumcliServer,
  startHumcliServe,
  type TestDb,
} from '../helpers/harness.ts'
import { type Receiver, startReceiver } from '../helpers/receiver.ts'
import { assertPhotosWithinRadius, SANDBOX_ENV, START_MS } from './sandbox-evidence.ts'

// Demonstration 3: the sandbox journey through the SDK, with waitForTask, a per-task callback
// verified with verifyWebhook, and a credential task whose sealed credential openCredential opens.

const FAST = { initialDelayMs: 200, factor: 1.5, maxDelayMs: 500 }
const inAnHour = () => new Date(Date.now() + 3_600_000)

forEachDialect('SDK sandbox journey through a real humcli serve', (dialect) => {
  let db: TestDb
  let server: HumcliServer | undefined
  let rx: Receiver
  let humcli: Humcli

  before(async () => {
    db = await freshDatabase(dialect)
    server = await startHumcliServe({ ...dbEnv(db), ...SANDBOX_ENV }, [], START_MS)
    rx = await startReceiver()
    const reg = await Humcli.register(
      { name: 'SDK sandbox bot', email: `sdk-sandbox-${dialect}@example.com` },
      { baseUrl: server.url },
    )
    assert.equal(reg.tier, 'SANDBOX')
    humcli = new Humcli({ apiKey: reg.api_key, baseUrl: server.url })
  })
  after(async () => {
    await rx?.close()
    await server?.stop()
    await db?.drop()
  })

  test('PHOTO task: waitForTask to the estimate, approve, waitForTask to COMPLETED; callbacks verify', async () => {
    const secret = 'sdk-sandbox-callback-secret'
    const task = await humcli.tasks.create({
      title: 'Photograph the Opera House steps',
      description: 'Two photos: the steps and the box office sign.',
      task_type: 'PHOTO',
      reward_usd: 5,
      deadline: inAnHour(),
      proof_requirements: ['photo of the steps', 'photo of the box office sign'],
      location: { lat: -33.8568, lng: 151.2153, address: 'Bennelong Point' },
      location_radius_m: 50,
      callback_url: `${rx.url}/callback`,
      callback_secret: secret,
    })
    assert.equal(task.sandbox, true)
    assert.equal(task.escrow_usd, 0)
    const seen: Array<[TaskStatus, TaskStatus | null]> = []
    const onStatus = (t: { status: TaskStatus }, prev: TaskStatus | null) => void seen.push([t.status, prev])

    const estimated = await humcli.waitForTask(task.task_id, {
      ...FAST,
      until: 'ESTIMATE_PENDING',
      timeoutMs: 60_000,
      onStatus,
    })
    assert.equal(estimated.status, 'ESTIMATE_PENDING')
    assert.ok(estimated.estimate && estimated.estimate.total_minutes > 0)
    const approved = await humcli.tasks.approveEstimate(task.task_id)
    assert.equal(approved.status, 'ACCEPTED')
    const done = await humcli.waitForTask(task.task_id, { ...FAST, timeoutMs: 120_000, onStatus })
    assert.equal(done.status, 'COMPLETED')
    assert.deepEqual(seen[0], ['PENDING', null])
    assert.deepEqual(seen.at(-1)?.[0], 'COMPLETED')
    assert.equal((await assertPhotosWithinRadius(done)).length, 2)

    // Every status change was POSTed to the callback, signed; the SDK verifies each one.
    const deadline = Date.now() + 30_000
    const statuses = () =>
      rx.received
        .filter((r) => r.path === '/callback')
        .map((r) => verifyWebhook<{ status: string }>(r.body, r.headers, secret).status)
    while (!statuses().includes('COMPLETED') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100))
    }
    assert.deepEqual(
      statuses(),
      done.transitions.slice(1).map((t) => t.to),
    )
  })

  test('credential task: the sealed credential opens with the keypair, and only with it', async () => {
    const kp = await generateKeyPair()
    const task = await humcli.tasks.create({
      title: 'Create a test account',
      description: 'Sign up for an account on the example service.',
      task_type: 'ACCOUNT_CREATION',
      reward_usd: 3,
      deadline: inAnHour(),
      proof_requirements: ['the account login'],
      agent_public_key: kp.publicKey,
    })
    await humcli.waitForTask(task.task_id, { ...FAST, until: 'ESTIMATE_PENDING', timeoutMs: 60_000 })
    await humcli.tasks.approveEstimate(task.task_id)
    const done = await humcli.waitForTask(task.task_id, { ...FAST, timeoutMs: 120_000 })
    assert.equal(done.status, 'COMPLETED')
    assert.equal(done.credential_available, true)

    const sealed = await humcli.tasks.retrieveCredential(task.task_id)
    assert.equal(sealed.task_id, task.task_id)
    assert.equal(sealed.encryption, 'x25519-sealedbox')
    const opened = await openCredential(sealed, kp)
    assert.ok(opened.username && opened.password, JSON.stringify(Object.keys(opened)))
    for (const [field, value] of Object.entries(opened)) {
      assert.notEqual(
        sealed.encrypted_credential[field as keyof typeof opened],
        value,
        `${field} travels sealed`,
      )
    }
    await assert.rejects(openCredential(sealed, await generateKeyPair()), CredentialError)
  })
})
