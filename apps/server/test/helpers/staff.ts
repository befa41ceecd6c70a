import assert from 'node:assert/strict'
import { base32Decode, totpCode, totpStep } from '../../src/domain/totp.ts'
import { createStaffUser } from '../../src/staff/create-staff-user.ts'
import { type Client, client, type RequestOptions } from './api.ts'
import type { TestServer } from './harness.ts'

let n = 0
const uniq = () => `${Date.now().toString(36)}${(n++).toString(36)}`

/** The code an authenticator app shows for this secret at the server's (manual) time. */
export const codeAt = (s: TestServer, secretB32: string, offsetSteps = 0) =>
  totpCode(base32Decode(secretB32), totpStep(s.clock.now()) + offsetSteps)

/** A client that sends a browser session's cookie, and its CSRF token on every request. */
export function sessionClient(url: string, cookie: string, csrf: string | null): Client {
  const base = client(url)
  const headers = (opts?: RequestOptions) => ({
    cookie,
    ...(csrf ? { 'x-csrf-token': csrf } : {}),
    ...opts?.headers,
  })
  return {
    get: (p, o) => base.get(p, { ...o, headers: headers(o) }),
    post: (p, b, o) => base.post(p, b, { ...o, headers: headers(o) }),
    delete: (p, o) => base.delete(p, { ...o, headers: headers(o) }),
    call: (m, p, o) => base.call(m, p, { ...o, headers: headers(o) }),
  } as Client
}

/** The `name=value` of a Set-Cookie answer, asserting the attributes a session cookie must have. */
export function sessionCookie(headers: Headers, name: string): string {
  const set = headers.get('set-cookie') ?? ''
  assert.match(set, new RegExp(`^${name}=hses_`), set)
  assert.match(set, /HttpOnly/)
  assert.match(set, /SameSite=Strict/)
  assert.match(set, /Path=\//)
  return set.split(';')[0]!
}

export interface StaffFixture {
  id: string
  email: string
  password: string
  secret: string
  api: Client
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
  const api = await loginStaffClient(s, email, password, secret)
  return { id: u.id, email, password, secret, api }
}

export async function loginStaffClient(s: TestServer, email: string, password: string, secret: string) {
  const r = await client(s.url).post('/staff/login', { email, password, totp_code: codeAt(s, secret) })
  assert.equal(r.status, 200, r.text)
  return sessionClient(s.url, sessionCookie(r.headers, 'humcli_staff'), r.body.csrf_token)
}
