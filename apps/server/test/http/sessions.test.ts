import assert from 'node:assert/strict'
import { test } from 'node:test'
import { revokeSubjectSessions } from '../../src/sessions/revoke-session.ts'
import { REUSE_GRACE_MS } from '../../src/sessions/rotate-session.ts'
import { request } from '../helpers/api.ts'
import { newOperator } from '../helpers/fixtures.ts'
import { forEachDialect, startTestServer, useServer } from '../helpers/harness.ts'

const H = { 'x-humcli-session': '1' }

/** The refresh cookie a reply sets: its value and attributes. */
function cookieOf(headers: Headers): { value: string; attrs: string } {
  const raw = headers.get('set-cookie') ?? ''
  const m = /^humcli_operator_session=([^;]*);(.*)$/.exec(raw)
  assert.ok(m, `no session cookie in "${raw}"`)
  return { value: m[1]!, attrs: m[2]! }
}

const withCookie = (value: string, extra: Record<string, string> = H) => ({
  ...extra,
  cookie: `other=1; humcli_operator_session=${value}`,
})

forEachDialect('browser sessions (refresh cookie)', (dialect) => {
  const server = useServer(dialect)

  async function signIn() {
    const s = server()
    const op = await newOperator(s)
    const r = await request(s.url, 'POST', '/operator/session', {
      body: { email: op.email, password: op.password },
      headers: H,
    })
    assert.equal(r.status, 200, r.text)
    return { op, access: r.body.token as string, cookie: cookieOf(r.headers) }
  }

  test('signing in sets an httpOnly, SameSite=Strict cookie scoped to the session endpoints', async () => {
    const { access, cookie } = await signIn()
    assert.match(cookie.value, /^hses_[A-Za-z0-9_-]{43}$/)
    assert.match(cookie.attrs, /Path=\/api\/v1\/operator\/session;/)
    assert.match(cookie.attrs, /HttpOnly/)
    assert.match(cookie.attrs, /SameSite=Strict/)
    assert.doesNotMatch(cookie.attrs, /Secure/, 'development serves plain http')
    const me = await request(server().url, 'GET', '/operator/me', { token: access })
    assert.equal(me.status, 200)
    // Only a hash is stored.
    const rows = await server().ctx.store.db.selectFrom('sessions').select('token_hash').execute()
    assert.ok(rows.every((r) => r.token_hash !== cookie.value && /^[0-9a-f]{64}$/.test(r.token_hash)))
  })

  test('a wrong password is the usual 401 and sets no cookie', async () => {
    const { op } = await signIn()
    const r = await request(server().url, 'POST', '/operator/session', {
      body: { email: op.email, password: 'not the password' },
      headers: H,
    })
    assert.equal(r.status, 401)
    assert.equal(r.headers.get('set-cookie'), null)
  })

  test('refresh gives a working access token and rotates the cookie; the old one then revokes the family', async () => {
    const s = server()
    const { cookie } = await signIn()
    const r1 = await request(s.url, 'POST', '/operator/session/refresh', {
      headers: withCookie(cookie.value),
    })
    assert.equal(r1.status, 200, r1.text)
    const next = cookieOf(r1.headers)
    assert.notEqual(next.value, cookie.value)
    assert.equal((await request(s.url, 'GET', '/operator/me', { token: r1.body.token })).status, 200)
    // The rotated-out token shown again, long after: a stolen copy. Both it and its successor stop working.
    s.clock.advance(REUSE_GRACE_MS + 1000)
    const reuse = await request(s.url, 'POST', '/operator/session/refresh', {
      headers: withCookie(cookie.value),
    })
    assert.equal(reuse.status, 401)
    assert.match(reuse.headers.get('set-cookie') ?? '', /Max-Age=0/)
    const successor = await request(s.url, 'POST', '/operator/session/refresh', {
      headers: withCookie(next.value),
    })
    assert.equal(successor.status, 401)
  })

  test('the rotated-out token shown again within the grace window (its answer was lost) gets a new token, the family lives', async () => {
    const s = server()
    const { cookie } = await signIn()
    const r1 = await request(s.url, 'POST', '/operator/session/refresh', {
      headers: withCookie(cookie.value),
    })
    assert.equal(r1.status, 200, r1.text)
    // The browser never stored r1's cookie (a reload mid-refresh): it shows the old one again.
    s.clock.advance(REUSE_GRACE_MS - 5000)
    const again = await request(s.url, 'POST', '/operator/session/refresh', {
      headers: withCookie(cookie.value),
    })
    assert.equal(again.status, 200, again.text)
    const sibling = cookieOf(again.headers)
    assert.notEqual(sibling.value, cookieOf(r1.headers).value)
    assert.equal((await request(s.url, 'GET', '/operator/me', { token: again.body.token })).status, 200)
    const onward = await request(s.url, 'POST', '/operator/session/refresh', {
      headers: withCookie(sibling.value),
    })
    assert.equal(onward.status, 200, onward.text)
    // Past the window, the same old token is a stolen copy again: the family ends.
    s.clock.advance(10_000)
    const late = await request(s.url, 'POST', '/operator/session/refresh', {
      headers: withCookie(cookie.value),
    })
    assert.equal(late.status, 401)
    const after = await request(s.url, 'POST', '/operator/session/refresh', {
      headers: withCookie(cookieOf(onward.headers).value),
    })
    assert.equal(after.status, 401)
  })

  test('the cookie alone is refused: the CSRF header and a same-origin Origin are required', async () => {
    const s = server()
    const { cookie } = await signIn()
    const noHeader = await request(s.url, 'POST', '/operator/session/refresh', {
      headers: withCookie(cookie.value, {}),
    })
    assert.equal(noHeader.status, 403)
    const foreign = await request(s.url, 'POST', '/operator/session/refresh', {
      headers: withCookie(cookie.value, { ...H, origin: 'https://evil.example' }),
    })
    assert.equal(foreign.status, 403)
    const same = await request(s.url, 'POST', '/operator/session/refresh', {
      headers: withCookie(cookie.value, { ...H, origin: s.url }),
    })
    assert.equal(same.status, 200, same.text)
    // A refresh cookie is no credential anywhere else.
    const me = await request(s.url, 'GET', '/operator/me', {
      headers: withCookie(cookieOf(same.headers).value),
    })
    assert.equal(me.status, 401)
  })

  test('logout and server-side revocation end the session', async () => {
    const s = server()
    const a = await signIn()
    const out = await request(s.url, 'POST', '/operator/session/logout', {
      headers: withCookie(a.cookie.value),
    })
    assert.equal(out.status, 204)
    assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0/)
    const after = await request(s.url, 'POST', '/operator/session/refresh', {
      headers: withCookie(a.cookie.value),
    })
    assert.equal(after.status, 401)

    const b = await signIn()
    assert.equal(await revokeSubjectSessions(s.ctx, 'operator', b.op.id), 1)
    const revoked = await request(s.url, 'POST', '/operator/session/refresh', {
      headers: withCookie(b.cookie.value),
    })
    assert.equal(revoked.status, 401)
  })

  test('a session expires after its lifetime without use', async () => {
    const s = server()
    const { cookie } = await signIn()
    s.clock.advance(s.ctx.config.sessionTtlMs + 1000)
    const r = await request(s.url, 'POST', '/operator/session/refresh', { headers: withCookie(cookie.value) })
    assert.equal(r.status, 401)
  })
})

test('in production the cookie is Secure', async () => {
  const s = await startTestServer('sqlite', { env: 'production', masterKey: 'a'.repeat(64) })
  try {
    const op = await newOperator(s)
    const r = await request(s.url, 'POST', '/operator/session', {
      body: { email: op.email, password: op.password },
      headers: H,
    })
    assert.equal(r.status, 200, r.text)
    assert.match(cookieOf(r.headers).attrs, /; Secure/)
  } finally {
    await s.close()
  }
})
