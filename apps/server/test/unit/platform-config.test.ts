import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigError, loadConfig } from '../../src/config.ts'

const S3_ENV = {
  HUMCLI_BLOB_STORE: 's3',
  HUMCLI_S3_BUCKET: 'files',
  HUMCLI_S3_ACCESS_KEY_ID: 'AKIA…',
  HUMCLI_S3_SECRET_ACCESS_KEY: 'secret',
}

test('blob store: local by default; s3 settings read only when chosen, with their defaults', () => {
  assert.equal(loadConfig({}).blobStore, 'local')
  assert.equal(loadConfig({ HUMCLI_S3_BUCKET: 'ignored' }).s3, null)
  const aws = loadConfig(S3_ENV).s3!
  assert.deepEqual(
    { ...aws, secretAccessKey: '…' },
    {
      endpoint: null,
      bucket: 'files',
      region: 'us-east-1',
      accessKeyId: 'AKIA…',
      secretAccessKey: '…',
      forcePathStyle: false,
      prefix: '',
    },
  )
  const minio = loadConfig({
    ...S3_ENV,
    HUMCLI_S3_ENDPOINT: 'http://127.0.0.1:9000',
    HUMCLI_S3_REGION: 'eu-central-1',
    HUMCLI_S3_PREFIX: '/humcli/prod/',
  }).s3!
  assert.equal(minio.forcePathStyle, true, 'path style by default when an endpoint is set')
  assert.equal(minio.region, 'eu-central-1')
  assert.equal(minio.prefix, 'humcli/prod')
  const vhost = loadConfig({
    ...S3_ENV,
    HUMCLI_S3_ENDPOINT: 'https://s3.example.com',
    HUMCLI_S3_FORCE_PATH_STYLE: 'false',
  })
  assert.equal(vhost.s3!.forcePathStyle, false)
})

test('s3 without a bucket or credentials is refused at startup, naming what is missing', () => {
  for (const drop of ['HUMCLI_S3_BUCKET', 'HUMCLI_S3_ACCESS_KEY_ID', 'HUMCLI_S3_SECRET_ACCESS_KEY']) {
    const env: Record<string, string> = { ...S3_ENV }
    delete env[drop]
    assert.throws(
      () => loadConfig(env),
      (e: unknown) =>
        e instanceof ConfigError && e.message.includes(drop) && /HUMCLI_BLOB_STORE=s3/.test(e.message),
      drop,
    )
  }
  for (const [name, value] of [
    ['HUMCLI_BLOB_STORE', 'gcs'],
    ['HUMCLI_S3_ENDPOINT', 'minio:9000'],
    ['HUMCLI_S3_FORCE_PATH_STYLE', 'maybe'],
  ] as const) {
    assert.throws(
      () => loadConfig({ ...S3_ENV, [name]: value }),
      (e: unknown) => e instanceof ConfigError && e.message.includes(name),
      `${name}=${value}`,
    )
  }
})

test('metrics token: unset by default, read from HUMCLI_METRICS_TOKEN', () => {
  assert.equal(loadConfig({}).metricsToken, null)
  assert.equal(loadConfig({ HUMCLI_METRICS_TOKEN: 'scrape-me' }).metricsToken, 'scrape-me')
})
