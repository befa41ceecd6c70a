import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createStaffUser } from '../../src/staff/create-staff-user.ts'
import { client } from '../helpers/api.ts'
import { newAdmin, newAgent } from '../helpers/fixtures.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'
import { codeAt, loginStaff, newStaff, refreshSession, SESSION_H, sessionCookie } from '../helpers/staff.ts'

const HOUR = 3_600_000

forEachDialect('staff accounts and console sessions', (dialect) => {
  const server = useServer(dialect)

  test('set-up link: QR code and secret once, password + current code, then the link is dead', async () => {
    const s = server()
    const u = await createStaffUser(s.ctx, { email: 'Setup@Example.com', role: 'admin', actor: 'cli' })
    assert.equal(u.email, 'setup@example.com')
    assert.match(u.setup_link, /\/admin\/setup#token=[A-Za-z0-9_-]{43}$/)
    const token = u.setup_link.split('#token=')[1]!
    const anon = client(s.url)
    const info = await anon.get(`/staff/setup?token=${token}`)
    assert.equal(info.status, 200, info.text)
    assert.equal(info.headers.get('cache-control'), 'no-store')
    assert.match(info.body.qr_svg, /^<svg /)
    assert.match(
      info.body.otpauth_uri,
      /^otpauth:\/\/totp\/humcli%3Asetup%40example\.com\?secret=[A-Z2-7]{32}&/,
    )
    const secret = info.body.totp_secret
    const short = await anon.post('/staff/setup', { token, password: 'short', totp_code: codeAt(s, secret) })
    assert.equal(short.status, 400)
    assert.match(short.body.error, /at least 12 characters/)
    const wrong = await anon.post('/staff/setup', {
      token,
      password: 'a long password!',
      totp_code: codeAt(s, secret, 3),
    })
    assert.equal(wrong.status, 400)
    assert.match(wrong.body.error, /code does not match/)
    const ok = await anon.post('/staff/setup', {
      token,
      password: 'a long password!',
      totp_code: codeAt(s, secret),
    })
    assert.equal(ok.status, 200, ok.text)
    assert.equal((await anon.get(`/staff/setup?token=${token}`)).status, 404)
    // The code used to confirm cannot log in again; the next one can.
    const replay = await anon.post(
      '/staff/session',
      {
        email: u.email,
        password: 'a long password!',
        totp_code: codeAt(s, secret),
      },
      { headers: SESSION_H },
    )
    assert.equal(replay.status, 401)
    s.clock.advance(30_000)
    const login = await anon.post(
      '/staff/session',
      {
        email: u.email,
        password: 'a long password!',
        totp_code: codeAt(s, secret),
      },
      { headers: SESSION_H },
    )
    assert.equal(login.status, 200, login.text)
    const me = await client(s.url, { token: login.body.token }).get('/staff/me')
    assert.deepEqual(me.body, { id: u.id, email: u.email, role: 'admin' })
    assert.match(login.body.token, /^hstf_/)
    sessionCookie(login.headers, 'humcli_admin_session', '/staff/session')
    // The secret is stored sealed, the link hashed.
    const row = await s.ctx.store.db
      .selectFrom('staff_users')
      .selectAll()
      .where('id', '=', u.id)
      .executeTakeFirstOrThrow()
    assert.ok(!row.totp_secret.includes(secret))
    assert.equal(row.setup_token_hash, null)
  })

  test('wrong password or code: 401 with one sentence, logged as a failure; the 6th try is 429 even when right', async () => {
    const s = server()
    const st = await newStaff(s)
    const anon = client(s.url)
    s.clock.advance(30_000)
    const badPw = await anon.post(
      '/staff/session',
      {
        email: st.email,
        password: 'nope nope nope',
        totp_code: codeAt(s, st.secret),
      },
      { headers: SESSION_H },
    )
    assert.equal(badPw.status, 401)
    assert.match(badPw.body.error, /Wrong email, password or code/)
    const badCode = await anon.post(
      '/staff/session',
      {
        email: st.email,
        password: st.password,
        totp_code: codeAt(s, st.secret, 5),
      },
      { headers: SESSION_H },
    )
    assert.equal(badCode.status, 401)
    assert.equal(badCode.body.error, badPw.body.error, 'the answer does not say which part was wrong')
    for (let i = 0; i < 3; i++) {
      await anon.post(
        '/staff/session',
        { email: st.email, password: 'still wrong!', totp_code: '000000' },
        { headers: SESSION_H },
      )
    }
    const failures = await s.ctx.store.db
      .selectFrom('staff_login_failures')
      .selectAll()
      .where('email', '=', st.email)
      .execute()
    assert.deepEqual(failures.map((f) => f.reason).slice(0, 2), ['password', 'totp code'])
    assert.equal(failures.length, 5)
    const locked = await anon.post(
      '/staff/session',
      {
        email: st.email,
        password: st.password,
        totp_code: codeAt(s, st.secret),
      },
      { headers: SESSION_H },
    )
    assert.equal(locked.status, 429, locked.text)
    assert.match(locked.body.error, /Too many failed logins/)
    assert.ok(Number(locked.headers.get('retry-after')) > 0)
    s.clock.advance(16 * 60_000)
    const later = await anon.post(
      '/staff/session',
      {
        email: st.email,
        password: st.password,
        totp_code: codeAt(s, st.secret),
      },
      { headers: SESSION_H },
    )
    assert.equal(later.status, 200, later.text)
  })

  test('session: refresh cookie scoped to /staff/session, 12 h without a refresh ends it, logout, logout everywhere', async () => {
    const s = server()
    const st = await newStaff(s)
    const me = await st.api.get('/staff/me')
    assert.equal(me.status, 200, me.text)
    assert.equal(me.body.email, st.email)
    // Without the session header, the cookie alone does nothing (CSRF).
    const bare = await client(s.url).post('/staff/session/refresh', undefined, {
      headers: { cookie: st.cookie },
    })
    assert.equal(bare.status, 403)
    // The access token lives 15 minutes; the refresh cookie gives a new one and rotates.
    s.clock.advance(16 * 60_000)
    assert.equal((await st.api.get('/admin/queues')).status, 401)
    const r1 = await refreshSession(s, '/staff/session', st.cookie)
    assert.equal(r1.status, 200, r1.text)
    const next = sessionCookie(r1.headers, 'humcli_admin_session', '/staff/session')
    assert.equal((await client(s.url, { token: r1.body.token }).get('/admin/queues')).status, 200)
    // 11 h later a refresh still works; 12 h 1 min without one ends the session.
    s.clock.advance(11 * HOUR)
    const r2 = await refreshSession(s, '/staff/session', next)
    assert.equal(r2.status, 200, r2.text)
    const last = sessionCookie(r2.headers, 'humcli_admin_session', '/staff/session')
    s.clock.advance(12 * HOUR + 60_000)
    const idle = await refreshSession(s, '/staff/session', last)
    assert.equal(idle.status, 401)
    assert.match(idle.body.error, /session has ended/)
    // Logout everywhere ends the other sessions of the same user too, access tokens included.
    const a = await loginStaff(s, st.email, st.password, st.secret)
    s.clock.advance(30_000)
    const b = await loginStaff(s, st.email, st.password, st.secret)
    const all = await a.api.post('/staff/logout-everywhere')
    assert.equal(all.status, 200, all.text)
    assert.ok(all.body.sessions_ended >= 2)
    assert.equal((await b.api.get('/admin/queues')).status, 401, 'its access token is refused at once')
    assert.equal((await refreshSession(s, '/staff/session', b.cookie)).status, 401)
    s.clock.advance(30_000)
    const c = await loginStaff(s, st.email, st.password, st.secret)
    const out = await client(s.url).post('/staff/session/logout', undefined, {
      headers: { ...SESSION_H, cookie: c.cookie },
    })
    assert.equal(out.status, 204)
    assert.equal((await refreshSession(s, '/staff/session', c.cookie)).status, 401)
  })

  test('roles: a reviewer decides reviews and KYC but not tiers, restrictions, payouts or users; hadm_ tokens still work', async () => {
    const s = server()
    const reviewer = await newStaff(s, 'reviewer')
    const admin = await newStaff(s, 'admin')
    const agent = await newAgent(s)
    for (const [method, path, body] of [
      ['POST', `/admin/agents/${agent.id}/tier`, { tier: 'VERIFIED' }],
      ['POST', `/admin/agents/${agent.id}/restriction`, { restricted: true, reason: 'x' }],
      ['GET', '/admin/payouts'],
      ['GET', '/admin/payouts/stuck'],
      ['POST', '/admin/staff', { email: 'x@example.com', role: 'admin' }],
    ] as const) {
      const r = await reviewer.api.call(method, path, { body })
      assert.equal(r.status, 403, `${method} ${path}: ${r.text}`)
      assert.match(r.body.error, /needs the admin role; you are a reviewer/)
    }
    assert.equal((await reviewer.api.get('/admin/tasks?status=MANUAL_REVIEW')).status, 200)
    assert.equal((await reviewer.api.get(`/admin/agents/${agent.id}`)).status, 200)
    const tier = await admin.api.post(`/admin/agents/${agent.id}/tier`, { tier: 'VERIFIED' })
    assert.equal(tier.status, 200, tier.text)
    const made = await admin.api.post('/admin/staff', { email: 'new@example.com', role: 'reviewer' })
    assert.equal(made.status, 201, made.text)
    assert.match(made.body.setup_link, /#token=/)
    const token = await newAdmin(s)
    assert.equal((await token.api.post(`/admin/agents/${agent.id}/tier`, { tier: 'STANDARD' })).status, 200)
    // An agent's credentials on a staff endpoint: 403, not 401.
    const asAgent = await agent.api.get('/admin/queues')
    assert.equal(asAgent.status, 403)
  })
})
