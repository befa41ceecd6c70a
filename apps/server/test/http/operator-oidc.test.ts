/**
 * Operator tokens from an external OpenID issuer (spec §2): a real local identity provider serves
 * a JWKS; its tokens are sent to the real endpoints. The first valid token of a subject creates the
 * operator; bad tokens are 401 with a sentence, never a 500; the provider being down is a 503.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { SignJWT, UnsecuredJWT } from 'jose'
import { provisionExternalOperator } from '../../src/operators/provision-external-operator.ts'
import { client, request } from '../helpers/api.ts'
import { createTask, newAgent, newOperator } from '../helpers/fixtures.ts'
import { forEachDialect, startTestServer, type TestServer, useServer } from '../helpers/harness.ts'
import { startTestIssuer, type TestIssuer } from '../helpers/oidc-issuer.ts'
import { assertErrorEnvelope } from './refusal-checks.ts'

const idp: TestIssuer = await startTestIssuer()
after(() => idp.close())

const newSub = () => `user_${randomBytes(6).toString('hex')}`
const me = (s: TestServer, token: string) => request(s.url, 'GET', '/operator/me', { token })
const rowsOf = (s: TestServer, sub: string) =>
  s.ctx.store.db
    .selectFrom('operators')
    .selectAll()
    .where('external_subject', '=', `${idp.issuer}|${sub}`)
    .execute()

forEachDialect('operators signing in through an external OpenID issuer', (dialect) => {
  const server = useServer(dialect, { oidc: idp.oidc })

  test('the first token creates the operator; later tokens of the subject (any key) are the same one', async () => {
    const s = server()
    const sub = newSub()
    const first = await me(s, await idp.sign(sub, s.clock.now(), { email: `${sub}@Example.COM` }))
    assert.equal(first.status, 200, first.text)
    assert.match(first.body.operator_id, /^op_/)
    assert.equal(first.body.email, `${sub}@example.com`)
    assert.equal(first.body.name, `User ${sub}`)
    assert.equal(first.body.kyc_status, 'APPROVED')

    s.clock.advance(30_000)
    const again = await me(s, await idp.sign(sub, s.clock.now(), {}, { key: 'es256' }))
    assert.equal(again.status, 200, again.text)
    assert.equal(again.body.operator_id, first.body.operator_id)

    const rows = await rowsOf(s, sub)
    assert.equal(rows.length, 1)
    assert.equal(rows[0]!.id, first.body.operator_id)
    assert.equal(rows[0]!.password_hash, null, 'no password: only the identity provider signs this one in')

    // Password login for that email fails exactly like a wrong password, and does not crash.
    const pw = await newOperator(s)
    const wrong = await client(s.url).post('/operator/login', {
      email: pw.email,
      password: 'not the password',
    })
    const noPassword = await client(s.url).post('/operator/login', {
      email: `${sub}@example.com`,
      password: 'not the password',
    })
    assertErrorEnvelope(noPassword, 401, 'UNAUTHORIZED')
    assert.equal(noPassword.body.error, wrong.body.error)
  })

  test('without a name claim the name comes from given/family name, else "Operator" (never the email)', async () => {
    const s = server()
    const a = newSub()
    const b = newSub()
    const given = await me(
      s,
      await idp.sign(a, s.clock.now(), { name: undefined, given_name: 'Ana', family_name: 'Lima' }),
    )
    assert.equal(given.body.name, 'Ana Lima')
    const none = await me(s, await idp.sign(b, s.clock.now(), { name: undefined }))
    assert.equal(none.body.name, 'Operator')
  })

  test('ten concurrent first requests of a new subject create exactly one operator', async () => {
    const s = server()
    const sub = newSub()
    const tokens = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        idp.sign(sub, s.clock.now(), {}, { key: i % 2 ? 'es256' : 'rs256' }),
      ),
    )
    const answers = await Promise.all(tokens.map((t) => me(s, t)))
    for (const r of answers) assert.equal(r.status, 200, r.text)
    assert.equal(new Set(answers.map((r) => r.body.operator_id)).size, 1)
    assert.equal((await rowsOf(s, sub)).length, 1)
  })

  test('ten simultaneous provisions of one identity (all past the lookup before any insert) agree on one operator', async () => {
    // Over HTTP the requests above rarely overlap that closely; calling the verb directly makes
    // every lookup run before the first insert, so nine inserts hit the unique index.
    const s = server()
    const sub = newSub()
    const identity = {
      subject: `${idp.issuer}|${sub}`,
      email: `${sub}@example.com`,
      emailVerified: true,
      name: 'Racer',
    }
    const ids = await Promise.all(
      Array.from({ length: 10 }, () => provisionExternalOperator(s.ctx, identity)),
    )
    assert.equal(new Set(ids).size, 1)
    assert.equal((await rowsOf(s, sub)).length, 1)
  })

  test('bad tokens are 401 with a sentence and create nobody', async () => {
    const s = server()
    const now = s.clock.now()
    const iat = Math.floor(now.getTime() / 1000)
    const pw = await newOperator(s)
    const cases: [string, string, string, RegExp][] = []
    const add = async (what: string, sub: string, token: Promise<string> | string, says: RegExp) =>
      cases.push([what, sub, await token, says])

    let sub = newSub()
    await add('expired', sub, idp.sign(sub, now, {}, { ttlS: -60 }), /has expired/)
    sub = newSub()
    await add('no expiry', sub, idp.sign(sub, now, {}, { ttlS: null }), /"exp" claim is missing/)
    sub = newSub()
    await add('wrong audience', sub, idp.sign(sub, now, { aud: 'another-app' }), /"aud" claim/)
    sub = newSub()
    await add(
      'unknown issuer',
      sub,
      idp.sign(sub, now, { iss: 'https://evil.example' }),
      /issuer this server does not accept/,
    )
    sub = newSub()
    await add('a key not in the JWKS', sub, idp.sign(sub, now, {}, { key: 'stranger' }), /signature/)
    sub = newSub()
    await add(
      'a key not in the JWKS, with a kid that is',
      sub,
      idp.sign(sub, now, {}, { key: 'stranger', kid: 'rs-1' }),
      /signature/,
    )
    sub = newSub()
    await add(
      'alg none',
      sub,
      new UnsecuredJWT({ email: `${sub}@example.com` })
        .setIssuer(idp.issuer)
        .setAudience(idp.audience)
        .setSubject(sub)
        .setIssuedAt(iat)
        .setExpirationTime(iat + 60)
        .encode(),
      /algorithm/,
    )
    sub = newSub()
    await add(
      'HS256 with a guessed secret',
      sub,
      new SignJWT({ email: `${sub}@example.com` })
        .setProtectedHeader({ alg: 'HS256', kid: 'rs-1' })
        .setIssuer(idp.issuer)
        .setAudience(idp.audience)
        .setSubject(sub)
        .setIssuedAt(iat)
        .setExpirationTime(iat + 60)
        .sign(new TextEncoder().encode('secret')),
      /algorithm/,
    )
    sub = newSub()
    await add(
      "HS256 claiming to be the server's own token",
      sub,
      new SignJWT({ role: 'operator' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('humcli')
        .setAudience('humcli:operator')
        .setSubject(pw.id)
        .setIssuedAt(iat)
        .setExpirationTime(iat + 60)
        .sign(new TextEncoder().encode('secret')),
      /invalid or expired/,
    )
    await add('no subject', '', idp.sign('', now), /"sub" claim/)
    await add('not a JWT', '', 'not.a.jwt', /invalid or expired/)

    for (const [what, caseSub, token, says] of cases) {
      const r = await me(s, token)
      assertErrorEnvelope(r, 401, 'UNAUTHORIZED')
      assert.match(r.body.error, says, `${what}: ${r.body.error}`)
      if (caseSub) assert.equal((await rowsOf(s, caseSub)).length, 0, `${what} created an operator`)
    }
  })

  test('no email claim, or an unverified one: 403 saying the issuer must include a verified email', async () => {
    const s = server()
    const a = newSub()
    const missing = await me(s, await idp.sign(a, s.clock.now(), { email: undefined }))
    assertErrorEnvelope(missing, 403, 'FORBIDDEN')
    assert.match(missing.body.error, /no "email" claim/)
    const b = newSub()
    const unverified = await me(s, await idp.sign(b, s.clock.now(), { email_verified: false }))
    assertErrorEnvelope(unverified, 403, 'FORBIDDEN')
    assert.match(unverified.body.error, /not verified/)
    assert.equal((await rowsOf(s, a)).length + (await rowsOf(s, b)).length, 0)
  })

  test('an email already registered with a password is never linked: 409, and the password account is untouched', async () => {
    const s = server()
    const pw = await newOperator(s)
    const sub = newSub()
    const r = await me(s, await idp.sign(sub, s.clock.now(), { email: pw.email.toUpperCase() }))
    assertErrorEnvelope(r, 409, 'CONFLICT')
    assert.match(r.body.error, /already registered for an operator who logs in with a password/)
    assert.equal((await rowsOf(s, sub)).length, 0)
    const row = await s.ctx.store.db
      .selectFrom('operators')
      .select(['external_subject'])
      .where('id', '=', pw.id)
      .executeTakeFirstOrThrow()
    assert.equal(row.external_subject, null)
    const login = await client(s.url).post('/operator/login', { email: pw.email, password: pw.password })
    assert.equal(login.status, 200, login.text)

    // Two subjects of the issuer with one email: the second is refused too.
    const first = newSub()
    const second = newSub()
    const email = `shared-${first}@example.com`
    assert.equal((await me(s, await idp.sign(first, s.clock.now(), { email }))).status, 200)
    const dup = await me(s, await idp.sign(second, s.clock.now(), { email }))
    assertErrorEnvelope(dup, 409, 'CONFLICT')
    assert.match(dup.body.error, /another operator account from an identity provider/)
  })

  test("the server's own login tokens still work next to external ones", async () => {
    const s = server()
    const op = await newOperator(s)
    const own = await op.api.get('/operator/me')
    assert.equal(own.status, 200, own.text)
    assert.equal(own.body.operator_id, op.id)
    const login = await client(s.url).post('/operator/login', { email: op.email, password: op.password })
    assert.equal((await me(s, login.body.token)).body.operator_id, op.id)
  })

  test('an external operator accepts a task like a password operator (KYC auto)', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const taskId = await createTask(s, agent)
    const api = client(s.url, { token: await idp.sign(newSub(), s.clock.now()) })
    const accepted = await api.post(`/operator/tasks/${taskId}/accept`, { estimate_hours: 1 })
    assert.equal(accepted.status, 200, accepted.text)
    assert.equal(accepted.body.status, 'ESTIMATE_PENDING')
    const mine = await api.get('/operator/tasks/mine')
    assert.deepEqual(
      mine.body.data.map((t: { task_id: string }) => t.task_id),
      [taskId],
    )
  })

  test('on an agent endpoint a valid external token is the wrong role (403) and creates nobody; a bad one is 401', async () => {
    const s = server()
    const sub = newSub()
    const wrongRole = await request(s.url, 'GET', '/agents/me', {
      token: await idp.sign(sub, s.clock.now()),
    })
    assertErrorEnvelope(wrongRole, 403, 'FORBIDDEN')
    assert.equal((await rowsOf(s, sub)).length, 0)
    const dead = await request(s.url, 'GET', '/agents/me', {
      token: await idp.sign(sub, s.clock.now(), {}, { ttlS: -60 }),
    })
    assertErrorEnvelope(dead, 401, 'UNAUTHORIZED')
  })
})

describe('external tokens when no OpenID issuer is configured', () => {
  let s: TestServer
  before(async () => {
    s = await startTestServer('sqlite')
  })
  after(() => s.close())

  test('a perfectly signed external token is 401; own tokens work', async () => {
    const r = await me(s, await idp.sign(newSub(), s.clock.now()))
    assertErrorEnvelope(r, 401, 'UNAUTHORIZED')
    assert.match(
      r.body.error,
      /issuer this server does not accept: log in with POST \/api\/v1\/operator\/login/,
    )
    const op = await newOperator(s)
    assert.equal((await op.api.get('/operator/me')).status, 200)
  })
})

describe('the identity provider cannot be reached', () => {
  test('a JWKS address where nothing listens: 503 with a sentence, not a 500', async () => {
    const probe = http.createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as AddressInfo).port
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    const s = await startTestServer('sqlite', {
      oidc: { ...idp.oidc, jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json` },
    })
    try {
      const r = await me(s, await idp.sign(newSub(), s.clock.now()))
      assertErrorEnvelope(r, 503, 'UNAVAILABLE')
      assert.match(r.body.error, /identity provider could not be reached/)
    } finally {
      await s.close()
    }
  })

  test('a JWKS endpoint answering 500 is a 503; once it recovers the same token works', async () => {
    const flaky = await startTestIssuer()
    const s = await startTestServer('sqlite', { oidc: flaky.oidc })
    try {
      flaky.status = 500
      const token = await flaky.sign(newSub(), s.clock.now())
      const down = await me(s, token)
      assertErrorEnvelope(down, 503, 'UNAVAILABLE')
      flaky.status = 200
      const up = await me(s, token)
      assert.equal(up.status, 200, up.text)
      assert.equal(flaky.fetches, 2)
    } finally {
      await s.close()
      await flaky.close()
    }
  })
})
