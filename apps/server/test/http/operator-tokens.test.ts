/**
 * Our own operator tokens (issue 16, item 8): a token signed with this server's key is accepted
 * only with `exp`, `iat`, `iss`, `aud` and `sub` of an operator that exists. Each forged token is
 * signed with the server's real private key, so only the claim under test is wrong.
 */
import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import { SignJWT } from 'jose'
import { request } from '../helpers/api.ts'
import { newOperator, type OperatorFixture } from '../helpers/fixtures.ts'
import { forEachDialect, type TestServer, useServer } from '../helpers/harness.ts'
import { assertErrorEnvelope } from './refusal-checks.ts'

interface Claims {
  sub?: string
  iss?: string
  aud?: string
  iat?: number
  exp?: number
}

async function sign(s: TestServer, claims: Claims): Promise<string> {
  const jwt = new SignJWT({ role: 'operator' }).setProtectedHeader({ alg: 'EdDSA' })
  if (claims.sub !== undefined) jwt.setSubject(claims.sub)
  if (claims.iss !== undefined) jwt.setIssuer(claims.iss)
  if (claims.aud !== undefined) jwt.setAudience(claims.aud)
  if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat)
  if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp)
  return jwt.sign(s.ctx.secrets.jwtPrivateKey)
}

/** Every operator operation of the served API document, with `{id}` filled by a made-up id. */
async function operatorOperations(s: TestServer): Promise<{ method: string; path: string }[]> {
  const doc = (await request(s.url, 'GET', '/openapi.json')).body as {
    paths: Record<string, Record<string, { security?: Record<string, unknown>[] }>>
  }
  const out: { method: string; path: string }[] = []
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (!op.security?.some((s) => 'bearer' in s) || !path.startsWith('/api/v1/operator/')) continue
      out.push({ method: method.toUpperCase(), path: path.replace('/api/v1', '').replace('{id}', 'task_x') })
    }
  }
  return out
}

forEachDialect('operator tokens', (dialect) => {
  const server = useServer(dialect)
  let op: OperatorFixture
  let good: Claims
  before(async () => {
    op = await newOperator(server())
    const now = Math.floor(server().clock.now().getTime() / 1000)
    good = { sub: op.id, iss: 'humcli', aud: 'humcli:operator', iat: now, exp: now + 600 }
  })

  test('a token with every claim works (the control row)', async () => {
    const r = await request(server().url, 'GET', '/operator/earnings', { token: await sign(server(), good) })
    assert.equal(r.status, 200, r.text)
  })

  for (const missing of ['exp', 'iat', 'iss', 'aud', 'sub'] as const) {
    test(`a token without \`${missing}\` is 401`, async () => {
      const claims = { ...good, [missing]: undefined }
      const r = await request(server().url, 'GET', '/operator/earnings', {
        token: await sign(server(), claims),
      })
      assertErrorEnvelope(r, 401, 'UNAUTHORIZED')
    })
  }

  test('a token issued in the future, or older than the token lifetime, is 401', async () => {
    const ttl = server().ctx.config.operatorTokenTtlS
    for (const iat of [good.iat! + 3600, good.iat! - ttl - 120]) {
      const r = await request(server().url, 'GET', '/operator/earnings', {
        token: await sign(server(), { ...good, iat, exp: good.exp! + 3 * ttl }),
      })
      assertErrorEnvelope(r, 401, 'UNAUTHORIZED')
    }
  })

  test('a validly signed token of an operator that does not exist is 401 on every operator endpoint', async () => {
    const ghost = await sign(server(), { ...good, sub: 'op_doesnotexist' })
    const ops = await operatorOperations(server())
    assert.ok(ops.length >= 12, `operator operations found: ${ops.length}`)
    for (const { method, path } of ops) {
      const r = await request(server().url, method, path, {
        token: ghost,
        body: method === 'GET' ? undefined : {},
      })
      assert.equal(r.status, 401, `${method} ${path}: ${r.text}`)
      assertErrorEnvelope(r, 401, 'UNAUTHORIZED')
    }
  })

  test('a ghost operator token is not a live credential of another role either (401, not 403)', async () => {
    const ghost = await sign(server(), { ...good, sub: 'op_doesnotexist' })
    const r = await request(server().url, 'GET', '/agents/me', { token: ghost })
    assertErrorEnvelope(r, 401, 'UNAUTHORIZED')
  })
})
