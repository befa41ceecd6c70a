/**
 * Malformed proof uploads: the type is judged by content (415), sizes and counts by the configured
 * limits (413), unknown parts refused (400) — and no file reaches the blob folder or the files table.
 */
import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import { createTask, driveTo, proofForm, TINY_JPEG } from '../helpers/fixtures.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'
import { baseEnv, defineRows, type Row, type RowEnv, snapshot } from './refusal-checks.ts'

const UPLOAD_MAX = 200_000
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')
const SVG = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>',
)
const HTML = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>')
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64')
/** JPEG magic bytes, then padding: passes the type check, fails the size check. */
const jpegOf = (size: number) => Buffer.concat([TINY_JPEG, Buffer.alloc(size - TINY_JPEG.length, 0x20)])

type Part = [field: string, data: Buffer | string, filename?: string, type?: string]

function form(parts: Part[]): () => FormData {
  return () => {
    const f = new FormData()
    for (const [field, data, filename, type] of parts) {
      if (typeof data === 'string') f.append(field, data)
      else f.append(field, new Blob([new Uint8Array(data)], { type: type ?? 'image/jpeg' }), filename)
    }
    return f
  }
}
const notes: Part = ['notes', 'storefront and opening hours photographed']
const photo = (data: Buffer, filename = 'photo.jpg', type?: string): Part => ['photos', data, filename, type]

const upload = (name: string, parts: Part[], status: number, code: string, field?: string): Row => ({
  name,
  method: 'POST',
  path: '/operator/tasks/{inProgress}/proof',
  who: 'operator',
  form: form(parts),
  status,
  code,
  field,
})

const ROWS: Row[] = [
  upload(
    'a PDF as a photo',
    [notes, photo(PDF, 'receipt.pdf', 'application/pdf')],
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    'receipt.pdf',
  ),
  upload(
    'a PDF named .jpg',
    [notes, photo(PDF, 'receipt.jpg')],
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    'receipt.jpg',
  ),
  upload(
    'an SVG as a photo',
    [notes, photo(SVG, 'logo.svg', 'image/svg+xml')],
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    'logo.svg',
  ),
  upload(
    'an HTML file named .jpg',
    [notes, photo(HTML, 'shop.jpg')],
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    'shop.jpg',
  ),
  upload(
    'a GIF as a photo',
    [notes, photo(GIF, 'anim.gif', 'image/gif')],
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    'anim.gif',
  ),
  upload(
    'a zero-byte photo',
    [notes, photo(Buffer.alloc(0), 'empty.jpg')],
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    'empty.jpg',
  ),
  upload(
    'a good photo then a PDF',
    [notes, photo(TINY_JPEG, 'good.jpg'), photo(PDF, 'bad.jpg')],
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    'bad.jpg',
  ),
  upload(
    'a photo over the upload limit',
    [notes, photo(jpegOf(UPLOAD_MAX + 50_000))],
    413,
    'PAYLOAD_TOO_LARGE',
  ),
  upload(
    'a good photo then one over the limit',
    [notes, photo(TINY_JPEG, 'good.jpg'), photo(jpegOf(UPLOAD_MAX + 1), 'big.jpg')],
    413,
    'PAYLOAD_TOO_LARGE',
  ),
  upload(
    '11 photos',
    [notes, ...Array.from({ length: 11 }, (_, i) => photo(TINY_JPEG, `p${i}.jpg`))],
    413,
    'PAYLOAD_TOO_LARGE',
    '10 photos',
  ),
  upload(
    '21 text fields',
    Array.from({ length: 21 }, () => notes),
    413,
    'PAYLOAD_TOO_LARGE',
  ),
  upload(
    'an unknown text field',
    [notes, ['status', 'COMPLETED'], photo(TINY_JPEG)],
    400,
    'VALIDATION_FAILED',
    'status',
  ),
  upload(
    'an unknown file field',
    [notes, ['document', TINY_JPEG, 'id.jpg']],
    400,
    'VALIDATION_FAILED',
    'document',
  ),
  upload(
    'notes over 10 000 characters',
    [['notes', 'n'.repeat(10_001)], photo(TINY_JPEG)],
    400,
    'VALIDATION_FAILED',
    'notes',
  ),
  {
    name: 'proof as JSON',
    method: 'POST',
    path: '/operator/tasks/{inProgress}/proof',
    who: 'operator',
    body: { notes: 'done', photos: ['https://example.com/p.jpg'] },
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'proof with no body',
    method: 'POST',
    path: '/operator/tasks/{inProgress}/proof',
    who: 'operator',
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'proof from nobody',
    method: 'POST',
    path: '/operator/tasks/{inProgress}/proof',
    who: 'anonymous',
    form: form([notes, photo(TINY_JPEG)]),
    status: 401,
    code: 'UNAUTHORIZED',
  },
  {
    name: 'proof with an agent key',
    method: 'POST',
    path: '/operator/tasks/{inProgress}/proof',
    who: 'agent',
    form: form([notes, photo(TINY_JPEG)]),
    status: 403,
    code: 'FORBIDDEN',
  },
]

forEachDialect('bad proof uploads', (dialect) => {
  const server = useServer(dialect, { uploadMaxBytes: UPLOAD_MAX })
  let env: RowEnv | undefined
  before(async () => {
    const s = server()
    const base = await baseEnv(s)
    const inProgress = await createTask(s, base.agent)
    await driveTo(s, base.agent, base.op, inProgress, 'IN_PROGRESS')
    env = { ...base, ids: { ...base.ids, inProgress } }
  })
  defineRows(ROWS, () => env!)

  test('control: after every refusal the task still takes a valid proof, and that one is stored', async () => {
    const e = env!
    const before = await snapshot(e.s)
    assert.deepEqual(before.files_on_disk, [])
    const r = await fetch(`${e.s.url}/api/v1/operator/tasks/${e.ids.inProgress}/proof`, {
      method: 'POST',
      headers: { authorization: `Bearer ${e.creds.operator.token}` },
      body: proofForm([TINY_JPEG, TINY_JPEG]),
    })
    assert.equal(r.status, 200, await r.text())
    const after = await snapshot(e.s)
    assert.equal(after.files, (before.files as number) + 2)
    assert.equal((after.files_on_disk as string[]).length, 2)
  })
})
