import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { client } from '../helpers/api.ts'
import {
  dbEnv,
  forEachDialect,
  freshDatabase,
  type HumcliServer,
  startHumcliServe,
  type TestDb,
} from '../helpers/harness.ts'
import { assertWithinTask, servedEvidence } from './evidence.ts'

/** Each child compiles the sources with tsx on start: seconds on a busy machine. */
const START_MS = 60_000
/** How long the whole simulated journey may take with 100 ms steps (a handful of steps, and slack for a busy machine). */
const JOURNEY_MS = 30_000

/** Polls the task (bounded) until it reaches `want`; fails with the statuses it saw. */
async function until(api: ReturnType<typeof client>, taskId: string, want: string) {
  const deadline = Date.now() + JOURNEY_MS
  const seen: string[] = []
  for (;;) {
    const r = await api.get(`/tasks/${taskId}`)
    assert.equal(r.status, 200, r.text)
    if (seen.at(-1) !== r.body.status) seen.push(r.body.status)
    if (r.body.status === want) return r.body
    if (Date.now() > deadline) assert.fail(`task never reached ${want}; saw ${seen.join(' → ')}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

forEachDialect('sandbox through a real `humcli serve` with the real clock', (dialect) => {
  let db: TestDb
  let server: HumcliServer | undefined
  before(async () => {
    db = await freshDatabase(dialect)
    server = await startHumcliServe(
      {
        ...dbEnv(db),
        PORT: '0',
        LOG_LEVEL: 'warn',
        HUMCLI_SANDBOX_STEP_MS: '100',
        HUMCLI_JOB_POLL_MS: '50',
      },
      [],
      START_MS,
    )
  })
  after(async () => {
    await server?.stop()
    await db?.drop()
  })

  test('register → create a PHOTO task → approve the simulated estimate → COMPLETED, over HTTP', async () => {
    const url = server!.url
    assert.match(server!.output().stdout, /mail: +\S+mail \(development: no HUMCLI_SMTP_URL\)/)
    const reg = await client(url).post('/agents/register', { name: 'e2e bot', email: 'e2e@example.com' })
    assert.equal(reg.status, 201, reg.text)
    const agent = client(url, { key: reg.body.api_key })
    const created = await agent.post('/tasks', {
      title: 'Photograph the storefront',
      description: 'The shop front and the opening hours.',
      task_type: 'PHOTO',
      reward_usd: 5,
      deadline: new Date(Date.now() + 3_600_000).toISOString(),
      proof_requirements: ['photo of the storefront', 'photo of the opening hours'],
      location: { lat: -33.8688, lng: 151.2093 },
      location_radius_m: 50,
    })
    assert.equal(created.status, 201, created.text)
    assert.equal(created.body.sandbox, true)
    const taskId = created.body.task_id

    const estimated = await until(agent, taskId, 'ESTIMATE_PENDING')
    assert.equal(estimated.operator.name, 'Sandbox Operator')
    const approve = await agent.post(`/tasks/${taskId}/estimate/approve`)
    assert.equal(approve.status, 200, approve.text)
    const done = await until(agent, taskId, 'COMPLETED')
    assert.deepEqual(
      done.transitions.map((t: { to: string }) => t.to),
      ['PENDING', 'ESTIMATE_PENDING', 'ACCEPTED', 'IN_PROGRESS', 'SUBMITTED', 'VERIFIED', 'COMPLETED'],
    )
    assert.equal(done.proof.photos.length, 2)
    for (const [i, photoUrl] of (done.proof.photos as string[]).entries()) {
      const res = await fetch(photoUrl)
      assert.equal(res.status, 200)
      const photo = Buffer.from(await res.arrayBuffer())
      assertWithinTask(await servedEvidence(photo, done.proof.photo_details[i]), done)
    }
    assert.deepEqual((await agent.get('/agents/balance')).body, {
      deposit_balance: 0,
      escrow_balance: 0,
      currency: 'USD',
    })

    // The development mail folder has the verification email; its link works.
    const dir = path.join(db.dir, 'mail')
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.eml')) : []
    assert.equal(files.length, 1, `one .eml in ${dir}`)
    const raw = fs
      .readFileSync(path.join(dir, files[0]!), 'utf8')
      .replace(/=\r?\n/g, '')
      .replace(/=3D/g, '=')
    const link = /(http:\/\/\S+verify-email\?token=[A-Za-z0-9_-]+)/.exec(raw)?.[1]
    assert.ok(link?.startsWith(url), `link ${link} points at the server`)
    const verified = await fetch(link!, { headers: { accept: 'application/json' } })
    assert.equal(verified.status, 200)
    assert.equal((await agent.get('/agents/me')).body.tier, 'VERIFIED')
  })
})
