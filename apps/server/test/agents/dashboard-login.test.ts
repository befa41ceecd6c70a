import assert from 'node:assert/strict'
import { test } from 'node:test'
import { client } from '../helpers/api.ts'
import { newAdmin, newAgent, newOperator } from '../helpers/fixtures.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'
import { openSession, refreshSession, SESSION_H } from '../helpers/staff.ts'

forEachDialect('dashboard sign-in with a pasted credential', (dialect) => {
  const server = useServer(dialect)

  test('a credential of another role is named and sent where it belongs (403); a wrong key is 401; a key with spaces around works', async () => {
    const s = server()
    const agent = await newAgent(s)
    const operator = await newOperator(s)
    const admin = await newAdmin(s)
    const dash = await openSession(s, '/dashboard/session', 'humcli_agent_session', { api_key: agent.key })
    const anon = client(s.url)
    const paste = (api_key: string) => anon.post('/dashboard/session', { api_key }, { headers: SESSION_H })

    const staff = await paste(admin.token)
    assert.equal(staff.status, 403, staff.text)
    assert.match(staff.body.error, /staff token, not an agent API key.*\/admin/)
    const op = await paste(operator.token)
    assert.equal(op.status, 403, op.text)
    assert.match(op.body.error, /operator sign-in token.*\/login/)
    const access = await paste(dash.token)
    assert.equal(access.status, 403, access.text)
    assert.match(access.body.error, /dashboard access token, not an API key/)
    for (const [r, what] of [
      [staff, 'staff'],
      [op, 'operator'],
      [access, 'access'],
    ] as const) {
      assert.equal(r.headers.get('set-cookie'), null, `no session for a pasted ${what} token`)
    }

    const wrong = await paste('ho_live_this_key_does_not_exist_at_all')
    assert.equal(wrong.status, 401, wrong.text)
    assert.match(wrong.body.error, /Invalid API key/)
    // A made-up token of a staff shape is named by its shape only: the same answer as a real one.
    const madeUp = await paste('hadm_made_up_token_value')
    assert.equal(madeUp.status, 403)
    assert.equal(madeUp.body.error, staff.body.error)

    const padded = await paste(`  ${agent.key}\n`)
    assert.equal(padded.status, 200, padded.text)
  })
})

forEachDialect('a dashboard session opened with an API key ends with that key', (dialect) => {
  const server = useServer(dialect)
  const PATH = '/dashboard/session'
  const COOKIE = 'humcli_agent_session'

  test('revoking the key stops the session at once: its access token and its refresh are refused; other sessions live on', async () => {
    const s = server()
    const agent = await newAgent(s)
    const other = await client(s.url, { key: agent.key }).post('/agents/keys', { name: 'second' })
    assert.equal(other.status, 201, other.text)
    const first = await client(s.url, { key: agent.key }).get('/agents/keys')
    const firstId = first.body.data.find(
      (k: { name: string | null; id: string }) => k.id !== other.body.id,
    ).id

    const withFirst = await openSession(s, PATH, COOKIE, { api_key: agent.key })
    const withSecond = await openSession(s, PATH, COOKIE, { api_key: other.body.key })
    assert.equal((await withFirst.api.get('/agents/me')).status, 200)

    // Revoked from the second key's own session, as the dashboard's key page does.
    const revoked = await withSecond.api.delete(`/agents/keys/${firstId}`)
    assert.equal(revoked.status, 200, revoked.text)

    const after = await withFirst.api.get('/agents/me')
    assert.equal(after.status, 401, after.text)
    assert.match(after.body.error, /session has ended/)
    const refresh = await refreshSession(s, PATH, withFirst.cookie)
    assert.equal(refresh.status, 401, refresh.text)
    // An ended session's token is no live credential anywhere: 401 on another role's route, not 403.
    const elsewhere = await withFirst.api.get('/operator/me')
    assert.equal(elsewhere.status, 401, elsewhere.text)
    // The session opened with the key still live is untouched.
    assert.equal((await withSecond.api.get('/agents/me')).status, 200)
    assert.equal((await refreshSession(s, PATH, withSecond.cookie)).status, 200)
  })

  test('signing out ends the access token too, not only the refresh cookie', async () => {
    const s = server()
    const agent = await newAgent(s)
    const dash = await openSession(s, PATH, COOKIE, { api_key: agent.key })
    assert.equal((await dash.api.get('/agents/me')).status, 200)
    const out = await client(s.url).post(`${PATH}/logout`, undefined, {
      headers: { ...SESSION_H, cookie: dash.cookie },
    })
    assert.equal(out.status, 204, out.text)
    const after = await dash.api.get('/agents/me')
    assert.equal(after.status, 401, after.text)
  })
})
