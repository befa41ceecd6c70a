import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigError, loadConfig } from '../../src/config.ts'

const ALL = {
  HUMCLI_OIDC_JWKS_URL: 'https://clerk.example.com/.well-known/jwks.json',
  HUMCLI_OIDC_ISSUER: 'https://clerk.example.com',
  HUMCLI_OIDC_AUDIENCE: 'humcli',
}
const PROD = { HUMCLI_ENV: 'production', HUMCLI_MASTER_KEY: 'ab'.repeat(32) }

const refuses = (env: Record<string, string>, says: RegExp) =>
  assert.throws(
    () => loadConfig(env),
    (e: unknown) => e instanceof ConfigError && says.test(e.message) && /\.$/.test(e.message),
    JSON.stringify(env),
  )

test('external operator tokens are off unless configured, and on with all three settings', () => {
  assert.equal(loadConfig({}).oidc, null)
  assert.deepEqual(loadConfig(ALL).oidc, {
    jwksUrl: ALL.HUMCLI_OIDC_JWKS_URL,
    issuer: ALL.HUMCLI_OIDC_ISSUER,
    audience: ALL.HUMCLI_OIDC_AUDIENCE,
  })
})

test('a partial set is refused with a sentence naming exactly what is missing', () => {
  const names = Object.keys(ALL) as (keyof typeof ALL)[]
  for (const keep of [[0], [1], [2], [0, 1], [0, 2], [1, 2]]) {
    const env = Object.fromEntries(keep.map((i) => [names[i]!, ALL[names[i]!]]))
    const missing = names.filter((_, i) => !keep.includes(i))
    assert.throws(
      () => loadConfig(env),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message.includes(`but ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set`) &&
        /unset all three/.test(e.message),
      `kept ${keep}`,
    )
  }
})

test('the JWKS URL must be https; http only to localhost in development', () => {
  assert.ok(loadConfig({ ...PROD, ...ALL }).oidc)
  for (const local of ['http://127.0.0.1:9999/jwks', 'http://localhost/jwks', 'http://[::1]:8080/jwks']) {
    assert.equal(loadConfig({ ...ALL, HUMCLI_OIDC_JWKS_URL: local }).oidc?.jwksUrl, local)
    refuses(
      { ...PROD, ...ALL, HUMCLI_OIDC_JWKS_URL: local },
      /HUMCLI_OIDC_JWKS_URL must use https.*production/,
    )
  }
  refuses(
    { ...ALL, HUMCLI_OIDC_JWKS_URL: 'http://clerk.example.com/jwks' },
    /only to localhost in development/,
  )
  refuses({ ...ALL, HUMCLI_OIDC_JWKS_URL: 'ftp://127.0.0.1/jwks' }, /must use https/)
  refuses({ ...ALL, HUMCLI_OIDC_JWKS_URL: 'clerk.example.com/jwks' }, /must be an absolute URL/)
})

test("the issuer may not be the server's own", () => {
  refuses({ ...ALL, HUMCLI_OIDC_ISSUER: 'humcli' }, /HUMCLI_OIDC_ISSUER must not be "humcli"/)
})
