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
