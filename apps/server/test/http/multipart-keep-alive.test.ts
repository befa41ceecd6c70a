/**
 * An upload refused part-way (too many photos, an unknown field) must not leave its unread
 * bytes on a keep-alive connection (issue 16, item 3): the next request sent through the same
 * keep-alive agent (one socket at most) is answered at once. Before the fix it hung for about
 * 73 s and was then reset — behind a proxy that reuses upstream sockets, another user's request.
 */
import assert from 'node:assert/strict'
import http from 'node:http'
import { before, test } from 'node:test'
import { newOperator, type OperatorFixture, TINY_JPEG } from '../helpers/fixtures.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'

interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
  /** Which socket answered, numbered in the order the agent opened them. */
  socket: number
}

/** A JPEG of about `size` bytes: a real tiny JPEG followed by filler (enough to fill socket buffers). */
const bigPhoto = (size: number) => Buffer.concat([TINY_JPEG, Buffer.alloc(size, 0x5a)])

async function encode(form: FormData): Promise<{ body: Buffer; type: string }> {
  const req = new Request('http://127.0.0.1/', { method: 'POST', body: form })
  return { body: Buffer.from(await req.arrayBuffer()), type: req.headers.get('content-type')! }
}

function send(
  agent: http.Agent,
  sockets: Map<unknown, number>,
  url: string,
  opts: { method: string; path: string; token: string; body?: Buffer; type?: string },
  timeoutMs = 5_000,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${opts.token}` }
    if (opts.body) {
      headers['content-type'] = opts.type!
      headers['content-length'] = String(opts.body.length)
    }
    const req = http.request(`${url}/api/v1${opts.path}`, { method: opts.method, agent, headers }, (res) => {
      let body = ''
      const socket = res.socket
      res.setEncoding('utf8')
      res.on('data', (d) => (body += d))
      res.on('end', () => {
        const id = sockets.get(socket) ?? sockets.size + 1
        sockets.set(socket, id)
        resolve({ status: res.statusCode!, headers: res.headers, body, socket: id })
      })
    })
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`${opts.method} ${opts.path}: no answer within ${timeoutMs} ms`)),
    )
    // The server may answer and close before the whole upload is written; that is not a failure.
    req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'EPIPE' ? undefined : reject(err)))
    req.end(opts.body)
  })
}

type Case = [name: string, path: string, form: () => FormData, status: number]

const CASES: Case[] = [
  [
    'eleven photos (413)',
    '/operator/tasks/task_x/proof',
    () => {
      const form = new FormData()
      form.append('notes', 'done')
      for (let i = 0; i < 11; i++)
        form.append('photos', new Blob([bigPhoto(400_000)], { type: 'image/jpeg' }), `p${i}.jpg`)
      return form
    },
    413,
  ],
  [
    'an unknown proof field before the photos (400)',
    '/operator/tasks/task_x/proof',
    () => {
      const form = new FormData()
      form.append('colour', 'blue')
      form.append('photos', new Blob([bigPhoto(3_000_000)], { type: 'image/jpeg' }), 'p.jpg')
      return form
    },
    400,
  ],
  [
    'an unknown KYC field before the documents (400)',
    '/operator/kyc',
    () => {
      const form = new FormData()
      form.append('passport_number', 'X123')
      form.append('id_document', new Blob([bigPhoto(3_000_000)], { type: 'image/jpeg' }), 'id.jpg')
      return form
    },
    400,
  ],
]

/** Warm a socket, send the refused upload over it, then a GET: answered at once, on a socket that works. */
async function refuseThenAsk(url: string, token: string, [, path, form, status]: Case): Promise<Answer> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  const sockets = new Map<unknown, number>()
  const me = { method: 'GET', path: '/operator/me', token }
  try {
    const warm = await send(agent, sockets, url, me)
    assert.equal(warm.status, 200, warm.body)
    const refused = await send(agent, sockets, url, {
      method: 'POST',
      path,
      token,
      ...(await encode(form())),
    })
    assert.equal(refused.status, status, refused.body)
    assert.equal(refused.socket, warm.socket, 'the upload went over the kept-alive socket')
    const next = await send(agent, sockets, url, me)
    assert.equal(next.status, 200, next.body)
    // Either the refusal said it closes the connection (and a new socket answered), or the
    // unread upload was drained and the same socket answered.
    if (refused.headers.connection === 'close') assert.notEqual(next.socket, refused.socket)
    else assert.equal(next.socket, refused.socket)
    return refused
  } finally {
    agent.destroy()
  }
}

forEachDialect('a refused upload does not poison the keep-alive connection', (dialect) => {
  const server = useServer(dialect)
  let op: OperatorFixture
  before(async () => {
    op = await newOperator(server())
  })
  for (const c of CASES) {
    test(`after ${c[0]}, the next request through the same keep-alive agent answers at once`, async () => {
      const refused = await refuseThenAsk(server().url, op.token, c)
      assert.notEqual(refused.headers.connection, 'close', 'an upload within the limits is drained')
    })
  }
})

forEachDialect('a refused upload larger than any accepted one closes the connection', (dialect) => {
  // Drain limit: 2 photos of 100 KB + 1 spare + a 100 KB JSON body = 400 KB; these send 3 MB.
  const server = useServer(dialect, { uploadMaxBytes: 100_000, uploadMaxFiles: 2, bodyLimitBytes: 100_000 })
  let op: OperatorFixture
  before(async () => {
    op = await newOperator(server())
  })
  for (const c of CASES.slice(1)) {
    test(`after ${c[0]}: Connection: close, and the next request answers on a new socket`, async () => {
      const refused = await refuseThenAsk(server().url, op.token, c)
      assert.equal(refused.headers.connection, 'close')
    })
  }
})
