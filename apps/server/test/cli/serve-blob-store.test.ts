import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { runHumcli, startHumcliServe } from '../helpers/harness.ts'
import { type LocalS3, startLocalS3 } from '../helpers/s3.ts'

/** A child process starting on a busy 2-core machine can take well over the default 30 s. */
const SLOW = 120_000

let s3: LocalS3
let dir: string
before(async () => {
  s3 = await startLocalS3('serve-bucket')
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-serve-s3-'))
})
after(async () => {
  await s3.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const s3Env = (over: Record<string, string> = {}) => ({
  HUMCLI_DATA_DIR: dir,
  PORT: '0',
  LOG_LEVEL: 'silent',
  HUMCLI_WORKERS: 'off',
  HUMCLI_BLOB_STORE: 's3',
  HUMCLI_S3_ENDPOINT: s3.config.endpoint!,
  HUMCLI_S3_BUCKET: s3.config.bucket,
  HUMCLI_S3_ACCESS_KEY_ID: s3.config.accessKeyId,
  HUMCLI_S3_SECRET_ACCESS_KEY: s3.config.secretAccessKey,
  ...over,
})

test('humcli serve with s3 and no bucket set: one clear line, exit 78, no server', async () => {
  const r = await runHumcli(['serve'], s3Env({ HUMCLI_S3_BUCKET: '' }), SLOW)
  assert.equal(r.code, 78, r.stderr)
  assert.match(r.stderr, /^humcli: HUMCLI_BLOB_STORE=s3 needs HUMCLI_S3_BUCKET/)
  assert.equal(r.stderr.trim().split('\n').length, 1)
})

test('humcli serve with a bucket that does not exist refuses to start and says which', async () => {
  const r = await runHumcli(['serve'], s3Env({ HUMCLI_S3_BUCKET: 'not-there' }), SLOW)
  assert.equal(r.code, 78, r.stderr)
  assert.match(
    r.stderr,
    /The S3 bucket "not-there" at http:\/\/127\.0\.0\.1:\d+ cannot be used \(it does not exist\)/,
  )
})

test('humcli serve with a reachable bucket starts and says where files go', async () => {
  const server = await startHumcliServe(s3Env(), [], SLOW)
  try {
    assert.match(server.output().stdout, /files: {4}s3 bucket serve-bucket at http:\/\/127\.0\.0\.1:\d+/)
    assert.match(server.output().stdout, /docs: {5}http:\/\/127\.0\.0\.1:\d+\/docs\n/)
    assert.match(
      server.output().stdout,
      /metrics: {2}http:\/\/127\.0\.0\.1:\d+\/metrics {3}\(open: firewall it or set HUMCLI_METRICS_TOKEN\)/,
    )
    const ready = await fetch(`${server.url}/readyz`)
    assert.equal(ready.status, 200)
  } finally {
    await server.stop()
  }
})

test('humcli worker with a bucket that does not exist refuses to start', async () => {
  const r = await runHumcli(['worker'], s3Env({ HUMCLI_S3_BUCKET: 'not-there-either' }), SLOW)
  assert.equal(r.code, 78, r.stderr)
  assert.match(r.stderr, /The S3 bucket "not-there-either" .* cannot be used \(it does not exist\)/)
})
