import assert from 'node:assert/strict'
import { test } from 'node:test'
import { TRANSITIONS } from '../../src/domain/lifecycle.ts'
import { client } from '../helpers/api.ts'
import { newAgent } from '../helpers/fixtures.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'

forEachDialect('platform endpoints', (dialect) => {
  const server = useServer(dialect)

  test('health, readiness and request ids', async () => {
    const s = server()
    const h = await fetch(`${s.url}/healthz`)
    assert.equal(h.status, 200)
    const r = await fetch(`${s.url}/readyz`)
    assert.deepEqual(await r.json(), { status: 'ready', database: dialect })
    assert.match(r.headers.get('x-request-id') ?? '', /^req_[0-9a-f]{24}$/)
    const missing = await client(s.url).get('/nope')
    assert.equal(missing.status, 404)
    assert.equal(missing.body.code, 'NOT_FOUND')
    assert.equal(missing.body.request_id, missing.headers.get('x-request-id'))
  })

  test('OpenAPI 3.1 document lists every public route with its security and the lifecycle table', async () => {
    const s = server()
    const doc = (await client(s.url).get('/openapi.json')).body
    assert.equal(doc.openapi, '3.1.0')
    const paths = Object.keys(doc.paths)
    for (const p of [
      '/api/v1/tasks',
      '/api/v1/tasks/{id}',
      '/api/v1/tasks/{id}/estimate/approve',
      '/api/v1/tasks/{id}/verify',
      '/api/v1/tasks/{id}/cancel',
      '/api/v1/agents/register',
      '/api/v1/agents/balance',
      '/api/v1/operator/tasks/{id}/accept',
      '/api/v1/operator/tasks/{id}/proof',
      '/api/v1/admin/tasks/{id}/resolve',
    ]) {
      assert.ok(paths.includes(p), `missing ${p}`)
    }
    assert.deepEqual(doc.paths['/api/v1/tasks'].post.security, [{ apiKey: [] }])
    assert.equal(
      doc.paths['/api/v1/tasks'].post.requestBody.content['application/json'].schema.additionalProperties,
      false,
    )
    for (const [from, to] of Object.entries(TRANSITIONS)) {
      assert.ok(doc.info.description.includes(`| ${from} | ${to.length ? to.join(', ') : '(final)'} |`), from)
    }
  })
})

forEachDialect('rate limiting', (dialect) => {
  const server = useServer(dialect, { rateLimitPerMinute: 5 })

  test('per API key: RateLimit headers, then 429 with Retry-After and our envelope; other keys unaffected', async () => {
    const s = server()
    const a = await newAgent(s)
    const b = await newAgent(s)
    const first = await a.api.get('/agents/balance')
    assert.equal(first.headers.get('ratelimit-limit'), '5')
    assert.equal(first.headers.get('ratelimit-remaining'), '4')
    for (let i = 0; i < 4; i++) assert.equal((await a.api.get('/agents/balance')).status, 200)
    const limited = await a.api.get('/agents/balance')
    assert.equal(limited.status, 429)
    assert.equal(limited.body.code, 'RATE_LIMITED')
    assert.ok(Number(limited.headers.get('retry-after')) > 0)
    assert.match(limited.body.error, /Retry-After/)
    assert.equal((await b.api.get('/agents/balance')).status, 200)
  })
})

forEachDialect('per-address limits on the anonymous endpoints', (dialect) => {
  // The general limit is off here: the per-address ones stand on their own.
  const server = useServer(dialect, {
    rateLimitPerMinute: 0,
    signupRateLimitPerMinute: 3,
    loginRateLimitPerMinute: 2,
  })

  test('registration: a made-up X-API-Key or Bearer header does not buy a fresh allowance', async () => {
    const s = server()
    const anon = client(s.url)
    const fakes: Record<string, string>[] = [
      {},
      { 'x-api-key': 'ho_live_made_up_1' },
      { authorization: 'Bearer made-up-2' },
      { 'x-api-key': 'ho_live_made_up_3' },
      { authorization: 'Bearer made-up-4' },
    ]
    for (const path of ['/agents/register', '/operator/register']) {
      const statuses: number[] = []
      for (const [i, headers] of fakes.entries()) {
        const email = `bot-${i}-${Date.now()}@example.com`
        const body = path.startsWith('/agents')
          ? { name: `bot ${i}`, email }
          : { name: `op ${i}`, email, password: 'a long password' }
        const r = await anon.call('POST', path, { body, headers })
        statuses.push(r.status)
        if (r.status === 429) assert.equal(r.body.code, 'RATE_LIMITED')
      }
      assert.deepEqual(statuses, [201, 201, 201, 429, 429], path)
    }
  })

  test('login: limited per address whatever Authorization header is sent', async () => {
    const s = server()
    const anon = client(s.url)
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      const r = await anon.call('POST', '/operator/login', {
        body: { email: 'nobody@example.com', password: 'wrong password' },
        headers: { authorization: `Bearer guess-${i}` },
      })
      statuses.push(r.status)
    }
    assert.deepEqual(statuses, [401, 401, 429, 429])
  })
})
