import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { GetObjectCommand } from '@aws-sdk/client-s3'
import sharp from 'sharp'
import { decryptAtRest } from '../../src/credentials/at-rest.ts'
import { createTask, driveTo, newAdmin, newAgent, newOperator, proofForm } from '../helpers/fixtures.ts'
import { forEachDialect, startTestServer, type TestServer } from '../helpers/harness.ts'
import { type LocalS3, startLocalS3 } from '../helpers/s3.ts'

/** A real photo: a colour gradient, so it is neither tiny nor uniform. */
async function photo(hue: number): Promise<Buffer> {
  const w = 96
  const h = 64
  const raw = Buffer.alloc(w * h * 3)
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      raw.set([(x * 2 + hue) % 256, (y * 4) % 256, (x + y + hue) % 256], (y * w + x) * 3)
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .jpeg()
    .toBuffer()
}

forEachDialect('uploads with HUMCLI_BLOB_STORE=s3', (dialect) => {
  let s3: LocalS3
  let s: TestServer
  before(async () => {
    s3 = await startLocalS3('humcli-uploads', '')
    // Manual KYC, so an operator can still upload identity documents after registering.
    s = await startTestServer(dialect, {
      blobStore: 's3',
      s3: { ...s3.config, prefix: 'site-1' },
      kycMode: 'manual',
    })
  })
  after(async () => {
    await s?.close()
    await s3?.close()
  })

  const objectBytes = async (key: string) => {
    const out = await s3.client.send(new GetObjectCommand({ Bucket: s3.config.bucket, Key: key }))
    return Buffer.from(await out.Body!.transformToByteArray())
  }

  async function readyOperator() {
    const op = await newOperator(s)
    const admin = await newAdmin(s)
    const dec = await admin.api.post(`/admin/operators/${op.id}/kyc`, { decision: 'APPROVE' })
    assert.equal(dec.status, 200, dec.text)
    return op
  }

  test('proof photos land in the bucket; the signed photo URLs serve exactly what the bucket holds', async () => {
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const op = await readyOperator()
    const taskId = await createTask(s, agent)
    await driveTo(s, agent, op, taskId, 'IN_PROGRESS')
    const up = await op.api.post(`/operator/tasks/${taskId}/proof`, undefined, {
      form: proofForm([await photo(0), await photo(90)]),
    })
    assert.equal(up.status, 200, up.text)

    const keys = await s3.keys(`site-1/proof/${taskId}/`)
    assert.equal(keys.length, 2)
    assert.equal(fs.existsSync(path.join(s.db.dir, 'files')), false, 'nothing written to local disk')

    const task = (await agent.api.get(`/tasks/${taskId}`)).body
    assert.equal(task.proof.photos.length, 2)
    for (const url of task.proof.photos as string[]) {
      const fileId = /\/files\/([^?]+)\?/.exec(url)![1]!
      const key = `site-1/proof/${taskId}/${fileId}`
      assert.ok(keys.includes(key), `${key} in ${keys}`)
      const res = await fetch(url)
      assert.equal(res.status, 200)
      assert.equal(res.headers.get('content-type'), 'image/jpeg')
      const served = Buffer.from(await res.arrayBuffer())
      assert.ok(served.length > 0)
      assert.equal(Number(res.headers.get('content-length')), served.length)
      assert.deepEqual(served, await objectBytes(key))
      // The signature covers the file: a tampered one is 404, and the bucket is never exposed.
      const tampered = await fetch(
        url.replace(/signature=./, (m) => (m.endsWith('0') ? `${m.slice(0, -1)}1` : `${m.slice(0, -1)}0`)),
      )
      assert.equal(tampered.status, 404)
    }
  })

  test('a refused submission leaves nothing in the bucket', async () => {
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const op = await readyOperator()
    const taskId = await createTask(s, agent)
    await driveTo(s, agent, op, taskId, 'ACCEPTED')
    // Not started yet: the photos are stored, the transaction refuses, the photos are deleted.
    const r = await op.api.post(`/operator/tasks/${taskId}/proof`, undefined, {
      form: proofForm([await photo(30)]),
    })
    assert.equal(r.status, 409, r.text)
    assert.deepEqual(await s3.keys(`site-1/proof/${taskId}/`), [])
  })

  test('KYC documents land in the bucket encrypted, and decrypt to what was uploaded', async () => {
    const op = await newOperator(s)
    const docs = {
      id_document: Buffer.concat([await photo(10), Buffer.from('PASSPORT-NUMBER-X1234567')]),
      selfie: await photo(20),
      proof_of_address: Buffer.from('%PDF-1.4\nUTILITY-BILL 1 Main St\n%%EOF\n'),
    }
    const form = new FormData()
    for (const [field, data] of Object.entries(docs))
      form.append(field, new Blob([new Uint8Array(data)]), `${field}.bin`)
    const up = await op.api.post('/operator/kyc', undefined, { form })
    assert.equal(up.status, 200, up.text)

    const keys = await s3.keys(`site-1/kyc/${op.id}/`)
    assert.equal(keys.length, 3)
    const files = await s.ctx.store.db.selectFrom('files').selectAll().where('owner_id', '=', op.id).execute()
    assert.equal(files.length, 3)
    for (const f of files) {
      assert.equal(f.encrypted, 1n)
      const stored = await objectBytes(`site-1/${f.storage_key}`)
      assert.ok(!stored.includes('PASSPORT-NUMBER') && !stored.includes('UTILITY-BILL'), 'encrypted at rest')
      const purpose = f.purpose.replace(/^kyc:/, '') as keyof typeof docs
      assert.deepEqual(decryptAtRest(s.ctx.secrets.masterKey, `file:${f.id}`, stored), docs[purpose])
    }
  })
})
