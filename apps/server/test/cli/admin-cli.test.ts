import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { sql } from 'kysely'
import { loadConfig } from '../../src/config.ts'
import { base32Decode, totpCode, totpStep } from '../../src/domain/totp.ts'
import { createStore } from '../../src/store/db.ts'
import { type Client, client } from '../helpers/api.ts'
import {
  type CliResult,
  dbEnv,
  forEachDialect,
  freshDatabase,
  type HumcliServer,
  runHumcli,
  startHumcliServe,
  type TestDb,
} from '../helpers/harness.ts'

/** Each child compiles the sources with tsx on start: seconds on a busy machine. */
const START_MS = 60_000

const lines = (s: string) => s.split('\n').filter((l) => l.trim() !== '')

function assertOk(r: CliResult) {
  assert.equal(r.code, 0, `exit ${r.code} (signal ${r.signal})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`)
}

/** A failure is a non-zero exit with exactly one readable line on stderr and nothing on stdout. */
function assertFailsWith(r: CliResult, pattern: RegExp) {
  assert.ok(r.code !== 0 && r.code !== null, `expected a non-zero exit, got ${r.code} (signal ${r.signal})`)
  // Besides the line naming the database a command opened (test/cli/first-hour-cli.test.ts).
  const said = lines(r.stderr).filter((l) => !l.startsWith('humcli: database '))
  assert.equal(said.length, 1, `one line on stderr, got:\n${r.stderr}`)
  assert.match(said[0]!, pattern)
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace')
  assert.equal(r.stdout, '')
}

