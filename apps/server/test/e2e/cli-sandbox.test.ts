import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { assertOk, lines, tempHome } from '../helpers/cli.ts'
import {
  dbEnv,
  forEachDialect,
  freshDatabase,
  type HumcliServer,
  runHumcli,
  startHumcliServe,
  type TestDb,
} from '../helpers/harness.ts'
import { assertPhotosWithinRadius, SANDBOX_ENV, START_MS } from './sandbox-evidence.ts'

// Demonstration 1: a real `humcli serve`, the CLI as a subprocess, a sandbox PHOTO task from
// registration to COMPLETED, and proof photos that are real JPEGs with GPS inside the radius.

const POLL = ['--interval', '200ms', '--max-interval', '500ms']

forEachDialect('CLI sandbox journey through a real humcli serve', (dialect) => {
  let db: TestDb
  let server: HumcliServer | undefined
  const home = tempHome()
  let env: Record<string, string>
  const humcli = (...args: string[]) => runHumcli(args, env, 180_000)

  before(async () => {
    db = await freshDatabase(dialect)
    server = await startHumcliServe({ ...dbEnv(db), ...SANDBOX_ENV }, [], START_MS)
    env = { HOME: home.home, HUMCLI_API_URL: server.url }
  })
  after(async () => {
    await server?.stop()
    await db?.drop()
    home.drop()
  })

  test('register → create a PHOTO task → approve the estimate → tasks wait until COMPLETED', async () => {
    assertOk(await humcli('register', '--name', 'Sandbox bot', '--email', `sandbox-${dialect}@example.com`))
    const created = await humcli(
      'tasks',
      'create',
      '--type',
      'PHOTO',
      '--title',
      'Photograph the Opera House steps',
      '--description',
      'Two photos: the steps and the box office sign.',
      '--reward',
      '5',
      '--proof',
      'photo of the steps',
      '--proof',
      'photo of the box office sign',
      '--lat',
      '-33.8568',
      '--lng',
      '151.2153',
      '--radius',
      '50',
      '-q',
    )
    assertOk(created)
    const id = created.stdout.trim()

    const estimate = await humcli(
      'tasks',
      'wait',
      id,
      '--until',
      'ESTIMATE_PENDING',
      '--timeout',
      '60s',
      ...POLL,
    )
    assertOk(estimate)
    // The simulated operator may accept before the first poll: either line shows the estimate.
    assert.match(estimate.stdout, /\] (PENDING → )?ESTIMATE_PENDING\n/)
    assert.match(estimate.stdout, new RegExp(`approve with \`npx humcli tasks approve-estimate ${id}\``))

    const approved = await humcli('tasks', 'approve-estimate', id)
    assertOk(approved)
    assert.match(approved.stdout, new RegExp(`^${id} is ACCEPTED: `))

    const done = await humcli('tasks', 'wait', id, '--timeout', '120s', ...POLL)
    assertOk(done)
    const changes = lines(done.stdout)
      .filter((l) => l.startsWith('['))
      .map((l) => l.replace(/^\[ *\d+s\] /, ''))
    // With 200 ms steps the simulation may finish before the CLI's first poll (it starts in
    // seconds on a busy machine): the first line is whatever status it finds, the last COMPLETED.
    // Transitions printed as they happen are shown by test/cli/agent-cli.test.ts.
    assert.ok(changes.length >= 1, done.stdout)
    assert.match(changes.at(-1)!, /^(\w+ → )?COMPLETED$/)
    assert.match(done.stdout, new RegExp(`\n${id} COMPLETED after \\d+s\\.\n$`))

    const got = await humcli('tasks', 'get', id, '--json')
    assertOk(got)
    const task = JSON.parse(got.stdout)
    assert.equal(task.status, 'COMPLETED')
    assert.equal(task.sandbox, true)
    const distances = await assertPhotosWithinRadius(task)
    assert.equal(distances.length, 2)
    const balance = await humcli('balance', '--json')
    assertOk(balance)
    assert.deepEqual(JSON.parse(balance.stdout), { deposit_balance: 0, escrow_balance: 0, currency: 'USD' })
  })
})
