import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import S3rver from 's3rver'
import type { S3Config } from '../../src/config.ts'

export interface LocalS3 {
  /** Settings that point humcli at this server's bucket (as HUMCLI_S3_* would). */
  config: S3Config
  /** A client of our own, to look into the bucket behind humcli's back. */
  client: S3Client
  /** Every key in the bucket (under `prefix` when given). */
  keys(prefix?: string): Promise<string[]>
  close(): Promise<void>
}

/**
 * A real S3-compatible server (s3rver) on a random loopback port, storing into a temp folder,
 * with one bucket. s3rver accepts the access key `S3RVER` / `S3RVER` and checks signatures.
 */
export async function startLocalS3(bucket = 'humcli-test', prefix = ''): Promise<LocalS3> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-s3-'))
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    directory: dir,
    silent: true,
    configureBuckets: [{ name: bucket }],
  })
  const { port } = await server.run()
  const config: S3Config = {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true,
    prefix,
  }
  const client = new S3Client({
    endpoint: config.endpoint!,
    region: config.region,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  })
  return {
    config,
    client,
    async keys(under = '') {
      const out = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: under }))
      return (out.Contents ?? []).map((o) => o.Key!).sort()
    },
    async close() {
      client.destroy()
      await server.close()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
