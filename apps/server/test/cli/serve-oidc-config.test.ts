import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { runHumcli } from '../helpers/harness.ts'

test('humcli serve with a partial HUMCLI_OIDC_* set: one clear line, exit 78, no server', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-serve-oidc-'))
  try {
    const r = await runHumcli(
      ['serve'],
      {
        HUMCLI_DATA_DIR: dir,
        PORT: '0',
        LOG_LEVEL: 'silent',
        HUMCLI_OIDC_ISSUER: 'https://clerk.example.com',
      },
      120_000,
    )
    assert.equal(r.code, 78, r.stderr)
    assert.match(
      r.stderr,
      /^humcli: HUMCLI_OIDC_JWKS_URL, HUMCLI_OIDC_ISSUER, HUMCLI_OIDC_AUDIENCE go together, but HUMCLI_OIDC_JWKS_URL and HUMCLI_OIDC_AUDIENCE are not set/,
    )
    assert.equal(r.stderr.trim().split('\n').length, 1)
    assert.equal(r.stdout, '')
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
