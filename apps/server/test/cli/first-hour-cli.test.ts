/**
 * The CLI as a new user meets it: server-side parse errors like the agent ones, the real profile
 * path, hints that work as pasted, flags named in API errors, a fuller `balance`, a closed pipe,
 * admin commands that never invent a database, and a busy port said plainly.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { after, describe, test } from 'node:test'
import { assertFails, assertOk, lines, tempHome } from '../helpers/cli.ts'
import { newAgent, taskBody } from '../helpers/fixtures.ts'
import {
  dbEnv,
  forEachDialect,
  freshDatabase,
  HUMCLI_BIN,
  humcliEnv,
  runHumcli,
  useServer,
} from '../helpers/harness.ts'

describe('humcli server-side commands: parse errors as one line, exit 2', () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-empty-'))
  after(() => fs.rmSync(empty, { recursive: true, force: true }))
  const env = { HUMCLI_DATA_DIR: empty }

  test('serve, admin and migrate refuse a bad command line like tasks does', async () => {
    const [serve, port, admin, migrate, tier] = await Promise.all([
      runHumcli(['serve', '--bogus'], env),
      runHumcli(['serve', '--port', 'abc'], env),
      runHumcli(['admin', 'set-tier'], env),
      runHumcli(['migrate', '--colour'], env),
      runHumcli(['admin', 'set-tier', 'ag_x', 'GOLD'], env),
    ])
    assertFails(serve, 2, /^humcli: unknown option '--bogus' \(see --help\)\n$/)
    assertFails(port, 2, /^humcli: option '-p, --port <port>' argument 'abc' is invalid\. must be a port/)
    assertFails(admin, 2, /^humcli: missing required argument 'agent_id' \(see --help\)\n$/)
    assertFails(migrate, 2, /^humcli: unknown option '--colour' \(see --help\)\n$/)
    assertFails(tier, 2, /^humcli: Unknown tier "GOLD"/)
    assert.deepEqual(fs.readdirSync(empty), [], 'nothing created')
  })
})

describe('humcli --profile help and printed hints', () => {
  const home = tempHome()
  after(() => home.drop())

  test('--profile help names the profile file under XDG_CONFIG_HOME', async () => {
    const xdg = path.join(home.home, 'xdg')
    const r = await runHumcli(['balance', '--help'], { HOME: home.home, XDG_CONFIG_HOME: xdg })
    assertOk(r)
    assert.match(
      r.stdout,
      /--profile <name> +profile in ~\/xdg\/humcli\/config\.json /, // under HOME: shown as typed
    )
    const plain = await runHumcli(['tasks', 'list', '--help'], { HOME: home.home })
    assert.match(plain.stdout, /profile in ~\/\.config\/humcli\/config\.json/)
  })
})

describe('humcli agent commands for a new user (SQLite server)', () => {
  const server = useServer('sqlite')
  const home = tempHome()
  after(() => home.drop())

  test('hints print `humcli …` when it is on the PATH, `npx humcli …` otherwise', async () => {
    const s = server()
    s.clock.set(new Date())
    const bin = path.join(home.home, 'bin')
    fs.mkdirSync(bin)
    fs.writeFileSync(path.join(bin, 'humcli'), '#!/bin/sh\n', { mode: 0o755 })
    // npm's own node_modules/.bin (npx, npm run) does not count: it is gone in the next shell.
    const npmBin = path.join(home.home, 'node_modules', '.bin')
    fs.mkdirSync(npmBin, { recursive: true })
    fs.writeFileSync(path.join(npmBin, 'humcli'), '#!/bin/sh\n', { mode: 0o755 })
    const base = { HOME: home.home, HUMCLI_API_URL: s.url }
    const pathWith = (dir: string) => `${dir}${path.delimiter}${process.env.PATH ?? ''}`
    const onPath = await runHumcli(['register', '--name', 'a', '--email', `a-${Date.now()}@example.com`], {
      ...base,
      PATH: pathWith(bin),
    })
    assertOk(onPath)
    assert.equal(lines(onPath.stdout).at(-1), 'Next: humcli tasks create --help')
    const viaNpx = await runHumcli(['tasks', 'list'], { ...base, PATH: pathWith(npmBin) })
    assertOk(viaNpx)
    assert.equal(viaNpx.stdout, 'No tasks. Create one with `npx humcli tasks create --help`.\n')
  })

  test('a physical task without a location: the error names --lat/--lng (exit 2)', async () => {
    const s = server()
    const agent = await newAgent(s)
    const env = { HOME: home.home, HUMCLI_API_URL: s.url, HUMCLI_API_KEY: agent.key }
    const args = ['tasks', 'create', '--type', 'PHOTO', '--title', 't', '--description', 'd']
    const r = await runHumcli([...args, '--reward', '5', '--proof', 'photo of the door'], env)
    assertFails(
      r,
      2,
      /`location` \{lat, lng\} is required for PHOTO tasks .*Set it with --lat\/--lng\. \[400/,
    )
  })

  test("balance shows the tier, its limits and today's usage", async () => {
    const s = server()
    s.clock.set(new Date())
    const agent = await newAgent(s)
    assert.equal((await agent.api.post('/tasks', taskBody(s, { reward_usd: 5 }))).status, 201)
    const r = await runHumcli(['balance'], {
      HOME: home.home,
      HUMCLI_API_URL: s.url,
      HUMCLI_API_KEY: agent.key,
    })
    assertOk(r)
    assert.deepEqual(lines(r.stdout), [
      'deposit balance  $0.00',
      'in escrow        $0.00',
      'tier             SANDBOX (simulated operators, no money moves)',
      'limits           50 tasks a day, $10.00 reward per task',
      'today (UTC)      1 of 50 tasks; resets at 00:00 UTC',
      'To lift the sandbox limits, open the link in the verification email (VERIFIED: real operators).',
    ])
  })

  test('tasks list into a pipe closed early (`| head`) ends quietly with status 0', async () => {
    const s = server()
    s.clock.set(new Date())
    const agent = await newAgent(s)
    for (let i = 0; i < 20; i++) await agent.api.post('/tasks', taskBody(s, { reward_usd: 1 }))
    const env = humcliEnv({ HOME: home.home, HUMCLI_API_URL: s.url, HUMCLI_API_KEY: agent.key })
    const child = spawn(process.execPath, [HUMCLI_BIN, 'tasks', 'list', '--limit', '20'], { env })
    child.stdout.destroy() // the reader is gone before anything is written, as with `| head -0`
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)))
    assert.equal(stderr, '')
    assert.equal(code, 0)
  })
})

forEachDialect('humcli admin and migrate name their database and never invent one', (dialect) => {
  test('refused without --create (nothing made); with --create made; then said on every run', async (t) => {
    const db = await freshDatabase(dialect)
    t.after(() => db.drop())
    const env = { ...dbEnv(db), LOG_LEVEL: 'warn' }
    const where =
      dialect === 'sqlite'
        ? `SQLite ${db.databaseUrl.replace(/^sqlite:/, '')}`
        : `PostgreSQL .*, schema ${db.databaseSchema}`
    const [check, migrate] = await Promise.all([
      runHumcli(['admin', 'ledger-check'], env),
      runHumcli(['migrate'], env),
    ])
    for (const r of [check, migrate]) {
      assertFails(
        r,
        78,
        new RegExp(`^humcli: no humcli database at ${where}\\. .*add --create to make a new empty one`),
      )
    }
    if (dialect === 'sqlite') assert.deepEqual(fs.readdirSync(db.dir), [], 'no file made')
    const created = await runHumcli(['migrate', '--create'], env)
    assertOk(created)
    assert.equal(created.stdout, `database schema is up to date (${dialect})\n`)
    assert.match(created.stderr, new RegExp(`^humcli: database ${where}\n$`))
    const again = await runHumcli(['admin', 'ledger-check'], env)
    assertOk(again)
    assert.match(again.stderr, new RegExp(`^humcli: database ${where}\n$`))
    assert.match(again.stdout, /^ledger OK/)
  })
})

test('serve on a busy port says so and names PORT and --port (exit 78)', async (t) => {
  const blocker = net.createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.after(() => blocker.close())
  const port = (blocker.address() as net.AddressInfo).port
  const db = await freshDatabase('sqlite')
  t.after(() => db.drop())
  const r = await runHumcli(['serve', '--port', String(port)], { ...dbEnv(db), LOG_LEVEL: 'warn' })
  assertFails(
    r,
    78,
    new RegExp(
      `^humcli: port ${port} on 127\\.0\\.0\\.1 is already in use .*PORT=${port + 1}.*serve --port ${port + 1}`,
    ),
  )
})
