import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3'
import type { BlobStore } from '../../src/blobs/blob-store.ts'
import { LocalDiskBlobStore } from '../../src/blobs/local-disk.ts'
import { S3BlobStore } from '../../src/blobs/s3.ts'
import { withStoredBlobs } from '../../src/blobs/with-stored-blobs.ts'
import { ConfigError } from '../../src/config.ts'
import { type LocalS3, startLocalS3 } from '../helpers/s3.ts'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of stream) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

interface Adapter {
  name: string
  open(): Promise<{ store: BlobStore; close(): Promise<void> }>
}

let s3: LocalS3
const ADAPTERS: Adapter[] = [
  {
    name: 'local disk',
    async open() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-blobs-'))
      return { store: new LocalDiskBlobStore(dir), close: async () => fs.rmSync(dir, { recursive: true }) }
    },
  },
  {
    name: 's3 (s3rver)',
    async open() {
      const store = new S3BlobStore({ ...s3.config, prefix: 'tenant-a' })
      return { store, close: () => store.close() }
    },
  },
]

before(async () => {
  s3 = await startLocalS3()
})
after(async () => {
  await s3.close()
})

for (const adapter of ADAPTERS) {
  describe(`blob store contract: ${adapter.name}`, () => {
    let store: BlobStore
    let close: () => Promise<void>
    before(async () => {
      ;({ store, close } = await adapter.open())
    })
    after(async () => close())

    test('put, get and stream give back the same bytes; put again replaces', async () => {
      const data = randomBytes(3000)
      await store.put('proof/task_1/file_a', data, 'image/jpeg')
      assert.deepEqual(await store.get('proof/task_1/file_a'), data)
      const s = await store.stream('proof/task_1/file_a')
      assert.ok(s)
      assert.equal(s.sizeBytes, data.length)
      assert.deepEqual(await readAll(s.body), data)
      const other = randomBytes(10)
      await store.put('proof/task_1/file_a', other, 'image/jpeg')
      assert.deepEqual(await store.get('proof/task_1/file_a'), other)
    })

    test('a missing key is null for get and stream; deleting it is no error', async () => {
      assert.equal(await store.get('proof/task_x/none'), null)
      assert.equal(await store.stream('proof/task_x/none'), null)
      await store.delete('proof/task_x/none')
    })

    test('delete removes the object and leaves its neighbours', async () => {
      await store.put('kyc/op_1/f1', Buffer.from('one'), 'application/octet-stream')
      await store.put('kyc/op_1/f2', Buffer.from('two'), 'application/octet-stream')
      await store.delete('kyc/op_1/f1')
      assert.equal(await store.get('kyc/op_1/f1'), null)
      assert.deepEqual(await store.get('kyc/op_1/f2'), Buffer.from('two'))
    })

    test('a 20 MB file round-trips intact, whole and streamed', async () => {
      const big = randomBytes(20 * 1024 * 1024)
      await store.put('proof/task_big/file_big', big, 'image/png')
      const back = await store.get('proof/task_big/file_big')
      assert.ok(back)
      assert.equal(back.length, big.length)
      assert.equal(sha(back), sha(big))
      const s = await store.stream('proof/task_big/file_big')
      assert.equal(sha(await readAll(s!.body)), sha(big))
      await store.delete('proof/task_big/file_big')
      assert.equal(await store.get('proof/task_big/file_big'), null)
    })

    test('keys that could escape their place are refused', async () => {
      for (const key of ['../etc/passwd', '/abs', 'a/../../b', 'spaces are bad', 'ü']) {
        await assert.rejects(store.put(key, Buffer.from('x'), 'text/plain'), /invalid blob key/, key)
      }
    })

    test('withStoredBlobs: a failed commit deletes what it stored; a good one keeps it', async () => {
      const blobs = [1, 2, 3].map((i) => ({
        key: `proof/task_tx/f${i}`,
        data: Buffer.from(`photo ${i}`),
        contentType: 'image/jpeg',
      }))
      await assert.rejects(
        withStoredBlobs({ blobs: store }, blobs, async () => {
          // The transaction sees the files in place, then fails.
          for (const b of blobs) assert.deepEqual(await store.get(b.key), b.data)
          throw new Error('transaction failed')
        }),
        /transaction failed/,
      )
      for (const b of blobs) assert.equal(await store.get(b.key), null, b.key)

      // A store failure half-way (the second key is refused) removes the first again.
      await assert.rejects(
        withStoredBlobs({ blobs: store }, [blobs[0]!, { ...blobs[1]!, key: '../bad' }], async () => 'never'),
        /invalid blob key/,
      )
      assert.equal(await store.get(blobs[0]!.key), null)

      assert.equal(await withStoredBlobs({ blobs: store }, blobs, async () => 'ok'), 'ok')
      for (const b of blobs) assert.deepEqual(await store.get(b.key), b.data)
    })
  })
}

describe('s3 adapter specifics', () => {
  test('keys live under HUMCLI_S3_PREFIX with their content type; Content-MD5 is sent and checked', async () => {
    const store = new S3BlobStore({ ...s3.config, prefix: 'tenant-b' })
    try {
      await store.put('proof/t/f', Buffer.from('abc'), 'image/webp')
      assert.deepEqual(await s3.keys('tenant-b/'), ['tenant-b/proof/t/f'])
      const head = await s3.client.send(
        new HeadObjectCommand({ Bucket: s3.config.bucket, Key: 'tenant-b/proof/t/f' }),
      )
      assert.equal(head.ContentType, 'image/webp')
      // The ETag of a single-part upload is the MD5 of its bytes: what we sent is what was stored.
      assert.equal(head.ETag, `"${createHash('md5').update('abc').digest('hex')}"`)
      const raw = await s3.client.send(
        new GetObjectCommand({ Bucket: s3.config.bucket, Key: 'tenant-b/proof/t/f' }),
      )
      assert.equal(await raw.Body!.transformToString(), 'abc')
    } finally {
      await store.close()
    }
  })

  test('check(): passes for a reachable bucket; a missing bucket or a wrong key is a clear ConfigError', async () => {
    const good = new S3BlobStore(s3.config)
    await good.check()
    await good.close()
    const cases: [Partial<typeof s3.config>, RegExp][] = [
      [{ bucket: 'no-such-bucket' }, /"no-such-bucket".*does not exist.*HUMCLI_S3_BUCKET/],
      [{ accessKeyId: 'NOBODY' }, /access key is refused/],
    ]
    for (const [over, message] of cases) {
      const bad = new S3BlobStore({ ...s3.config, ...over })
      await assert.rejects(bad.check(), (e: unknown) => e instanceof ConfigError && message.test(e.message))
      await bad.close()
    }
  })
})
