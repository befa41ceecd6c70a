import assert from 'node:assert/strict'
import { base32Decode, totpCode, totpStep } from '../../src/domain/totp.ts'
import { createStaffUser } from '../../src/staff/create-staff-user.ts'
import { type Client, client } from './api.ts'
import type { TestServer } from './harness.ts'

let n = 0
const uniq = () => `${Date.now().toString(36)}${(n++).toString(36)}`

/** The code an authenticator app shows for this secret at the server's (manual) time. */
export const codeAt = (s: TestServer, secretB32: string, offsetSteps = 0) =>
  totpCode(base32Decode(secretB32), totpStep(s.clock.now()) + offsetSteps)

/** The header every browser-session request carries (ADR 0015). */
export const SESSION_H = { 'x-humcli-session': '1' }

/** The refresh cookie a sign-in sets (`name=value`), asserting the attributes it must have. */
export function sessionCookie(headers: Headers, name: string, path: string): string {
  const set = headers.get('set-cookie') ?? ''
  assert.match(set, new RegExp(`^${name}=hses_`), set)
  assert.match(set, /HttpOnly/)
  assert.match(set, /SameSite=Strict/)
  assert.match(set, new RegExp(`Path=/api/v1${path};`))
  return set.split(';')[0]!
}

/** Signs in to a browser session: the access token's client, and the refresh cookie. */
export async function openSession(s: TestServer, path: string, cookieName: string, body: unknown) {
  const r = await client(s.url).post(path, body, { headers: SESSION_H })
  assert.equal(r.status, 200, r.text)
  return {
    api: client(s.url, { token: r.body.token }),
    token: r.body.token as string,
    cookie: sessionCookie(r.headers, cookieName, path),
  }
}

/** `POST <path>/refresh` with a refresh cookie: a new access token and cookie, or the error. */
export async function refreshSession(s: TestServer, path: string, cookie: string) {
  return client(s.url).post(`${path}/refresh`, undefined, { headers: { ...SESSION_H, cookie } })
}

export interface StaffFixture {
  id: string
  email: string
  password: string
  secret: string
  api: Client
  cookie: string
}

/** Creates a staff user, completes the set-up through the API and logs in; the clock moves one step. */
export async function newStaff(
  s: TestServer,
  role: 'reviewer' | 'admin' = 'reviewer',
): Promise<StaffFixture> {
  const email = `staff-${uniq()}@example.com`
  const password = 'a long staff password'
  const u = await createStaffUser(s.ctx, { email, role, actor: 'cli' })
  const token = new URL(u.setup_link.replace('#', '?')).searchParams.get('token')!
  const anon = client(s.url)
  const setup = await anon.get(`/staff/setup?token=${token}`)
  assert.equal(setup.status, 200, setup.text)
  const secret = setup.body.totp_secret as string
  const done = await anon.post('/staff/setup', { token, password, totp_code: codeAt(s, secret) })
  assert.equal(done.status, 200, done.text)
  s.clock.advance(30_000)
  const { api, cookie } = await loginStaff(s, email, password, secret)
  return { id: u.id, email, password, secret, api, cookie }
}

export function loginStaff(s: TestServer, email: string, password: string, secret: string) {
  return openSession(s, '/staff/session', 'humcli_admin_session', {
    email,
    password,
    totp_code: codeAt(s, secret),
  })
}
