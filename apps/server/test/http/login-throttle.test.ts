/**
 * Per-account login limits (issue 16, item 9). Requests come from different loopback source
 * addresses (127.0.0.2, .3, …) to the server on 127.0.0.1, so the server sees different clients.
 * Guessing from one address slows it down exponentially; guessing from many exhausts an hourly
 * account budget that then refuses new addresses but never one the owner signed in from.
 */
import assert from 'node:assert/strict'
import http from 'node:http'
import { before, test } from 'node:test'
import { newOperator, type OperatorFixture } from '../helpers/fixtures.ts'
import { forEachDialect, type TestServer, useServer } from '../helpers/harness.ts'
import { captureLog } from '../helpers/log.ts'

interface Answer {
  status: number
  retryAfter: string | undefined
  body: { code?: string; error?: string; token?: string }
}

/** POST /operator/login from a chosen loopback source address. */
function login(s: TestServer, from: string, email: string, password: string): Promise<Answer> {
  const payload = JSON.stringify({ email, password })
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${s.url}/api/v1/operator/login`,
      {
        method: 'POST',
        localAddress: from,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        let text = ''
        res.on('data', (d) => (text += d))
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            retryAfter: res.headers['retry-after'] as string | undefined,
            body: JSON.parse(text),
          }),
        )
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

const WRONG = 'not the password at all'

forEachDialect('login limits per account', (dialect) => {
  const captured = captureLog()
  const server = useServer(
    dialect,
    { loginFreeFailures: 5, loginAccountFailuresPerHour: 12 },
    { log: captured.log },
  )
  let op: OperatorFixture
  before(async () => {
    op = await newOperator(server())
  })

  test('one address guessing one account backs off exponentially; the owner elsewhere is not locked out', async () => {
    const s = server()
    for (let i = 0; i < 5; i++) assert.equal((await login(s, '127.0.0.2', op.email, WRONG)).status, 401)
    const sixth = await login(s, '127.0.0.2', op.email, WRONG)
    assert.equal(sixth.status, 429, JSON.stringify(sixth.body))
    assert.equal(sixth.body.code, 'RATE_LIMITED')
    assert.equal(sixth.retryAfter, '1')
    // Even the right password waits: the limit is checked before the password.
    assert.equal((await login(s, '127.0.0.2', op.email, op.password)).status, 429)
    // The owner, from another address, signs in at once.
    const owner = await login(s, '127.0.0.1', op.email, op.password)
    assert.equal(owner.status, 200, JSON.stringify(owner.body))
    // After the wait, one more guess; then the wait doubles.
    s.clock.advance(1_000)
    assert.equal((await login(s, '127.0.0.2', op.email, WRONG)).status, 401)
    const next = await login(s, '127.0.0.2', op.email, WRONG)
    assert.equal([next.status, next.retryAfter].join(' '), '429 2')
    s.clock.advance(2_000)
    assert.equal((await login(s, '127.0.0.2', op.email, op.password)).status, 200)
    // Success clears the address's failures.
    for (let i = 0; i < 5; i++) assert.equal((await login(s, '127.0.0.2', op.email, WRONG)).status, 401)
    assert.equal((await login(s, '127.0.0.2', op.email, op.password)).status, 429)
  })

  test('many addresses exhaust the account budget: new addresses wait, the owner’s address does not', async () => {
    const s = server()
    s.clock.advance(2 * 3_600_000) // a new hour: earlier failures no longer count
    const victim = await newOperator(s)
    assert.equal((await login(s, '127.0.0.1', victim.email, victim.password)).status, 200)
    for (const from of ['127.0.0.3', '127.0.0.4', '127.0.0.5'])
      for (let i = 0; i < 4; i++) assert.equal((await login(s, from, victim.email, WRONG)).status, 401)
    const stranger = await login(s, '127.0.0.6', victim.email, victim.password)
    assert.equal(stranger.status, 429, JSON.stringify(stranger.body))
    assert.match(stranger.body.error!, /address you used before/)
    assert.ok(Number(stranger.retryAfter) > 0 && Number(stranger.retryAfter) <= 3600)
    const owner = await login(s, '127.0.0.1', victim.email, victim.password)
    assert.equal(owner.status, 200, 'the owner is never locked out from an address they used')
    s.clock.advance(3_600_000 + 1_000)
    assert.equal((await login(s, '127.0.0.6', victim.email, victim.password)).status, 200)
  })

  test('an email without an account is limited the same way (no account oracle)', async () => {
    const s = server()
    const ghost = 'nobody-here@example.com'
    for (let i = 0; i < 5; i++) assert.equal((await login(s, '127.0.0.7', ghost, WRONG)).status, 401)
    assert.equal((await login(s, '127.0.0.7', ghost, WRONG)).status, 429)
  })

  test('attempts are logged with account, address and outcome, never the password', async () => {
    const entries = captured.lines.map((l) => JSON.parse(l)).filter((e) => e.login)
    const outcomes = new Set(entries.map((e) => e.login.outcome))
    assert.deepEqual([...outcomes].sort(), ['failure', 'success', 'throttled'])
    assert.ok(entries.some((e) => e.login.email === op.email && e.login.ip === '127.0.0.2'))
    const all = captured.lines.join('')
    assert.ok(!all.includes(WRONG) && !all.includes(op.password), 'no password in the log')
  })
})
