import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import {
  Humcli,
  type HumcliError,
  HumcliNetworkError,
  HumcliTimeoutError,
  parseRetryAfter,
  type Timers,
} from '@humcli/sdk'
import { newAgent, taskBody } from '../helpers/fixtures.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'
import { freePort } from '../helpers/receiver.ts'

interface Seen {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  body: string
}
type Answer =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | 'reset'
  | 'hang'
  | ((seen: Seen) => Promise<{ status: number; body: string; headers: Record<string, string> }>)

/** A real local HTTP server that answers from a script, one entry per request, and records them. */
async function scriptedServer() {
  const seen: Seen[] = []
  let script: Answer[] = []
  const open = new Set<http.ServerResponse>()
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      const s = {
        method: req.method!,
        path: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      }
      seen.push(s)
      const answer = script.shift() ?? { status: 200, body: { ok: true } }
      if (answer === 'reset') return req.socket.destroy()
      if (answer === 'hang') return void open.add(res)
      const a = typeof answer === 'function' ? await answer(s) : answer
      const body = typeof a.body === 'string' ? a.body : JSON.stringify(a.body ?? {})
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers })
      res.end(body)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    seen,
    play(...answers: Answer[]) {
      script = answers
      seen.length = 0
    },
    close: () =>
      new Promise<void>((r) => {
        for (const res of open) res.destroy()
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

/** Timers that never wait: each sleep is recorded and moves a fake clock. */
function fakeTimers(random = 0.5) {
  const sleeps: number[] = []
  let now = Date.parse('2026-06-01T12:00:00Z')
  const timers: Timers = {
    now: () => now,
    random: () => random,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted()
      sleeps.push(ms)
      now += ms
    },
  }
  return { timers, sleeps }
}

const envelope = (status: number, code: string, error = `${code} happened`) => ({
  status,
  body: { error, code, request_id: `req_${status}` },
})

const TASK = {
  title: 't',
  description: 'd',
  task_type: 'PHOTO' as const,
  reward_usd: 1,
  deadline: '2030-01-01T00:00:00.000Z',
  proof_requirements: ['a photo'],
}

describe('SDK retries against a scripted local server', () => {
  let srv: Awaited<ReturnType<typeof scriptedServer>>
  before(async () => {
    srv = await scriptedServer()
  })
  after(() => srv.close())
  const client = (extra: ConstructorParameters<typeof Humcli>[0] = {}) => {
    const t = fakeTimers()
    return {
      sleeps: t.sleeps,
      humcli: new Humcli({ apiKey: 'ho_live_test', baseUrl: srv.url, timers: t.timers, ...extra }),
    }
  }

  test('create: 429 with Retry-After, then 503, then 201 — one Idempotency-Key on every attempt', async () => {
    const { humcli, sleeps } = client()
    srv.play(
      { status: 429, body: envelope(429, 'RATE_LIMITED').body, headers: { 'retry-after': '2' } },
      envelope(503, 'INTERNAL'),
      { status: 201, body: { task_id: 'task_1', status: 'PENDING' } },
    )
    const created = await humcli.tasks.create(TASK)
    assert.equal(created.task_id, 'task_1')
    assert.equal(srv.seen.length, 3)
    const keys = srv.seen.map((s) => s.headers['idempotency-key'])
    assert.match(keys[0] as string, /^[0-9a-f-]{36}$/)
    assert.deepEqual(keys, [keys[0], keys[0], keys[0]])
    assert.deepEqual(
      srv.seen.map((s) => s.body),
      Array(3).fill(JSON.stringify(TASK)),
    )
    // Retry-After (2 s) beats the jittered backoff; then full jitter: random × min(max, 500 × 2¹).
    assert.deepEqual(sleeps, [2000, 500])
  })

  test('a second logical create gets a new key; an explicit key is sent as given', async () => {
    const { humcli } = client()
    srv.play({ status: 201 }, { status: 201 }, { status: 201 })
    await humcli.tasks.create(TASK)
    await humcli.tasks.create(TASK)
    await humcli.tasks.create(TASK, { idempotencyKey: 'mine-1' })
    const [a, b, c] = srv.seen.map((s) => s.headers['idempotency-key'])
    assert.notEqual(a, b)
    assert.equal(c, 'mine-1')
  })

  test('verify, cancel and deposit carry an Idempotency-Key and are retried; GET and DELETE are retried', async () => {
    const { humcli } = client()
    const calls: Array<[() => Promise<unknown>, string, string]> = [
      [() => humcli.tasks.verify('task_1', { decision: 'APPROVE' }), 'POST', '/api/v1/tasks/task_1/verify'],
      [() => humcli.tasks.cancel('task_1'), 'POST', '/api/v1/tasks/task_1/cancel'],
      [() => humcli.deposit({ tx_hash: '0xab' }), 'POST', '/api/v1/agents/deposit/usdc'],
      [() => humcli.tasks.get('task_1'), 'GET', '/api/v1/tasks/task_1'],
      [() => humcli.keys.revoke('key_1'), 'DELETE', '/api/v1/agents/keys/key_1'],
      [() => humcli.tasks.retrieveCredential('task_1'), 'POST', '/api/v1/tasks/task_1/retrieve-credential'],
    ]
    for (const [call, method, path] of calls) {
      srv.play(envelope(502, 'INTERNAL'), { status: 200, body: { ok: true } })
      await call()
      assert.deepEqual(
        srv.seen.map((s) => [s.method, s.path]),
        [
          [method, path],
          [method, path],
        ],
      )
      const keyed = method === 'POST' && !path.endsWith('retrieve-credential')
      assert.equal(srv.seen[0]!.headers['idempotency-key'] !== undefined, keyed, path)
      assert.equal(srv.seen[0]!.headers['idempotency-key'], srv.seen[1]!.headers['idempotency-key'])
    }
    assert.equal(srv.seen[0]!.headers['x-api-key'], 'ho_live_test')
  })

  test('non-idempotent calls are never retried, not even on 429 or 503', async () => {
    const { humcli, sleeps } = client()
    const calls = [
      () => humcli.tasks.approveEstimate('task_1'),
      () => humcli.tasks.rejectEstimate('task_1', 'no'),
      () => humcli.keys.create('x'),
      () => humcli.webhooks.create({ url: 'https://example.com', events: ['*'] }),
      () => humcli.resendVerification(),
      () => humcli.wallet.challenge(),
      () => humcli.wallet.bind({ wallet_address: `0x${'1'.repeat(40)}`, signature: '0x', nonce: 'n' }),
      () => Humcli.register({ name: 'a', email: 'a@example.com' }, { baseUrl: srv.url }),
    ]
    for (const call of calls) {
      srv.play(envelope(503, 'INTERNAL'), { status: 200 })
      await assert.rejects(call(), (e: HumcliError) => e.status === 503 && e.code === 'INTERNAL')
      assert.equal(srv.seen.length, 1)
      srv.play({ status: 429, body: envelope(429, 'RATE_LIMITED').body, headers: { 'retry-after': '1' } })
      await assert.rejects(call(), (e: HumcliError) => e.status === 429 && e.retryAfterMs === 1000)
      assert.equal(srv.seen.length, 1)
    }
    assert.deepEqual(sleeps, [])
    assert.equal(srv.seen[0]!.headers['x-api-key'], undefined, 'register sends no key')
  })

  test('a dropped connection is retried for a GET and surfaces as a network error when it persists', async () => {
    const { humcli, sleeps } = client({ maxRetries: 2 })
    srv.play('reset', { status: 200, body: { task_id: 'task_1', status: 'PENDING' } })
    assert.equal((await humcli.tasks.get('task_1')).status, 'PENDING')
    assert.equal(srv.seen.length, 2)
    srv.play('reset', 'reset', 'reset')
    await assert.rejects(humcli.tasks.get('task_1'), (e: unknown) => {
      assert.ok(e instanceof HumcliNetworkError)
      assert.equal(e.kind, 'network')
      assert.match(
        e.message,
        /^Could not reach the humcli API at http:\/\/127\.0\.0\.1:\d+\/api\/v1 \(.+\)\.$/,
      )
      return true
    })
    assert.equal(srv.seen.length, 3)
    assert.deepEqual(sleeps, [250, 250, 500])
  })

  test('gives up after maxRetries and throws the last error; honours retry.baseDelayMs/maxDelayMs', async () => {
    const { humcli, sleeps } = client({ retry: { maxRetries: 4, baseDelayMs: 100, maxDelayMs: 300 } })
    srv.play(...Array(5).fill(envelope(500, 'INTERNAL')))
    await assert.rejects(humcli.balance(), (e: HumcliError) => e.status === 500 && e.requestId === 'req_500')
    assert.equal(srv.seen.length, 5)
    assert.deepEqual(sleeps, [50, 100, 150, 150])
  })

  test('Retry-After as an HTTP date; one longer than maxRetryAfterMs is not waited for', async () => {
    const t = fakeTimers()
    const humcli = new Humcli({ apiKey: 'k', baseUrl: srv.url, timers: t.timers })
    const in3s = new Date(t.timers.now() + 3000).toUTCString()
    srv.play({ status: 503, body: envelope(503, 'INTERNAL').body, headers: { 'retry-after': in3s } })
    await humcli.balance()
    assert.deepEqual(t.sleeps, [3000])
    srv.play({ status: 429, body: envelope(429, 'RATE_LIMITED').body, headers: { 'retry-after': '3600' } })
    await assert.rejects(humcli.balance(), (e: HumcliError) => e.retryAfterMs === 3_600_000)
    assert.equal(srv.seen.length, 1)
    assert.equal(parseRetryAfter('garbage', 0), null)
    assert.equal(parseRetryAfter('1.5', 0), 1500)
  })

  test('409 IDEMPOTENCY_IN_FLIGHT is retried for a keyed call; other 4xx are not', async () => {
    const { humcli } = client()
    srv.play(envelope(409, 'IDEMPOTENCY_IN_FLIGHT'), { status: 200, body: { task_id: 't' } })
    await humcli.tasks.cancel('t')
    assert.equal(srv.seen.length, 2)
    srv.play(envelope(409, 'INVALID_STATE'), { status: 200 })
    await assert.rejects(humcli.tasks.cancel('t'), (e: HumcliError) => e.code === 'INVALID_STATE')
    srv.play(envelope(404, 'NOT_FOUND'), { status: 200 })
    await assert.rejects(humcli.tasks.get('t'), (e: HumcliError) => e.status === 404)
    assert.equal(srv.seen.length, 1)
  })

  test('an answer that is not the API envelope or not JSON is still a typed error', async () => {
    const { humcli } = client({ maxRetries: 0 })
    srv.play({ status: 502, body: '<html>bad gateway</html>', headers: { 'content-type': 'text/html' } })
    await assert.rejects(humcli.balance(), (e: HumcliError) => e.code === 'HTTP_502' && e.kind === 'api')
    srv.play({ status: 200, body: '<html>hello</html>' })
    await assert.rejects(humcli.balance(), (e: HumcliError) => e.kind === 'invalid_response')
  })

  test('a request without an answer within timeoutMs is a timeout error', async () => {
    const humcli = new Humcli({ apiKey: 'k', baseUrl: srv.url, timeoutMs: 150, maxRetries: 0 })
    srv.play('hang')
    await assert.rejects(
      humcli.balance(),
      (e: unknown) => e instanceof HumcliTimeoutError && e.kind === 'timeout',
    )
  })

  test('an abort signal stops a call between retries', async () => {
    const controller = new AbortController()
    const humcli = new Humcli({
      apiKey: 'k',
      baseUrl: srv.url,
      timers: {
        sleep: async (_ms, signal) => {
          controller.abort(new Error('stopped by caller'))
          signal?.throwIfAborted()
        },
      },
    })
    srv.play(envelope(503, 'INTERNAL'), { status: 200 })
    await assert.rejects(humcli.balance({ signal: controller.signal }), /stopped by caller/)
    assert.equal(srv.seen.length, 1)
  })

  test('nothing listening: a network error naming the address', async () => {
    const port = await freePort()
    const { timers } = fakeTimers()
    const humcli = new Humcli({ apiKey: 'k', baseUrl: `http://127.0.0.1:${port}`, timers })
    await assert.rejects(humcli.me(), (e: unknown) => {
      assert.ok(e instanceof HumcliNetworkError)
      assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}/api/v1 \\(.*ECONNREFUSED`))
      return true
    })
  })
})

forEachDialect('SDK retries never duplicate a create (real server behind a lossy proxy)', (dialect) => {
  const server = useServer(dialect)

  test('429, then a 503 after the server created the task, then the replay: one task', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const proxy = await scriptedServer()
    try {
      const forward = async (seen: Seen) => {
        const res = await fetch(`${s.url}${seen.path}`, {
          method: seen.method,
          headers: {
            'content-type': 'application/json',
            'x-api-key': String(seen.headers['x-api-key']),
            'idempotency-key': String(seen.headers['idempotency-key']),
          },
          body: seen.body,
        })
        return {
          status: res.status,
          body: await res.text(),
          headers: { 'idempotent-replayed': res.headers.get('idempotent-replayed') ?? 'false' },
        }
      }
      proxy.play(
        { status: 429, body: envelope(429, 'RATE_LIMITED').body, headers: { 'retry-after': '1' } },
        // The server creates the task, but its answer is lost on the way back.
        async (seen) => {
          await forward(seen)
          return { status: 503, body: JSON.stringify(envelope(503, 'INTERNAL').body), headers: {} }
        },
        forward,
      )
      const { timers, sleeps } = fakeTimers()
      const humcli = new Humcli({ apiKey: agent.key, baseUrl: proxy.url, timers })
      const created = await humcli.tasks.create({ ...taskBody(s), task_type: 'PHOTO' })
      assert.equal(created.status, 'PENDING')
      assert.equal(proxy.seen.length, 3)
      assert.equal(sleeps[0], 1000)
      const list = await agent.api.get('/tasks')
      assert.equal(list.body.pagination.total, 1, 'exactly one task exists')
      assert.equal(list.body.data[0].task_id, created.task_id)
      const balance = await agent.api.get('/agents/balance')
      assert.deepEqual(balance.body, { deposit_balance: 84, escrow_balance: 16, currency: 'USD' })
    } finally {
      await proxy.close()
    }
  })
})