forEachDialect('humcli CLI against its database', (dialect) => {
  let db: TestDb
  let env: Record<string, string>
  let server: HumcliServer | undefined
  let anon: Client
  let admin: Client
  let agent: { id: string; api: Client }
  const humcli = (...args: string[]) => runHumcli(args, env)

  before(async () => {
    db = await freshDatabase(dialect)
    env = { ...dbEnv(db), LOG_LEVEL: 'warn' }
  })
  after(async () => {
    await server?.stop()
    await db?.drop()
  })

  // `serve` below migrates the same database again, which proves running it twice is harmless.
  test('migrate brings the schema up to date', async () => {
    const r = await humcli('migrate', '--create')
    assertOk(r)
    assert.equal(r.stdout.trim(), `database schema is up to date (${dialect})`)
    const store = createStore(loadConfig(env))
    try {
      const jobs = await store.db
        .selectFrom('jobs')
        .select(sql<bigint>`count(*)`.as('n'))
        .executeTakeFirstOrThrow()
      assert.equal(jobs.n, 0n)
    } finally {
      await store.close()
    }
  })

  test('serve prints the URL it listens on and serves the same database', async () => {
    server = await startHumcliServe({ ...env, PORT: '0' }, [], START_MS)
    const { stdout } = server.output()
    assert.match(stdout, /^humcli development server listening on http:\/\/127\.0\.0\.1:\d+\n/)
    assert.match(stdout, new RegExp(`API: +${server.url}/api/v1 `))
    const ready = await fetch(`${server.url}/readyz`)
    assert.deepEqual(await ready.json(), { status: 'ready', database: dialect })
    anon = client(server.url)
    const reg = await anon.post('/agents/register', {
      name: 'cli agent',
      email: `cli-${dialect}@example.com`,
    })
    assert.equal(reg.status, 201, reg.text)
    agent = { id: reg.body.agent_id, api: client(server.url, { key: reg.body.api_key }) }
  })

  test('admin create-token prints a token that works on the running server', async () => {
    const r = await humcli('admin', 'create-token', '--name', 'x')
    assertOk(r)
    assert.equal(lines(r.stdout).length, 1, 'stdout is the token alone, for scripts')
    const token = r.stdout.trim()
    assert.match(token, /^hadm_[A-Za-z0-9_-]{20,}$/)
    assert.match(r.stderr, /\(x\) created; it will not be shown again/)
    admin = client(server!.url, { token })
    const check = await admin.get('/admin/ledger-check')
    assert.equal(check.status, 200, check.text)
    assert.equal(check.body.ok, true)
    const forged = await client(server!.url, { token: `${token.slice(0, -2)}xx` }).get('/admin/ledger-check')
    assert.equal(forged.status, 401)
  })

  test('admin create-user prints a set-up link; the user enrols TOTP and signs in; a bad role is one line', async () => {
    const [r, bad] = await Promise.all([
      humcli('admin', 'create-user', '--email', `staff-${dialect}@example.com`, '--role', 'admin'),
      humcli('admin', 'create-user', '--email', 'x@example.com', '--role', 'boss'),
    ])
    assertOk(r)
    assertFailsWith(bad, /Unknown role "boss": use one of reviewer, admin\./)
    const link = r.stdout.trim()
    assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/admin\/setup#token=[A-Za-z0-9_-]+$/)
    assert.match(r.stderr, /\(staff-.*, admin\) created; the set-up link above works once/)
    const token = link.split('#token=')[1]!
    const setup = await anon.get(`/staff/setup?token=${token}`)
    assert.equal(setup.status, 200, setup.text)
    const secret = base32Decode(setup.body.totp_secret)
    const code = (step: number) => totpCode(secret, step)
    const now = totpStep(new Date())
    const done = await anon.post('/staff/setup', {
      token,
      password: 'a long staff password',
      totp_code: code(now),
    })
    assert.equal(done.status, 200, done.text)
    const login = await anon.post(
      '/staff/session',
      { email: `staff-${dialect}@example.com`, password: 'a long staff password', totp_code: code(now + 1) },
      { headers: { 'x-humcli-session': '1' } },
    )
    assert.equal(login.status, 200, login.text)
    const me = await client(server!.url, { token: login.body.token }).get('/staff/me')
    assert.equal(me.body.role, 'admin')
  })

  test('admin set-tier changes the tier; a bad tier or agent is one clear line and a non-zero exit', async () => {
    // Side by side, to spare a few seconds of start-up: the failures touch nothing.
    const [r, badTier, badAgent] = await Promise.all([
      humcli('admin', 'set-tier', agent.id, 'STANDARD'),
      humcli('admin', 'set-tier', agent.id, 'GOLD'),
      humcli('admin', 'set-tier', 'ag_doesnotexist', 'VERIFIED'),
    ])
    assertOk(r)
    assert.equal(r.stdout.trim(), `${agent.id} is now STANDARD`)
    assertFailsWith(badTier, /^humcli: Unknown tier "GOLD": use one of SANDBOX, VERIFIED, STANDARD\.$/m)
    assertFailsWith(badAgent, /Agent not found/)
    assert.equal((await agent.api.get('/agents/me')).body.tier, 'STANDARD')
  })

  test('admin credit funds the agent: GET /agents/balance shows it', async () => {
    const [r, notMoney, negative] = await Promise.all([
      humcli('admin', 'credit', agent.id, '100'),
      humcli('admin', 'credit', agent.id, 'lots'),
      humcli('admin', 'credit', agent.id, '--', '-5'),
    ])
    assertOk(r)
    assert.match(r.stdout, new RegExp(`^credited \\$100 to ${agent.id} \\(ledger transaction \\S+\\)\\n$`))
    // Exactly the one credit: the refused ones moved nothing.
    assert.deepEqual((await agent.api.get('/agents/balance')).body, {
      deposit_balance: 100,
      escrow_balance: 0,
      currency: 'USD',
    })
    assertFailsWith(notMoney, /"lots" is not an amount of US dollars/)
    assertFailsWith(negative, /greater than 0/)
  })

  test('admin ledger-check exits 0 on a healthy ledger and non-zero once a cached balance is corrupted', async () => {
    const healthy = await humcli('admin', 'ledger-check')
    assertOk(healthy)
    assert.match(healthy.stdout, /^ledger OK: \d+ transactions, \d+ accounts, all invariants hold\n$/)

    const account = `agent:${agent.id}:available`
    const store = createStore(loadConfig(env))
    try {
      await sql`update accounts set balance_micros = balance_micros + 1 where id = ${account}`.execute(
        store.db,
      )
    } finally {
      await store.close()
    }
    const broken = await humcli('admin', 'ledger-check')
    assert.equal(broken.code, 1, broken.stderr)
    assert.equal(broken.stdout, '')
    assert.deepEqual(lines(broken.stderr).slice(1), [
      `ledger problem: account ${account} caches 100000001 but its entries sum to 100000000`,
      'ledger check FAILED: 1 problem(s)',
    ])
    const viaHttp = await admin.get('/admin/ledger-check')
    assert.equal(viaHttp.body.ok, false)
  })
})

test('HUMCLI_ENV=production without HUMCLI_MASTER_KEY refuses to start, with a clear message', async (t) => {
  const db = await freshDatabase('sqlite')
  t.after(() => db.drop())
  const r = await runHumcli(['serve'], { ...dbEnv(db), HUMCLI_ENV: 'production', PORT: '0' })
  assertFailsWith(
    r,
    /^humcli: HUMCLI_MASTER_KEY is required when HUMCLI_ENV=production: .*openssl rand -hex 32/,
  )
  assert.equal(r.code, 78, 'EX_CONFIG')
})
